package dev.imgclass.experiments;

/**
 * One exposure of an analysis period with its feedback, if any: what the statistics read.
 *
 * @param requestId the request
 * @param arm the arm that served it
 * @param unit the unit of assignment
 * @param predicted the predicted class index, -1 on error
 * @param confidence the predicted class's probability
 * @param latencyMicros its latency
 * @param error whether it failed
 * @param timeMillis when it was served
 * @param label the true class from feedback, or null
 * @param reward the reward from feedback, or null
 * @param feedbackMillis when the feedback arrived, or 0
 */
public record Observation(
    String requestId,
    String arm,
    String unit,
    int predicted,
    float confidence,
    long latencyMicros,
    boolean error,
    long timeMillis,
    Integer label,
    Double reward,
    long feedbackMillis) {
  public boolean labelled() {
    return label != null || reward != null;
  }

  /** 1 for a correct prediction (or the reward), 0 for a wrong one; only when labelled. */
  public double outcome() {
    if (reward != null) return reward;
    return label != null && label == predicted ? 1 : 0;
  }
}
