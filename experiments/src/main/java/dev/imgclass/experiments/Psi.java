package dev.imgclass.experiments;

/**
 * Population stability index, {@code sum (a - e) ln(a / e)} over bins of two distributions, with
 * empty bins smoothed so it stays finite. Rule of thumb: &lt; 0.1 stable, 0.1-0.25 moderate, &gt;
 * 0.25 a shift.
 */
public final class Psi {
  public static final double SMOOTHING = 1e-4;

  private Psi() {}

  /**
   * PSI of {@code actual} against {@code expected}, both counts (or shares) per bin. Each is scaled
   * to shares summing to 1, shares below {@link #SMOOTHING} are raised to it and the shares scaled
   * to sum 1 again; then Σ (a − e) ln(a / e), which is ≥ 0 and 0 for identical distributions.
   *
   * @throws IllegalArgumentException if the lengths differ or are 0, a value is negative or not
   *     finite, or either total is 0
   */
  public static double of(double[] expected, double[] actual) {
    if (expected == null || actual == null) {
      throw new IllegalArgumentException("expected and actual are required");
    }
    if (expected.length != actual.length) {
      throw new IllegalArgumentException(
          expected.length + " expected bins but " + actual.length + " actual: they must match");
    }
    if (expected.length == 0) {
      throw new IllegalArgumentException("at least one bin is needed");
    }
    double[] e = smoothedShares(expected, "expected");
    double[] a = smoothedShares(actual, "actual");
    double psi = 0;
    for (int i = 0; i < e.length; i++) {
      psi += (a[i] - e[i]) * Math.log(a[i] / e[i]);
    }
    return psi;
  }

  private static double[] smoothedShares(double[] counts, String name) {
    double total = 0;
    for (int i = 0; i < counts.length; i++) {
      double c = counts[i];
      if (!(c >= 0) || Double.isInfinite(c)) {
        throw new IllegalArgumentException(
            name + " bin " + i + " must be finite and >= 0, got " + c);
      }
      total += c;
    }
    if (!(total > 0) || Double.isInfinite(total)) {
      throw new IllegalArgumentException(name + " must have a positive finite total, got " + total);
    }
    double[] shares = new double[counts.length];
    double smoothedTotal = 0;
    for (int i = 0; i < counts.length; i++) {
      shares[i] = Math.max(counts[i] / total, SMOOTHING);
      smoothedTotal += shares[i];
    }
    for (int i = 0; i < shares.length; i++) {
      shares[i] /= smoothedTotal;
    }
    return shares;
  }

  /**
   * Counts of values in [0, 1] in {@code bins} equal bins (1.0 goes in the last). Bin i holds [i /
   * bins, (i + 1) / bins), computed as floor(value · bins) on the float's exact value.
   *
   * @throws IllegalArgumentException if bins &lt; 1, or a value is NaN or outside [0, 1]
   */
  public static double[] histogram01(float[] values, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    }
    if (values == null) {
      throw new IllegalArgumentException("values are required");
    }
    double[] counts = new double[bins];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("value " + i + " must be in [0, 1], got " + v);
      }
      int bin = (int) Math.min(bins - 1, Math.floor((double) v * bins));
      counts[bin]++;
    }
    return counts;
  }
}
