package dev.imgclass.experiments;

/**
 * Sample-ratio mismatch: Pearson's chi-square test of the units each arm received against the
 * configured weights, flagged at p below {@link #THRESHOLD} (GrowthBook's and Statsig's).
 */
public final class Srm {
  public static final double THRESHOLD = 0.001;

  private Srm() {}

  /**
   * @param mismatch {@code pValue < THRESHOLD}
   */
  public record Result(double chiSquare, int degreesOfFreedom, double pValue, boolean mismatch) {}

  /**
   * @param observed units per arm; @param weights configured weights (any positive scale)
   */
  public static Result test(long[] observed, double[] weights) {
    throw new UnsupportedOperationException("not written yet");
  }
}
