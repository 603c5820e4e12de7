package dev.imgclass.experiments;

/**
 * A per-request mean (accuracy, reward) when the unit of assignment is the user: a ratio of sums
 * over units, its variance by the delta method, so several requests of one user are not counted as
 * independent.
 *
 * <p>With k units, unit i having outcome sum x_i over y_i outcomes, x̄ and ȳ the means over units,
 * r = x̄ / ȳ and s_xx, s_yy, s_xy the sample (co)variances across units (divisor k − 1), the
 * variance is (s_xx − 2 r s_xy + r² s_yy) / (k ȳ²). The numerator equals Σ (x_i − r y_i)² / (k −
 * 1), as Σ (x_i − r y_i) = 0, which is how it is computed (never negative). When every unit has one
 * outcome it is the ordinary s² / k. Fewer than two units give an infinite variance (an interval
 * with no information); no units give a NaN mean.
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
   * @throws IllegalArgumentException if the lengths differ, a count is not positive or a sum is not
   *     finite
   */
  public static UnitMean of(double[] sums, long[] counts) {
    if (sums == null || counts == null) {
      throw new IllegalArgumentException("sums and counts are required");
    }
    if (sums.length != counts.length) {
      throw new IllegalArgumentException(
          sums.length + " sums but " + counts.length + " counts: one of each per unit");
    }
    int k = sums.length;
    double sumX = 0;
    long n = 0;
    for (int i = 0; i < k; i++) {
      if (counts[i] <= 0) {
        throw new IllegalArgumentException("unit " + i + " has count " + counts[i] + ", not > 0");
      }
      if (!Double.isFinite(sums[i])) {
        throw new IllegalArgumentException("unit " + i + " has a non-finite sum " + sums[i]);
      }
      sumX += sums[i];
      n = Math.addExact(n, counts[i]);
    }
    if (k == 0) {
      return new UnitMean(Double.NaN, Double.POSITIVE_INFINITY, 0, 0);
    }
    double r = sumX / n;
    if (k < 2) {
      return new UnitMean(r, Double.POSITIVE_INFINITY, k, n);
    }
    double meanX = sumX / k;
    double meanY = (double) n / k;
    double residualSquares = 0;
    for (int i = 0; i < k; i++) {
      // (x_i − x̄) − r (y_i − ȳ) = x_i − r y_i, written centred to keep rounding small.
      double d = (sums[i] - meanX) - r * (counts[i] - meanY);
      residualSquares += d * d;
    }
    double variance = residualSquares / (k - 1) / (k * meanY * meanY);
    return new UnitMean(r, variance, k, n);
  }

  /**
   * The same estimate from running sums over units (what a database can aggregate): {@code units} =
   * k, {@code n} = Σ y_i, and Σ x_i, Σ x_i², Σ x_i y_i, Σ y_i². The numerator Σ (x_i − r y_i)² is
   * expanded as Σx² − 2r Σxy + r² Σy² (clamped at 0 against rounding), so prefer {@link #of} where
   * the per-unit values are at hand and the outcomes are far from 0 relative to their spread.
   *
   * @throws IllegalArgumentException if units or n is negative, n &lt; units, or a sum is not
   *     finite
   */
  public static UnitMean ofMoments(
      long units, long n, double sumX, double sumXX, double sumXY, double sumYY) {
    if (units < 0 || n < units || (units == 0 && n != 0)) {
      throw new IllegalArgumentException(
          "need 0 <= units <= n (every unit has an outcome), got units=" + units + " n=" + n);
    }
    if (!Double.isFinite(sumX)
        || !Double.isFinite(sumXX)
        || !Double.isFinite(sumXY)
        || !Double.isFinite(sumYY)) {
      throw new IllegalArgumentException("the sums must be finite");
    }
    if (units == 0) {
      return new UnitMean(Double.NaN, Double.POSITIVE_INFINITY, 0, 0);
    }
    double r = sumX / n;
    if (units < 2) {
      return new UnitMean(r, Double.POSITIVE_INFINITY, units, n);
    }
    double k = units;
    double meanY = n / k;
    double numerator = Math.max(0, sumXX - 2 * r * sumXY + r * r * sumYY);
    return new UnitMean(r, numerator / (k - 1) / (k * meanY * meanY), units, n);
  }

  /**
   * The estimate when every unit has exactly one outcome (so units = n), from Σ outcome and Σ
   * outcome²: mean = sum / n, variance = s² / n with s² = (sumSquares − sum² / n) / (n − 1)
   * (clamped at 0). For 0/1 outcomes sumSquares = sum. Used by running simulations that add one
   * outcome at a time.
   *
   * @throws IllegalArgumentException if n is negative or a sum is not finite
   */
  public static UnitMean ofSingleOutcomes(double sum, double sumSquares, long n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    return ofMoments(n, n, sum, sumSquares, sum, n);
  }
}
