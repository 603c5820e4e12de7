package dev.imgclass.experiments;

/**
 * One served prediction (every prediction is one, inside an experiment or not): who was served
 * ({@code unit}), by which arm and model version, what it answered and how fast. The request id is
 * the key feedback attaches to.
 *
 * @param requestId the server's request id (unique); a shadow's copy of request {@code ID} is
 *     {@code ID~shadow} and is joined to the feedback of {@code ID}
 * @param experiment the experiment id, or null for a prediction outside any experiment
 * @param period the experiment's analysis period (a change of weights starts a new one); 0 outside
 * @param arm the arm's name, or null outside an experiment
 * @param unit the unit of assignment (user id, device id, ...), or null when the request had none
 * @param model the model name that served it
 * @param version the model version that served it
 * @param predicted the predicted class index, or -1 when the request failed
 * @param confidence the predicted class's probability (0 when it failed)
 * @param latencyMicros arrival to response built, in microseconds
 * @param timeMillis when it was served, epoch milliseconds
 * @param shadow a mirrored request whose answer was not returned
 * @param error the request failed (an error response, a timeout)
 */
public record Exposure(
    String requestId,
    String experiment,
    int period,
    String arm,
    String unit,
    String model,
    int version,
    int predicted,
    float confidence,
    long latencyMicros,
    long timeMillis,
    boolean shadow,
    boolean error) {
  /** What a shadow exposure's request id ends with. */
  public static final String SHADOW_SUFFIX = "~shadow";

  /**
   * The exposure of one answered input: the top class of {@code logits} and its softmax probability
   * (computed in one pass, nothing allocated). A counted {@code route} names the experiment, period
   * and arm (the shadow's arm when {@code shadow}); without one, or uncounted, the prediction is
   * logged outside any experiment. A shadow's id gets {@link #SHADOW_SUFFIX}.
   */
  public static Exposure answered(
      String requestId,
      Route route,
      boolean shadow,
      String unit,
      String model,
      int version,
      float[] logits,
      long latencyMicros,
      long timeMillis) {
    int best = 0;
    for (int j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
    double sum = 0;
    for (float l : logits) sum += Math.exp(l - logits[best]);
    boolean counted = route != null && route.counted();
    return new Exposure(
        shadow ? requestId + SHADOW_SUFFIX : requestId,
        counted ? route.experiment() : null,
        counted ? route.period() : 0,
        counted ? (shadow ? route.shadow().name() : route.arm()) : null,
        unit,
        model,
        version,
        best,
        (float) (1 / sum),
        latencyMicros,
        timeMillis,
        shadow,
        false);
  }

  /** A counted request that failed on its arm: no prediction, counted by the guardrails. */
  public static Exposure failed(
      String requestId, Route route, String unit, long latencyMicros, long timeMillis) {
    return new Exposure(
        requestId,
        route.experiment(),
        route.period(),
        route.arm(),
        unit,
        route.model(),
        route.version(),
        -1,
        0f,
        latencyMicros,
        timeMillis,
        false,
        true);
  }
}
