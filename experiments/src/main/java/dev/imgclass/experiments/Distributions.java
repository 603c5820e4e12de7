package dev.imgclass.experiments;

/** The few distribution functions the statistics need, in double precision. */
public final class Distributions {
  private Distributions() {}

  /** Standard normal CDF. */
  public static double normalCdf(double z) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Standard normal quantile, p in (0, 1). */
  public static double normalQuantile(double p) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** P(X >= x) for X chi-square with {@code df} degrees of freedom. */
  public static double chiSquareSurvival(double x, int df) {
    throw new UnsupportedOperationException("not written yet");
  }
}
