package dev.imgclass.experiments;

import java.util.List;
import java.util.Optional;

/** An {@link EventStore} that hands every call to another; tests override what they disturb. */
class ForwardingEventStore implements EventStore {
  final EventStore delegate;

  ForwardingEventStore(EventStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public int schemaVersion() {
    return delegate.schemaVersion();
  }

  @Override
  public void insertExposures(List<Exposure> exposures) {
    delegate.insertExposures(exposures);
  }

  @Override
  public void insertFeedback(List<Feedback> feedback) {
    delegate.insertFeedback(feedback);
  }

  @Override
  public Optional<Exposure> exposure(String requestId) {
    return delegate.exposure(requestId);
  }

  @Override
  public boolean hasFeedback(String requestId) {
    return delegate.hasFeedback(requestId);
  }

  @Override
  public List<Observation> observations(String experiment, int period) {
    return delegate.observations(experiment, period);
  }

  @Override
  public List<Observation> shadowObservations(String experiment, int period) {
    return delegate.shadowObservations(experiment, period);
  }

  @Override
  public List<String> rebucketedUnits(String experiment, int period) {
    return delegate.rebucketedUnits(experiment, period);
  }

  @Override
  public List<Observation> recentObservations(
      String model, int version, long sinceMillis, int limit) {
    return delegate.recentObservations(model, version, sinceMillis, limit);
  }

  @Override
  public void saveExperiment(ExperimentRecord experiment) {
    delegate.saveExperiment(experiment);
  }

  @Override
  public Optional<ExperimentRecord> experiment(String id) {
    return delegate.experiment(id);
  }

  @Override
  public List<ExperimentRecord> experiments() {
    return delegate.experiments();
  }

  @Override
  public void appendEvent(ExperimentEvent event) {
    delegate.appendEvent(event);
  }

  @Override
  public List<ExperimentEvent> events(String experiment) {
    return delegate.events(experiment);
  }

  @Override
  public void saveEvaluation(EvaluationRecord evaluation) {
    delegate.saveEvaluation(evaluation);
  }

  @Override
  public List<EvaluationRecord> evaluations(String model) {
    return delegate.evaluations(model);
  }

  @Override
  public long exposureCount() {
    return delegate.exposureCount();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
