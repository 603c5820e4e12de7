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
   * Σ (observed − expected)² / expected with expected_i = total · weights[i] / Σ weights, on arms −
   * 1 degrees of freedom. No units at all gives chi-square 0, p 1, no mismatch.
   *
   * @param observed units per arm
   * @param weights configured weights (any positive scale)
   * @throws IllegalArgumentException if there are fewer than two arms, the lengths differ, a count
   *     is negative or a weight is not finite and positive
   */
  public static Result test(long[] observed, double[] weights) {
    if (observed == null || weights == null) {
      throw new IllegalArgumentException("observed and weights are required");
    }
    if (observed.length != weights.length) {
      throw new IllegalArgumentException(
          observed.length + " observed counts but " + weights.length + " weights: they must match");
    }
    if (observed.length < 2) {
      throw new IllegalArgumentException("a sample-ratio test needs at least two arms");
    }
    double weightSum = 0;
    double total = 0;
    for (int i = 0; i < observed.length; i++) {
      if (observed[i] < 0) {
        throw new IllegalArgumentException("arm " + i + " has a negative count " + observed[i]);
      }
      if (!(weights[i] > 0) || Double.isInfinite(weights[i])) {
        throw new IllegalArgumentException(
            "weight of arm " + i + " must be finite and > 0, got " + weights[i]);
      }
      weightSum += weights[i];
      total += observed[i];
    }
    int df = observed.length - 1;
    if (total == 0) {
      return new Result(0, df, 1, false);
    }
    double chiSquare = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = total * (weights[i] / weightSum);
      double diff = observed[i] - expected;
      chiSquare += diff * diff / expected;
    }
    double p = Distributions.chiSquareSurvival(chiSquare, df);
    return new Result(chiSquare, df, p, p < THRESHOLD);
  }
}
