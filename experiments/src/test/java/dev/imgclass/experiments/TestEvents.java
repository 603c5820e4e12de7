package dev.imgclass.experiments;

/** Exposures and feedback for tests. */
final class TestEvents {
  private TestEvents() {}

  /** A non-shadow, successful exposure of model {@code m} v1 inside an experiment. */
  static Exposure exposure(
      String requestId, String experiment, int period, String arm, String unit, long time) {
    return new Exposure(
        requestId, experiment, period, arm, unit, "m", 1, 3, 0.75f, 1200, time, false, false);
  }

  /** An exposure outside any experiment. */
  static Exposure plain(String requestId, String model, int version, long time) {
    return new Exposure(
        requestId, null, 0, null, null, model, version, 2, 0.5f, 900, time, false, false);
  }

  static Exposure shadow(Exposure e) {
    return new Exposure(
        e.requestId(),
        e.experiment(),
        e.period(),
        e.arm(),
        e.unit(),
        e.model(),
        e.version(),
        e.predicted(),
        e.confidence(),
        e.latencyMicros(),
        e.timeMillis(),
        true,
        e.error());
  }

  static Feedback label(String requestId, int label, long time) {
    return new Feedback(requestId, label, null, time);
  }

  static Feedback reward(String requestId, double reward, long time) {
    return new Feedback(requestId, null, reward, time);
  }
}
