package dev.imgclass.experiments;

/**
 * A per-request mean (accuracy, reward) when the unit of assignment is the user: a ratio of sums
 * over units, its variance by the delta method, so several requests of one user are not counted as
 * independent.
 *
 * @param mean sum of outcomes / number of outcomes
 * @param variance the variance of {@code mean} (not of one outcome)
 * @param units units with at least one outcome
 * @param n outcomes
 */
public record UnitMean(double mean, double variance, long units, long n) {
  /**
   * @param sums per unit, the sum of its outcomes
   * @param counts per unit, its number of outcomes (> 0)
   */
  public static UnitMean of(double[] sums, long[] counts) {
    throw new UnsupportedOperationException("not written yet");
  }
}
