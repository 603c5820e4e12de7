package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DistributionsTest {
  // Reference values below come from mpmath at 30-40 significant digits (ncdf, erfinv, gammainc).

  /** |actual − expected| ≤ rel · |expected| (a relative check that also works in far tails). */
  private static void assertRelative(double actual, double expected, double rel) {
    assertThat(Math.abs(actual - expected))
        .as("actual %s, expected %s", actual, expected)
        .isLessThanOrEqualTo(rel * Math.abs(expected));
  }

  @Test
  void normal_cdf_matches_known_values() {
    assertThat(Distributions.normalCdf(1.96)).isCloseTo(0.9750021048517795, within(1e-15));
    assertThat(Distributions.normalCdf(-3)).isCloseTo(0.0013498980316301, within(1e-15));
    assertThat(Distributions.normalCdf(0)).isEqualTo(0.5);
    assertThat(Distributions.normalCdf(0.5)).isCloseTo(0.69146246127401310364, within(1e-15));
    assertThat(Distributions.normalCdf(-1)).isCloseTo(0.15865525393145705141, within(1e-15));
    assertThat(Distributions.normalCdf(-0.1)).isCloseTo(0.46017216272297101853, within(1e-15));
    assertThat(Distributions.normalCdf(2.5)).isCloseTo(0.99379033467422386483, within(1e-15));
    assertThat(Distributions.normalCdf(6)).isCloseTo(0.99999999901341235496, within(1e-15));
  }

  @Test
  void normal_cdf_keeps_relative_accuracy_in_the_lower_tail() {
    assertRelative(Distributions.normalCdf(-3), 0.0013498980316300945267, 1e-14);
    assertRelative(Distributions.normalCdf(-5), 2.8665157187919391167e-7, 1e-13);
    assertRelative(Distributions.normalCdf(-8.5), 9.4795348222033183542e-18, 1e-13);
    assertRelative(Distributions.normalCdf(-20), 2.7536241186062336951e-89, 1e-12);
    assertRelative(Distributions.normalCdf(-37.5), 4.6053530095819548438e-308, 1e-12);
  }

  @Test
  void normal_cdf_is_symmetric_monotone_and_handles_the_ends() {
    for (double z = -8; z <= 8; z += 0.01) {
      assertThat(Distributions.normalCdf(z) + Distributions.normalCdf(-z))
          .isCloseTo(1.0, within(2e-16));
      // Strictly increasing until Φ runs out of doubles below 1 (about z = 5).
      if (z < 5) {
        assertThat(Distributions.normalCdf(z + 0.01)).isGreaterThan(Distributions.normalCdf(z));
      } else {
        assertThat(Distributions.normalCdf(z + 0.01))
            .isGreaterThanOrEqualTo(Distributions.normalCdf(z));
      }
    }
    assertThat(Distributions.normalCdf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(Distributions.normalCdf(Double.NEGATIVE_INFINITY)).isEqualTo(0.0);
    assertThat(Distributions.normalCdf(-40)).isBetween(0.0, 1e-300);
    assertThat(Distributions.normalCdf(Double.NaN)).isNaN();
  }

  @Test
  void normal_quantile_matches_known_values() {
    assertThat(Distributions.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-12));
    assertThat(Distributions.normalQuantile(0.025)).isCloseTo(-1.959963984540054, within(1e-12));
    assertThat(Distributions.normalQuantile(1e-10)).isCloseTo(-6.361340902404056, within(1e-12));
    assertThat(Distributions.normalQuantile(0.5)).isEqualTo(0.0);
    assertThat(Distributions.normalQuantile(0.3)).isCloseTo(-0.52440051270804078404, within(1e-14));
    assertThat(Distributions.normalQuantile(0.9)).isCloseTo(1.281551565544600467, within(1e-14));
    assertThat(Distributions.normalQuantile(0.999)).isCloseTo(3.0902323061678135415, within(1e-13));
    assertThat(Distributions.normalQuantile(1e-5)).isCloseTo(-4.2648907939228246285, within(1e-13));
    // Acklam's switch point between the central and tail formulas.
    assertThat(Distributions.normalQuantile(0.02425))
        .isCloseTo(-1.9729610513118848503, within(1e-13));
    assertThat(Distributions.normalQuantile(1e-300)).isCloseTo(-37.047096299361, within(1e-9));
  }

  @Test
  void normal_quantile_inverts_the_cdf() {
    for (double p = 1e-12; p < 1; p = p < 0.01 ? p * 3 : p + 0.01) {
      double z = Distributions.normalQuantile(p);
      assertRelative(Distributions.normalCdf(z), p, 1e-13);
    }
    // Only up to z = 3: above it Φ(z) is too close to 1 for a double to say which z it came from.
    for (double z = -30; z <= 3; z += 0.37) {
      assertThat(Distributions.normalQuantile(Distributions.normalCdf(z)))
          .isCloseTo(z, within(1e-12 * Math.max(1, Math.abs(z))));
    }
  }

  @Test
  void normal_quantile_ends_and_refusals() {
    assertThat(Distributions.normalQuantile(0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Distributions.normalQuantile(1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThatThrownBy(() -> Distributions.normalQuantile(-0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Distributions.normalQuantile(1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Distributions.normalQuantile(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chi_square_survival_matches_known_values() {
    assertThat(Distributions.chiSquareSurvival(3.841458820694124, 1))
        .isCloseTo(0.05, within(1e-14));
    assertThat(Distributions.chiSquareSurvival(10, 3))
        .isCloseTo(0.01856613546304325, within(1e-15));
    assertThat(Distributions.chiSquareSurvival(1, 1)).isCloseTo(0.31731050786291410, within(1e-15));
    assertThat(Distributions.chiSquareSurvival(0.001, 1))
        .isCloseTo(0.974772879369960, within(1e-14));
    assertThat(Distributions.chiSquareSurvival(0.5, 4)).isCloseTo(0.973500978839256, within(1e-14));
    assertThat(Distributions.chiSquareSurvival(2, 7)).isCloseTo(0.959840368730102, within(1e-14));
    assertThat(Distributions.chiSquareSurvival(20, 10))
        .isCloseTo(0.0292526880769611, within(1e-15));
    assertRelative(Distributions.chiSquareSurvival(30, 5), 1.4748581038443052e-5, 1e-12);
    assertRelative(Distributions.chiSquareSurvival(150, 100), 9.0393204235400909e-4, 1e-11);
    assertRelative(Distributions.chiSquareSurvival(100, 1), 1.5239706048321052e-23, 1e-12);
  }

  @Test
  void chi_square_survival_far_tail_is_tiny_but_not_negative() {
    double p = Distributions.chiSquareSurvival(500, 1);
    assertRelative(p, 9.5053977665540916752e-111, 1e-11);
    assertThat(Distributions.chiSquareSurvival(2000, 1)).isEqualTo(0.0);
    assertThat(Distributions.chiSquareSurvival(1e6, 3)).isEqualTo(0.0);
    assertThat(Distributions.chiSquareSurvival(Double.POSITIVE_INFINITY, 2)).isEqualTo(0.0);
  }

  @Test
  void chi_square_survival_with_two_degrees_of_freedom_is_exp_of_minus_half_x() {
    for (double x = 0; x < 200; x += 0.731) {
      assertRelative(Distributions.chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-13);
    }
  }

  @Test
  void chi_square_survival_with_one_degree_of_freedom_is_two_normal_tails() {
    for (double z = 0.05; z < 30; z += 0.173) {
      assertRelative(
          Distributions.chiSquareSurvival(z * z, 1), 2 * Distributions.normalCdf(-z), 1e-12);
    }
  }

  @Test
  void chi_square_survival_at_zero_is_one_for_every_df_and_decreases() {
    for (int df = 1; df <= 50; df++) {
      assertThat(Distributions.chiSquareSurvival(0, df)).isEqualTo(1.0);
      assertThat(Distributions.chiSquareSurvival(-3, df)).isEqualTo(1.0);
      double previous = 1;
      for (double x = 0.25; x < 4 * df + 40; x += 0.25) {
        double q = Distributions.chiSquareSurvival(x, df);
        assertThat(q).isBetween(0.0, 1.0).isLessThanOrEqualTo(previous);
        previous = q;
      }
    }
    assertThat(Distributions.chiSquareSurvival(Double.NaN, 1)).isNaN();
    assertThatThrownBy(() -> Distributions.chiSquareSurvival(1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void incomplete_gamma_halves_add_to_one() {
    for (double a : new double[] {0.5, 1, 2.5, 7, 40}) {
      for (double x = 0.1; x < 3 * a + 20; x *= 1.7) {
        assertThat(Distributions.regularizedGammaP(a, x) + Distributions.regularizedGammaQ(a, x))
            .isCloseTo(1.0, within(1e-14));
      }
    }
  }

  @Test
  void log_gamma_matches_factorials_and_half_integers() {
    double factorial = 1;
    for (int n = 1; n <= 30; n++) {
      assertRelative(Distributions.logGamma(n + 1), Math.log(factorial *= n), 1e-14);
    }
    assertThat(Distributions.logGamma(1)).isCloseTo(0.0, within(1e-15));
    assertThat(Distributions.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-15));
    // Γ(3.5) = 15 √π / 8; Γ(0.1) from mpmath; ln Γ(100) = ln 99!.
    assertThat(Distributions.logGamma(3.5))
        .isCloseTo(Math.log(15 * Math.sqrt(Math.PI) / 8), within(1e-14));
    assertThat(Distributions.logGamma(0.1)).isCloseTo(2.2527126517342059599, within(1e-14));
    assertRelative(Distributions.logGamma(100), 359.13420536957539878, 1e-14);
    assertThatThrownBy(() -> Distributions.logGamma(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void astronomically_far_tails_are_zero_not_an_exception() {
    assertThat(Distributions.chiSquareSurvival(9.046134971314009e33, 1)).isZero();
    assertThat(Distributions.chiSquareSurvival(1e300, 3)).isZero();
    assertThat(Distributions.normalCdf(1.3e17)).isEqualTo(1.0);
    assertThat(Distributions.normalCdf(-1.3e17)).isZero();
  }
}
