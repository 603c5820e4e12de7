package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DifferenceTest {
  private static final double TUNING = 5_000;
  private static final double Z975 = 1.959963984540054;

  /** An arm of n 0/1 outcomes, one per unit, whose observed rate is exactly {@code rate}. */
  private static UnitMean arm(double rate, long n) {
    return new UnitMean(rate, rate * (1 - rate) / n, n, n);
  }

  private static boolean excludesZero(Difference d) {
    return d.low() > 0 || d.high() < 0;
  }

  @Test
  void fixed_horizon_is_the_two_sided_z_test() {
    UnitMean t = new UnitMean(0.6, 0.0004, 1_000, 1_000);
    UnitMean c = new UnitMean(0.5, 0.0005, 1_000, 1_000);
    Difference d = Difference.fixedHorizon(t, c, 0.05);
    // se = sqrt(0.0009) = 0.03, z = 0.1 / 0.03 = 3.33..., p = 2 Φ(−3.33...) (mpmath).
    assertThat(d.estimate()).isCloseTo(0.1, within(1e-15));
    assertThat(d.pValue()).isCloseTo(8.5812066639367496e-4, within(1e-15));
    assertThat(d.low()).isCloseTo(0.1 - Z975 * 0.03, within(1e-14));
    assertThat(d.high()).isCloseTo(0.1 + Z975 * 0.03, within(1e-14));
    Difference d99 = Difference.fixedHorizon(t, c, 0.01);
    assertThat(d99.high() - d99.estimate()).isCloseTo(2.5758293035489004 * 0.03, within(1e-14));
    assertThat(d99.pValue()).isEqualTo(d.pValue());
  }

  @Test
  void fixed_horizon_p_at_zero_effect_is_one() {
    Difference d = Difference.fixedHorizon(arm(0.9, 100), arm(0.9, 100), 0.05);
    assertThat(d.estimate()).isZero();
    assertThat(d.pValue()).isEqualTo(1.0);
  }

  @Test
  void no_information_gives_an_infinite_interval_and_p_one() {
    UnitMean one = UnitMean.of(new double[] {1}, new long[] {1});
    UnitMean none = UnitMean.of(new double[0], new long[0]);
    UnitMean many = arm(0.5, 1_000);
    for (Difference d :
        new Difference[] {
          Difference.fixedHorizon(one, many, 0.05),
          Difference.sequential(one, many, 0.05, TUNING),
          Difference.fixedHorizon(many, none, 0.05),
          Difference.sequential(none, many, 0.05, TUNING)
        }) {
      assertThat(d.low()).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(d.high()).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(d.pValue()).isEqualTo(1.0);
    }
  }

  @Test
  void zero_variance_arms_give_a_point_interval() {
    UnitMean allRight = UnitMean.ofSingleOutcomes(50, 50, 50);
    UnitMean allWrong = UnitMean.ofSingleOutcomes(0, 0, 50);
    for (Difference d :
        new Difference[] {
          Difference.fixedHorizon(allRight, allRight, 0.05),
          Difference.sequential(allRight, allRight, 0.05, TUNING)
        }) {
      assertThat(d.estimate()).isZero();
      assertThat(d.low()).isZero();
      assertThat(d.high()).isZero();
      assertThat(d.pValue()).isEqualTo(1.0);
    }
    Difference d = Difference.sequential(allRight, allWrong, 0.05, TUNING);
    assertThat(d.estimate()).isEqualTo(1.0);
    assertThat(d.low()).isEqualTo(1.0);
    assertThat(d.pValue()).isZero();
  }

  @Test
  void at_the_tuning_sample_size_the_sequence_is_a_bounded_factor_wider() {
    // By hand, α = 0.05, N = N*: u = N ρ² = −2 ln α + ln(1 − 2 ln α) = 5.991465 + 1.944690
    // = 7.936155; m² = 2 (u + 1) / u · (ln(u + 1) / 2 + ln 20) = 2.252011 · (1.095053 + 2.995732)
    // = 9.212494; m = 3.035209 against z = 1.959964 for the fixed horizon: ratio 1.548604.
    UnitMean t = arm(0.93, 2_500);
    UnitMean c = arm(0.92, 2_500);
    Difference fixed = Difference.fixedHorizon(t, c, 0.05);
    Difference sequential = Difference.sequential(t, c, 0.05, TUNING);
    double ratio = (sequential.high() - sequential.estimate()) / (fixed.high() - fixed.estimate());
    System.out.printf("sequential / fixed half-width at N = tuning, alpha 0.05: %.6f%n", ratio);
    assertThat(ratio).isBetween(1.5, 2.5);
    assertThat(ratio).isCloseTo(1.5486044714686569, within(1e-12));
    // The ratio at N = tuning does not depend on N* itself.
    assertThat(
            Difference.sequentialMultiplier(-Math.log(0.05), 123_456, 123_456)
                / Difference.sequentialMultiplier(-Math.log(0.05), 77, 77))
        .isCloseTo(1, within(1e-14));
  }

  @Test
  void the_sequence_is_wider_than_the_fixed_interval_everywhere_and_tightest_near_tuning() {
    for (double alpha : new double[] {0.01, 0.05, 0.1, 0.2}) {
      double z = -Distributions.normalQuantile(alpha / 2);
      double l = -Math.log(alpha);
      for (double n = 10; n < 1e8; n *= 1.3) {
        assertThat(Difference.sequentialMultiplier(l, n, TUNING)).isGreaterThan(z);
      }
    }
    // The per-observation width se·sqrt(N)·m(N) — the σ-scale of the sequence — is smallest around
    // N = tuning: m·sqrt(N) / N relative to 1/sqrt(N) means m is minimal near there.
    double l = -Math.log(0.05);
    double atTuning = Difference.sequentialMultiplier(l, TUNING, TUNING);
    assertThat(Difference.sequentialMultiplier(l, TUNING / 10, TUNING)).isGreaterThan(atTuning);
    assertThat(Difference.sequentialMultiplier(l, TUNING * 10, TUNING)).isGreaterThan(atTuning);
  }

  @Test
  void sequences_of_smaller_alpha_are_wider_so_they_nest() {
    for (double ratio : new double[] {0.001, 0.01, 0.1, 0.5, 1, 2, 10, 100, 10_000}) {
      double previous = 0;
      // ln(1/α) from 1e-12 (α ≈ 1) to 700 (α ≈ 1e-304).
      for (double l = 1e-12; l < 700; l *= 1.05) {
        double m = Difference.sequentialMultiplier(l, ratio * TUNING, TUNING);
        assertThat(m).as("N/N* %s, ln(1/alpha) %s", ratio, l).isGreaterThan(previous);
        previous = m;
      }
      // The α → 1 limit joins on continuously.
      // (m² grows by about 2 (N / N* + 1) ln(1/α) there.)
      assertThat(Difference.sequentialMultiplier(1e-12, ratio * TUNING, TUNING))
          .isCloseTo(Difference.sequentialMultiplier(0, ratio * TUNING, TUNING), within(1e-7));
    }
  }

  @Test
  void p_below_alpha_exactly_when_the_interval_excludes_zero() {
    int rejections = 0;
    int keeps = 0;
    for (double alpha : new double[] {0.01, 0.05, 0.1}) {
      for (long n = 100; n <= 200_000; n = n * 3 / 2) {
        for (double gap = -0.05; gap <= 0.05; gap += 0.0011) {
          UnitMean t = arm(0.9 + gap, n);
          UnitMean c = arm(0.9, n);
          for (Difference d :
              new Difference[] {
                Difference.fixedHorizon(t, c, alpha), Difference.sequential(t, c, alpha, TUNING)
              }) {
            assertThat(d.pValue() < alpha)
                .as("alpha %s n %s gap %s: %s", alpha, n, gap, d)
                .isEqualTo(excludesZero(d));
            assertThat(d.pValue()).isBetween(0.0, 1.0);
            if (excludesZero(d)) {
              rejections++;
            } else {
              keeps++;
            }
          }
        }
      }
    }
    // Both outcomes were exercised plenty.
    assertThat(rejections).isGreaterThan(1_000);
    assertThat(keeps).isGreaterThan(1_000);
  }

  @Test
  void the_sequential_p_is_the_smallest_alpha_whose_sequence_excludes_zero() {
    UnitMean t = arm(0.93, 30_000);
    UnitMean c = arm(0.92, 30_000);
    double p = Difference.sequential(t, c, 0.05, TUNING).pValue();
    assertThat(p).isBetween(1e-6, 0.05);
    assertThat(excludesZero(Difference.sequential(t, c, p * 1.000001, TUNING))).isTrue();
    assertThat(excludesZero(Difference.sequential(t, c, p * 0.999999, TUNING))).isFalse();
    // It does not depend on the alpha the interval is drawn at.
    for (double alpha : new double[] {0.001, 0.01, 0.2, 0.5}) {
      assertThat(Difference.sequential(t, c, alpha, TUNING).pValue()).isEqualTo(p);
    }
  }

  @Test
  void the_decision_at_alpha_matches_growthbooks_closed_form_p_value() {
    // GrowthBook's p (ρ held at the configured alpha): min(1, sqrt(u + 1) exp(−z² u / (2 (u +
    // 1)))).
    double alpha = 0.05;
    double l = -Math.log(alpha);
    double rho2 = (2 * l + Math.log(2 * l + 1)) / TUNING;
    for (long n = 200; n <= 100_000; n = n * 5 / 4) {
      for (double gap = 0; gap <= 0.04; gap += 0.0013) {
        UnitMean t = arm(0.9 + gap, n);
        UnitMean c = arm(0.9, n);
        Difference d = Difference.sequential(t, c, alpha, TUNING);
        double z = d.estimate() / Math.sqrt(t.variance() + c.variance());
        double u = 2 * n * rho2;
        double growthBook = Math.min(1, Math.sqrt(u + 1) * Math.exp(-z * z * u / (2 * (u + 1))));
        assertThat(d.pValue() < alpha).as("n %s gap %s", n, gap).isEqualTo(growthBook < alpha);
      }
    }
  }

  @Test
  void sequential_p_is_never_below_the_fixed_horizon_p() {
    for (long n = 100; n <= 1_000_000; n *= 2) {
      for (double gap = 0.0005; gap <= 0.05; gap += 0.0015) {
        UnitMean t = arm(0.9 + gap, n);
        UnitMean c = arm(0.9, n);
        assertThat(Difference.sequential(t, c, 0.05, TUNING).pValue())
            .isGreaterThanOrEqualTo(Difference.fixedHorizon(t, c, 0.05).pValue());
      }
    }
  }

  @Test
  void for_a_fixed_effect_the_sequential_p_falls_as_data_grows() {
    double previous = 1;
    int strictlyFalling = 0;
    for (long perArm = 50; perArm <= 200_000; perArm += perArm / 10 + 1) {
      double p = Difference.sequential(arm(0.93, perArm), arm(0.92, perArm), 0.05, TUNING).pValue();
      assertThat(p).as("per arm %s", perArm).isLessThanOrEqualTo(previous);
      if (p < previous) {
        strictlyFalling++;
      }
      previous = p;
    }
    assertThat(previous).isLessThan(1e-6);
    assertThat(strictlyFalling).isGreaterThan(20);
  }

  @Test
  void the_sign_follows_treatment_minus_control() {
    Difference worse = Difference.sequential(arm(0.90, 50_000), arm(0.92, 50_000), 0.05, TUNING);
    assertThat(worse.estimate()).isNegative();
    assertThat(worse.high()).isNegative();
    assertThat(worse.pValue()).isLessThan(0.05);
  }

  @Test
  void a_huge_effect_underflows_to_p_zero_without_failing() {
    Difference d = Difference.sequential(arm(0.99, 1_000_000), arm(0.5, 1_000_000), 0.05, TUNING);
    assertThat(d.pValue()).isZero();
    assertThat(d.low()).isPositive();
  }

  @Test
  void alpha_and_tuning_are_checked() {
    UnitMean a = arm(0.5, 100);
    for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> Difference.fixedHorizon(a, a, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("alpha");
      assertThatThrownBy(() -> Difference.sequential(a, a, bad, TUNING))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("alpha");
    }
    for (double bad : new double[] {0, -5, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Difference.sequential(a, a, 0.05, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tuning");
    }
  }
}
