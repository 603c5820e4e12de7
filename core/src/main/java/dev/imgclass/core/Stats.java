package dev.imgclass.core;

/**
 * Small-sample statistics for comparing classifiers: the Wilson score interval for an accuracy
 * (Wilson 1927; Brown, Cai and DasGupta 2001 recommend it over the normal approximation) and
 * McNemar's exact test on paired predictions (McNemar 1947; the exact binomial form as in
 * Dietterich 1998).
 */
public final class Stats {
  /** The 0.975 quantile of the standard normal distribution: two-sided 95% intervals. */
  static final double Z95 = 1.959963984540054;

  private Stats() {}

  /** A closed interval of proportions. */
  public record Interval(double low, double high) {}

  /** Wilson score 95% interval for {@code successes} out of {@code n} trials. */
  public static Interval wilson(long successes, long n) {
    if (n <= 0) return new Interval(0, 1);
    if (successes < 0 || successes > n) {
      throw new IllegalArgumentException(successes + " successes out of " + n + " trials");
    }
    double p = (double) successes / n;
    double z2 = Z95 * Z95;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = Z95 / (1 + z2 / n) * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * Two-sided p-value of McNemar's exact test: under "both models are equally good", each of the
   * {@code b + c} discordant images (only A right: b, only B right: c) is equally likely to go
   * either way, so {@code p = min(1, 2 P(X <= min(b, c)))} with {@code X ~ Bin(b + c, 1/2)}.
   */
  public static double mcnemarExactP(long b, long c) {
    if (b < 0 || c < 0) throw new IllegalArgumentException("negative counts " + b + ", " + c);
    return Math.min(1.0, 2 * binomialCdfHalf(Math.min(b, c), b + c));
  }

  /**
   * {@code P(X <= k)} for {@code X ~ Bin(n, 1/2)}, summed in log space so large n cannot overflow.
   */
  static double binomialCdfHalf(long k, long n) {
    if (k >= n) return 1.0;
    double logHalfN = -n * Math.log(2);
    double logChoose = 0; // log C(n, 0)
    double max = logChoose + logHalfN;
    double sum = 0; // sum of exp(term - max), terms grow with i for i <= n/2
    double[] terms = new double[(int) k + 1];
    for (int i = 0; i <= k; i++) {
      if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
      terms[i] = logChoose + logHalfN;
      max = Math.max(max, terms[i]);
    }
    for (double t : terms) sum += Math.exp(t - max);
    return Math.min(1.0, Math.exp(max + Math.log(sum)));
  }
}
