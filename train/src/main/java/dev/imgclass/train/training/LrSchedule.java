package dev.imgclass.train.training;

/**
 * Linear warm-up from 0 to the peak rate, then half-cosine decay to 0 (Loshchilov and Hutter,
 * "SGDR", 2017; Goyal et al. 2017 for warm-up). A pure function of the step, so a resumed run needs
 * no schedule state.
 */
public record LrSchedule(double peak, long warmupSteps, long totalSteps) {
  public double at(long step) {
    if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
    long decay = Math.max(1, totalSteps - warmupSteps);
    double t = Math.min(1.0, (double) (step - warmupSteps) / decay);
    return peak * 0.5 * (1 + Math.cos(Math.PI * t));
  }
}
