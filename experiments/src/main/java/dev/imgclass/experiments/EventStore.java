package dev.imgclass.experiments;

import java.util.List;
import java.util.Optional;

/**
 * Where experiment events live: SQLite by default (a file, no set-up), PostgreSQL when given a
 * {@code jdbc:postgresql://} URL. Writes are idempotent on the request id, so a batch retried after
 * a failure never duplicates. Implementations are thread-safe.
 */
public interface EventStore extends AutoCloseable {
  /**
   * Opens (creating and migrating the schema as needed) the store at {@code location}: a {@code
   * jdbc:sqlite:FILE} or {@code jdbc:postgresql://...} URL, or a plain file path (SQLite).
   */
  static EventStore open(String location) {
    return JdbcEventStore.open(location);
  }

  /** The schema version this store is at after opening. */
  int schemaVersion();

  /** Writes the exposures in one transaction; ids already stored are skipped. */
  void insertExposures(List<Exposure> exposures);

  /** Writes the feedback in one transaction; a second feedback for a request id is skipped. */
  void insertFeedback(List<Feedback> feedback);

  Optional<Exposure> exposure(String requestId);

  boolean hasFeedback(String requestId);

  /** Every non-shadow exposure of one period of an experiment with its feedback, oldest first. */
  List<Observation> observations(String experiment, int period);

  /**
   * Shadow exposures of one period, each with the feedback of the request it copied (its id less
   * {@link Exposure#SHADOW_SUFFIX}), oldest first.
   */
  List<Observation> shadowObservations(String experiment, int period);

  /**
   * For units exposed in {@code period}: those exposed in an earlier period of the same experiment
   * to a different arm than the one they see now (units re-bucketed by a change of weights).
   */
  List<String> rebucketedUnits(String experiment, int period);

  /**
   * Non-shadow exposures of one model version served at or after {@code sinceMillis}, inside an
   * experiment or not (drift of the live input), oldest first; at most {@code limit} of the newest.
   */
  List<Observation> recentObservations(String model, int version, long sinceMillis, int limit);

  /** Inserts or replaces an experiment's stored state. */
  void saveExperiment(ExperimentRecord experiment);

  Optional<ExperimentRecord> experiment(String id);

  List<ExperimentRecord> experiments();

  void appendEvent(ExperimentEvent event);

  List<ExperimentEvent> events(String experiment);

  void saveEvaluation(EvaluationRecord evaluation);

  /** Evaluations of one model (all versions), oldest first. */
  List<EvaluationRecord> evaluations(String model);

  /** Exposures stored, for tests and the crash measurement. */
  long exposureCount();

  @Override
  void close();
}
