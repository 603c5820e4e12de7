package dev.imgclass.experiments;

import java.util.List;
import java.util.Optional;

/** {@link EventStore} over JDBC: SQLite (WAL) or PostgreSQL, schema from versioned SQL. */
final class JdbcEventStore implements EventStore {
  static EventStore open(String location) {
    throw new UnsupportedOperationException("not written yet");
  }

  private JdbcEventStore() {}

  @Override
  public int schemaVersion() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void insertExposures(List<Exposure> exposures) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void insertFeedback(List<Feedback> feedback) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<Exposure> exposure(String requestId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean hasFeedback(String requestId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Observation> observations(String experiment, int period) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Observation> shadowObservations(String experiment, int period) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<String> rebucketedUnits(String experiment, int period) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Observation> recentObservations(
      String model, int version, long sinceMillis, int limit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void saveExperiment(ExperimentRecord experiment) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<ExperimentRecord> experiment(String id) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ExperimentRecord> experiments() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void appendEvent(ExperimentEvent event) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ExperimentEvent> events(String experiment) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void saveEvaluation(EvaluationRecord evaluation) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<EvaluationRecord> evaluations(String model) {
    throw new UnsupportedOperationException();
  }

  @Override
  public long exposureCount() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
