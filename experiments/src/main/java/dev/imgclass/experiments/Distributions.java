package dev.imgclass.experiments;

/**
 * The few distribution functions the statistics need, in double precision.
 *
 * <p>Everything rests on the regularized incomplete gamma function: P(a, x) by its power series
 * where x &lt; a + 1, Q(a, x) = 1 − P(a, x) by its continued fraction (modified Lentz) elsewhere,
 * each computed directly (never as 1 minus a number close to 1) so tails keep their relative
 * accuracy. ln Γ is Lanczos' approximation (g = 7, 9 terms, about 1e-15 relative). The normal CDF
 * is erfc written as an incomplete gamma: erfc(x) = Q(1/2, x²) for x ≥ 0.
 */
public final class Distributions {
  private Distributions() {}

  private static final double LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
  private static final double EPS = 1e-16;
  private static final double TINY = 1e-300;
  private static final int MAX_ITERATIONS = 1_000_000;

  /**
   * Standard normal CDF Φ(z): absolute error below 1e-15, relative error below about 2e-13 in the
   * lower tail (measured against 30-digit values down to z = −38). NaN gives NaN.
   */
  public static double normalCdf(double z) {
    if (Double.isNaN(z)) {
      return Double.NaN;
    }
    if (z == Double.POSITIVE_INFINITY) {
      return 1.0;
    }
    if (z == Double.NEGATIVE_INFINITY) {
      return 0.0;
    }
    double x = 0.5 * z * z;
    // Φ(z) = 1/2 ± P(1/2, z²/2) / 2 near the centre, Q(1/2, z²/2) / 2 (or 1 minus it) in the tails.
    if (x < 1.5) {
      double half = 0.5 * lowerSeries(0.5, x);
      return z < 0 ? 0.5 - half : 0.5 + half;
    }
    double tail = farTail(0.5, x) ? 0.0 : 0.5 * upperFraction(0.5, x);
    return z < 0 ? tail : 1.0 - tail;
  }

