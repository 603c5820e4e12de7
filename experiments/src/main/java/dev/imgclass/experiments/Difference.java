package dev.imgclass.experiments;

/**
 * The difference treatment − control of a mean, with an interval and a two-sided p-value: either
 * fixed-horizon (valid only when looked at once, at a sample size fixed in advance) or always valid
 * (an asymptotic confidence sequence: valid however often it is looked at).
 *
 * <p>Both use se = sqrt(treatment.variance + control.variance). When se is infinite or NaN (an arm
 * with fewer than two units) the interval is (−∞, ∞) and p = 1; when se = 0 (both arms constant)
 * the interval is the point estimate and p is 0, or 1 for an estimate of exactly 0.
 *
 * @param estimate treatment.mean − control.mean
 * @param low the interval's lower end
 * @param high the interval's upper end
 * @param pValue two-sided; below alpha exactly when the interval excludes 0
 */
public record Difference(double estimate, double low, double high, double pValue) {
  /**
   * Two-sided z-test and (1 − alpha) interval, looked at once: z = estimate / se, p = 2 (1 −
   * Φ(|z|)), interval estimate ± Φ⁻¹(1 − alpha/2) · se.
   *
   * @throws IllegalArgumentException if alpha is not in (0, 1)
   */
  public static Difference fixedHorizon(UnitMean treatment, UnitMean control, double alpha) {
    checkAlpha(alpha);
    double estimate = treatment.mean() - control.mean();
    double se = Math.sqrt(treatment.variance() + control.variance());
    if (Double.isNaN(estimate) || !Double.isFinite(se)) {
      return uninformative(estimate);
    }
    if (se == 0) {
      return exact(estimate);
    }
    double z = Math.abs(estimate) / se;
    double p = Math.min(1, 2 * Distributions.normalCdf(-z));
    double half = -Distributions.normalQuantile(alpha / 2) * se;
    return new Difference(estimate, estimate - half, estimate + half, p);
  }

  /**
   * The asymptotic confidence sequence (Waudby-Smith et al. 2023, as GrowthBook uses it), tightest
   * at {@code tuning} total outcomes (GrowthBook's default 5,000), and its always-valid p-value:
   * the smallest alpha whose sequence excludes 0 at this sample size.
   *
   * <p>With N = treatment.n + control.n outcomes, the per-observation scale σ = se · sqrt(N), and ρ
   * = sqrt((−2 ln α + ln(−2 ln α + 1)) / tuning) (the paper's choice making the sequence tightest
   * at N = tuning), the half-width is
   *
   * <pre>σ · sqrt( 2 (N ρ² + 1) / (N² ρ²) · ln( sqrt(N ρ² + 1) / α ) )</pre>
   *
   * which is the paper's two-sided asymptotic sequence and GrowthBook's {@code
   * sequential_interval_halfwidth} (with s² = se² · N). It equals se · m with m² = 2 (u + 1) / u ·
   * (ln(u + 1) / 2 − ln α), u = N ρ², so N enters only through u.
   *
   * <p>The p-value is the smallest α' whose own sequence (ρ recomputed from α') excludes 0 at this
   * N, found by bisection on ln α' to 1e-13 (m grows as α' shrinks, so the sequences are nested:
   * checked numerically for N / tuning from 0.001 to 10,000); it is 1 when even the α' → 1 limit,
   * m² = 1 + tuning / (2N), keeps 0 inside, and it does not depend on {@code alpha}. GrowthBook
   * instead keeps ρ at the configured alpha and reports the closed form min(1, sqrt(u + 1) ·
   * exp(−z² u / (2 (u + 1)))) (z = estimate / se); both are below alpha exactly when this interval
   * excludes 0, so they reach the same decisions at alpha, and differ only in the value shown
   * elsewhere.
   *
   * @throws IllegalArgumentException if alpha is not in (0, 1) or tuning is not finite and &gt; 0
   */
  public static Difference sequential(
      UnitMean treatment, UnitMean control, double alpha, double tuning) {
    checkAlpha(alpha);
    if (!(tuning > 0) || Double.isInfinite(tuning)) {
      throw new IllegalArgumentException("tuning must be finite and > 0, got " + tuning);
    }
    double estimate = treatment.mean() - control.mean();
    double se = Math.sqrt(treatment.variance() + control.variance());
    double n = (double) treatment.n() + (double) control.n();
    if (Double.isNaN(estimate) || !Double.isFinite(se) || !(n > 0)) {
      return uninformative(estimate);
    }
    if (se == 0) {
      return exact(estimate);
    }
    double half = se * sequentialMultiplier(-Math.log(alpha), n, tuning);
    double p = sequentialPValue(Math.abs(estimate) / se, n, tuning);
    return new Difference(estimate, estimate - half, estimate + half, p);
  }

  /** Below this ln(1/α) the α → 1 limit of the multiplier is used (the formula is 0/0 there). */
  private static final double LIMIT_BELOW = 1e-15;

  /** The p-value bisection stops when the bracket on ln(1/α) is this narrow. */
  private static final double LOG_TOLERANCE = 1e-13;

  /** Beyond this ln(1/α) the p-value underflows: exp(−800) is 0 in double precision. */
  private static final double LOG_CAP = 800;

  /**
   * The sequence's half-width divided by se, at level α = exp(−logInverseAlpha), n total outcomes
   * and the given tuning.
   */
  static double sequentialMultiplier(double logInverseAlpha, double n, double tuning) {
    double l = logInverseAlpha;
    if (l < LIMIT_BELOW) {
      return Math.sqrt(1 + tuning / (2 * n));
    }
    double u = n * ((2 * l + Math.log1p(2 * l)) / tuning);
    return Math.sqrt(2 * (u + 1) / u * (0.5 * Math.log1p(u) + l));
  }

  /** The smallest α whose sequence (its own ρ) excludes 0, for z = |estimate| / se. */
  static double sequentialPValue(double z, double n, double tuning) {
    if (!(z > sequentialMultiplier(0, n, tuning))) {
      return 1;
    }
    // Invariant: m(lo) < z (excludes 0), m(hi) >= z (keeps it). m(L)² > 2 L, so L = z²/2 keeps 0.
    double lo = 0;
    double hi = Math.min(0.5 * z * z, LOG_CAP);
    if (sequentialMultiplier(hi, n, tuning) < z) {
      return 0;
    }
    for (int i = 0; i < 200 && hi - lo > LOG_TOLERANCE; i++) {
      double mid = 0.5 * (lo + hi);
      if (sequentialMultiplier(mid, n, tuning) < z) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return Math.exp(-0.5 * (lo + hi));
  }

  private static void checkAlpha(double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
  }

  private static Difference uninformative(double estimate) {
    return new Difference(estimate, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1);
  }

  private static Difference exact(double estimate) {
    return new Difference(estimate, estimate, estimate, estimate == 0 ? 1 : 0);
  }
}
