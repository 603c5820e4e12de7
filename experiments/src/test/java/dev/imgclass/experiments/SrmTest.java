package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SrmTest {
  private static final double[] HALF = {0.5, 0.5};

  @Test
  void an_exact_split_has_p_one() {
    Srm.Result r = Srm.test(new long[] {5_000, 5_000}, HALF);
    assertThat(r.chiSquare()).isZero();
    assertThat(r.degreesOfFreedom()).isEqualTo(1);
    assertThat(r.pValue()).isEqualTo(1.0);
    assertThat(r.mismatch()).isFalse();
  }

  @Test
  void a_planted_45_55_split_is_flagged() {
    Srm.Result r = Srm.test(new long[] {4_500, 5_500}, HALF);
    // Expected 5,000 each: 500² / 5,000 twice = 100.
    assertThat(r.chiSquare()).isCloseTo(100, within(1e-9));
    assertThat(r.pValue()).isEqualTo(Distributions.chiSquareSurvival(100, 1));
    assertThat(r.pValue()).isCloseTo(1.5239706048321052e-23, within(1e-35));
    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void a_small_chance_imbalance_is_not_flagged() {
    Srm.Result r = Srm.test(new long[] {5_050, 4_950}, HALF);
    // 50² / 5,000 twice = 1; P(chi2_1 >= 1) = 2 (1 − Φ(1)).
    assertThat(r.chiSquare()).isCloseTo(1, within(1e-12));
    assertThat(r.pValue()).isCloseTo(0.31731050786291410, within(1e-14));
    assertThat(r.mismatch()).isFalse();
  }

  @Test
  void three_arms_with_unequal_weights() {
    // Expected 1,000 / 1,000 / 2,000 of 4,000: 0 + 100²/1,000 + 100²/2,000 = 15 on 2 df, whose
    // survival is exp(−15/2) ≈ 5.5e-4, below the threshold.
    Srm.Result r = Srm.test(new long[] {1_000, 1_100, 1_900}, new double[] {1, 1, 2});
    assertThat(r.chiSquare()).isCloseTo(15, within(1e-12));
    assertThat(r.degreesOfFreedom()).isEqualTo(2);
    assertThat(r.pValue()).isCloseTo(Math.exp(-7.5), within(1e-16));
    assertThat(r.mismatch()).isTrue();
    // The same counts against weights they match.
    Srm.Result fine = Srm.test(new long[] {1_000, 1_100, 1_900}, new double[] {10, 11, 19});
    assertThat(fine.chiSquare()).isCloseTo(0, within(1e-12));
    assertThat(fine.mismatch()).isFalse();
  }

  @Test
  void the_weights_scale_does_not_matter() {
    long[] observed = {480, 520, 1_030};
    Srm.Result a = Srm.test(observed, new double[] {0.25, 0.25, 0.5});
    Srm.Result b = Srm.test(observed, new double[] {1, 1, 2});
    assertThat(a.chiSquare()).isCloseTo(b.chiSquare(), within(1e-12));
    assertThat(a.pValue()).isCloseTo(b.pValue(), within(1e-12));
  }

  @Test
  void no_units_is_no_evidence() {
    Srm.Result r = Srm.test(new long[] {0, 0, 0}, new double[] {1, 2, 3});
    assertThat(r.chiSquare()).isZero();
    assertThat(r.degreesOfFreedom()).isEqualTo(2);
    assertThat(r.pValue()).isEqualTo(1.0);
    assertThat(r.mismatch()).isFalse();
  }

  @Test
  void an_empty_arm_with_units_elsewhere_is_flagged() {
    Srm.Result r = Srm.test(new long[] {0, 2_000}, HALF);
    assertThat(r.chiSquare()).isCloseTo(2_000, within(1e-9));
    assertThat(r.mismatch()).isTrue();
  }

  @Test
  void bad_inputs_are_refused() {
    assertThatThrownBy(() -> Srm.test(new long[] {1, 2}, new double[] {1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> Srm.test(new long[] {1, -2}, HALF))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Srm.test(new long[] {1, 2}, new double[] {1, bad}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("weight");
    }
    assertThatThrownBy(() -> Srm.test(new long[] {5}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two arms");
    assertThatThrownBy(() -> Srm.test(null, HALF)).isInstanceOf(IllegalArgumentException.class);
  }
}