  /**
   * Standard normal quantile Φ⁻¹(p), p in (0, 1) (0 and 1 give −∞ and +∞): Acklam's rational
   * approximation (relative error 1.15e-9) refined by one Halley step on {@link #normalCdf}: error
   * about 1e-15 · max(1, |x|) for p ≥ 1e-300. The upper half is computed as −Φ⁻¹(1 − p), 1 − p
   * being exact there.
   *
   * @throws IllegalArgumentException if p is NaN or outside [0, 1]
   */
  public static double normalQuantile(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("p must be in [0, 1], got " + p);
    }
    if (p == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (p == 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (p > 0.5) {
      return -lowerHalfQuantile(1.0 - p);
    }
    return lowerHalfQuantile(p);
  }

  /** Φ⁻¹(p) for 0 &lt; p ≤ 1/2. */
  private static double lowerHalfQuantile(double p) {
    double x = acklam(p);
    // Halley's step for f(x) = Φ(x) − p: u = f / f', x -= u / (1 + x u / 2). Skipped where
    // exp(x²/2) would overflow (p below ~1e-300), leaving Acklam's 1e-9.
    if (x > -37.5) {
      double e = normalCdf(x) - p;
      double u = e * SQRT_2PI * Math.exp(0.5 * x * x);
      x = x - u / (1 + 0.5 * x * u);
    }
    return x;
  }

  // Acklam's coefficients: central region numerator (A) and denominator (B), tails (C, D).
  private static final double[] A = {
    -3.969683028665376e+01,
    2.209460984245205e+02,
    -2.759285104469687e+02,
    1.383577518672690e+02,
    -3.066479806614716e+01,
    2.506628277459239e+00
  };
  private static final double[] B = {
    -5.447609879822406e+01,
    1.615858368580409e+02,
    -1.556989798598866e+02,
    6.680131188771972e+01,
    -1.328068155288572e+01
  };
  private static final double[] C = {
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e+00,
    -2.549732539343734e+00,
    4.374664141464968e+00,
    2.938163982698783e+00
  };
  private static final double[] D = {
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
  };
  private static final double ACKLAM_LOW = 0.02425;

  /** Acklam's approximation for 0 &lt; p ≤ 1/2. */
  private static double acklam(double p) {
    if (p < ACKLAM_LOW) {
      double q = Math.sqrt(-2 * Math.log(p));
      return horner(C, q) / (horner(D, q) * q + 1);
    }
    double q = p - 0.5;
    double r = q * q;
    return horner(A, r) * q / (horner(B, r) * r + 1);
  }

  /** c[0] x^(n-1) + ... + c[n-1]. */
  private static double horner(double[] c, double x) {
    double s = c[0];
    for (int i = 1; i < c.length; i++) {
      s = s * x + c[i];
    }
    return s;
  }

  /**
   * P(X ≥ x) for X chi-square with {@code df} degrees of freedom: the regularized upper incomplete
   * gamma Q(df/2, x/2). x ≤ 0 gives 1, +∞ gives 0, NaN gives NaN; never negative (far tails
   * underflow to 0). Relative error about 1e-13 for df up to a few hundred.
   *
   * @throws IllegalArgumentException if df &lt; 1
   */
  public static double chiSquareSurvival(double x, int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
    }
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x <= 0) {
      return 1.0;
    }
    if (x == Double.POSITIVE_INFINITY) {
      return 0.0;
    }
    return regularizedGammaQ(0.5 * df, 0.5 * x);
  }

  /** Q(a, x) = Γ(a, x) / Γ(a) for a &gt; 0, x ≥ 0. */
  static double regularizedGammaQ(double a, double x) {
    if (x <= 0) {
      return 1.0;
    }
    if (x < a + 1) {
      return 1.0 - lowerSeries(a, x);
    }
    if (farTail(a, x)) {
      return 0.0;
    }
    return upperFraction(a, x);
  }

  /**
   * Whether Q(a, x) underflows: for x ≥ a + 1 it is below its prefactor x^a e^(−x) / Γ(a), and past
   * exp(−745) that is 0 in double precision. It also keeps the continued fraction away from x so
   * large that {@code x + 2} rounds to x, where it would never converge.
   */
  private static boolean farTail(double a, double x) {
    return a * Math.log(x) - x - logGamma(a) < -745;
  }

  /** P(a, x) = γ(a, x) / Γ(a) for a &gt; 0, x ≥ 0. */
  static double regularizedGammaP(double a, double x) {
    if (x <= 0) {
      return 0.0;
    }
    if (x < a + 1) {
      return lowerSeries(a, x);
    }
    if (farTail(a, x)) {
      return 1.0;
    }
    return 1.0 - upperFraction(a, x);
  }

  /** x^a e^(−x) / Γ(a), in logs so large a and x do not overflow. */
  private static double prefactor(double a, double x) {
    return Math.exp(a * Math.log(x) - x - logGamma(a));
  }

  /**
   * P(a, x) by the series e^(−x) x^a / Γ(a + 1) · Σ_{n≥0} x^n / ((a + 1) ··· (a + n)); converges
   * fast for x &lt; a + 1.
   */
  private static double lowerSeries(double a, double x) {
    if (x == 0) {
      return 0.0;
    }
    double term = 1.0 / a;
    double sum = term;
    for (int n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) {
        return sum * prefactor(a, x);
      }
    }
    throw new ArithmeticException("incomplete gamma series did not converge: a=" + a + " x=" + x);
  }

  /**
   * Q(a, x) by the continued fraction e^(−x) x^a / Γ(a) · 1 / (x + 1 − a − 1(1 − a) / (x + 3 − a −
   * 2(2 − a) / (x + 5 − a − ...))), evaluated forwards by the modified Lentz method; converges fast
   * for x ≥ a + 1.
   */
  private static double upperFraction(double a, double x) {
    double b = x + 1 - a;
    double c = 1 / TINY;
    double d = 1 / b;
    double f = d;
    for (int i = 1; i < MAX_ITERATIONS; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < TINY) {
        d = TINY;
      }
      c = b + an / c;
      if (Math.abs(c) < TINY) {
        c = TINY;
      }
      d = 1 / d;
      double delta = d * c;
      f *= delta;
      if (Math.abs(delta - 1) < EPS) {
        return f * prefactor(a, x);
      }
    }
    throw new ArithmeticException("incomplete gamma fraction did not converge: a=" + a + " x=" + x);
  }

  // Lanczos coefficients for g = 7, n = 9.
  private static final double LANCZOS_G = 7;
  private static final double[] LANCZOS = {
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7
  };

  /**
   * ln Γ(x) for x &gt; 0 (Lanczos, g = 7; reflection below 1/2).
   *
   * @throws IllegalArgumentException if x is not positive and finite
   */
  static double logGamma(double x) {
    if (!(x > 0) || Double.isInfinite(x)) {
      throw new IllegalArgumentException("logGamma needs a positive finite argument, got " + x);
    }
    if (x < 0.5) {
      // Γ(x) Γ(1 − x) = π / sin(πx)
      return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
    }
    double y = x - 1;
    double series = LANCZOS[0];
    for (int k = 1; k < LANCZOS.length; k++) {
      series += LANCZOS[k] / (y + k);
    }
    double t = y + LANCZOS_G + 0.5;
    return LN_SQRT_2PI + (y + 0.5) * Math.log(t) - t + Math.log(series);
  }
}
