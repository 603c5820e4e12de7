package dev.imgclass.experiments;

/**
 * The difference treatment − control of a mean, with an interval and a two-sided p-value: either
 * fixed-horizon (valid only when looked at once, at a sample size fixed in advance) or always valid
 * (an asymptotic confidence sequence: valid however often it is looked at).
 */
public record Difference(double estimate, double low, double high, double pValue) {
  /** Two-sided z-test and (1 − alpha) interval, looked at once. */
  public static Difference fixedHorizon(UnitMean treatment, UnitMean control, double alpha) {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * The asymptotic confidence sequence (Waudby-Smith et al. 2023, as GrowthBook uses it), tightest
   * at {@code tuning} total outcomes (GrowthBook's default 5,000), and its always-valid p-value:
   * the smallest alpha whose sequence excludes 0 at this sample size.
   */
  public static Difference sequential(
      UnitMean treatment, UnitMean control, double alpha, double tuning) {
    throw new UnsupportedOperationException("not written yet");
  }
}
