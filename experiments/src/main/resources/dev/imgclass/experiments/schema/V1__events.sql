-- Version 1 of the events store: exposures, feedback, experiments, their events, evaluations.
-- Portable SQL for SQLite and PostgreSQL; JdbcEventStore substitutes the dialect's types for
-- ${id} (an auto-increment primary key) and ${blob} (BLOB / BYTEA). Flags are INTEGER 0/1.
-- Statements end with a semicolon at the end of a line.

CREATE TABLE exposures (
  request_id TEXT PRIMARY KEY,
  experiment TEXT,
  period INTEGER NOT NULL,
  arm TEXT,
  unit_id TEXT,
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  predicted INTEGER NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  latency_us BIGINT NOT NULL,
  time_ms BIGINT NOT NULL,
  shadow INTEGER NOT NULL,
  error INTEGER NOT NULL
);

CREATE INDEX exposures_experiment_period ON exposures (experiment, period);

CREATE INDEX exposures_model_version_time ON exposures (model, version, time_ms);

CREATE TABLE feedback (
  request_id TEXT PRIMARY KEY,
  label INTEGER,
  reward DOUBLE PRECISION,
  time_ms BIGINT NOT NULL
);

CREATE TABLE experiments (
  id TEXT PRIMARY KEY,
  config_json TEXT NOT NULL,
  state TEXT NOT NULL,
  period INTEGER NOT NULL,
  period_start_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  reason TEXT
);

CREATE TABLE experiment_events (
  id ${id},
  experiment TEXT NOT NULL,
  time_ms BIGINT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT
);

CREATE INDEX experiment_events_experiment_time ON experiment_events (experiment, time_ms);

CREATE TABLE evaluations (
  id ${id},
  model TEXT NOT NULL,
  version INTEGER NOT NULL,
  time_ms BIGINT NOT NULL,
  source TEXT NOT NULL,
  n INTEGER NOT NULL,
  accuracy DOUBLE PRECISION NOT NULL,
  result_json TEXT NOT NULL,
  correct ${blob} NOT NULL,
  alert INTEGER NOT NULL
);

CREATE INDEX evaluations_model_time ON evaluations (model, time_ms);
