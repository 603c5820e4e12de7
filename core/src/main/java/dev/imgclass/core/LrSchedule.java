package dev.imgclass.core;

/**
 * Linear warm-up from 0 to the peak rate, then half-cosine decay to 0 (Loshchilov and Hutter,
 * "SGDR", 2017; Goyal et al. 2017 for warm-up). A pure function of the step, so a resumed run needs
 * no schedule state. It lives in core because a run's report redraws it from {@code model.json}.
 */
public record LrSchedule(double peak, long warmupSteps, long totalSteps) {
  /** Warm-up never takes more than this share of a run, so that short runs still decay. */
  public static final double MAX_WARMUP_SHARE = 0.2;

  public LrSchedule {
    if (warmupSteps < 0 || totalSteps < 1)
      throw new IllegalArgumentException(
          "schedule needs warmupSteps >= 0 and totalSteps >= 1, got "
              + warmupSteps
              + " and "
              + totalSteps);
  }

  /**
   * The schedule of a run of {@code epochs} epochs: {@code warmupEpochs} of warm-up, capped at
   * {@link #MAX_WARMUP_SHARE} of all steps (a 1-epoch run with 1 warm-up epoch would otherwise end
   * at its peak rate, never decaying).
   */
  public static LrSchedule warmupCosine(
      double peak, double warmupEpochs, long stepsPerEpoch, long epochs) {
    long total = Math.max(1, stepsPerEpoch * epochs);
    long warmup = Math.round(warmupEpochs * stepsPerEpoch);
    long cap = (long) Math.floor(MAX_WARMUP_SHARE * total);
    return new LrSchedule(peak, Math.min(warmup, cap), total);
  }

  public double at(long step) {
    if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
    long decay = Math.max(1, totalSteps - warmupSteps);
    double t = Math.min(1.0, (double) (step - warmupSteps) / decay);
    return peak * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}
