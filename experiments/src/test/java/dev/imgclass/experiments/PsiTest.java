package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PsiTest {
  @Test
  void identical_distributions_have_psi_zero() {
    assertThat(Psi.of(new double[] {1, 2, 3, 4}, new double[] {1, 2, 3, 4})).isZero();
    // Counts and shares of the same distribution.
    assertThat(Psi.of(new double[] {10, 20, 30, 40}, new double[] {0.1, 0.2, 0.3, 0.4}))
        .isCloseTo(0, within(1e-15));
  }

  @Test
  void a_hand_computed_two_bin_example() {
    // (0.6 − 0.5) ln(0.6 / 0.5) + (0.4 − 0.5) ln(0.4 / 0.5) = 0.1 ln 1.2 − 0.1 ln 0.8.
    double expected = 0.1 * Math.log(1.2) - 0.1 * Math.log(0.8);
    assertThat(expected).isCloseTo(0.0405465108108164, within(1e-15));
    assertThat(Psi.of(new double[] {0.5, 0.5}, new double[] {0.6, 0.4}))
        .isCloseTo(expected, within(1e-15));
    assertThat(Psi.of(new double[] {500, 500}, new double[] {600, 400}))
        .isCloseTo(expected, within(1e-15));
  }

  @Test
  void psi_is_symmetric_non_negative_and_grows_with_the_shift() {
    double[] e = {0.25, 0.25, 0.25, 0.25};
    double previous = 0;
    for (double shift = 0.01; shift < 0.2; shift += 0.01) {
      double[] a = {0.25 + shift, 0.25 + shift / 2, 0.25 - shift / 2, 0.25 - shift};
      double psi = Psi.of(e, a);
      assertThat(psi).isPositive().isGreaterThan(previous);
      assertThat(Psi.of(a, e)).isCloseTo(psi, within(1e-15));
      previous = psi;
    }
    // A big move is past the 0.25 rule of thumb.
    assertThat(Psi.of(new double[] {0.7, 0.3}, new double[] {0.3, 0.7})).isGreaterThan(0.25);
  }

  @Test
  void empty_bins_are_smoothed_so_psi_stays_finite() {
    double psi = Psi.of(new double[] {10, 0}, new double[] {5, 5});
    // Expected shares [1, 0] become [1, 1e-4] / 1.0001; actual stays [0.5, 0.5].
    double e0 = 1 / 1.0001;
    double e1 = 1e-4 / 1.0001;
    double byHand = (0.5 - e0) * Math.log(0.5 / e0) + (0.5 - e1) * Math.log(0.5 / e1);
    assertThat(psi).isFinite().isCloseTo(byHand, within(1e-12));
    assertThat(psi).isGreaterThan(3);
    // A bin empty on both sides contributes nothing.
    assertThat(Psi.of(new double[] {1, 1, 0}, new double[] {1, 1, 0})).isZero();
    assertThat(Psi.of(new double[] {0, 7}, new double[] {0, 9})).isZero();
  }

  @Test
  void of_refuses_bad_inputs() {
    assertThatThrownBy(() -> Psi.of(new double[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must match");
    assertThatThrownBy(() -> Psi.of(new double[0], new double[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Psi.of(new double[] {1, -1}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected bin 1");
    assertThatThrownBy(() -> Psi.of(new double[] {1, 1}, new double[] {Double.NaN, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("actual bin 0");
    assertThatThrownBy(() -> Psi.of(new double[] {0, 0}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("total");
    assertThatThrownBy(() -> Psi.of(new double[] {1, 1}, new double[] {0, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("total");
  }

  @Test
  void histogram_bins_equal_widths_and_puts_one_in_the_last_bin() {
    float[] values = {0f, 0.1f, 0.49f, 0.5f, 0.999f, 1.0f, -0.0f};
    assertThat(Psi.histogram01(values, 2)).containsExactly(4, 3);
    assertThat(Psi.histogram01(values, 1)).containsExactly(7);
    assertThat(Psi.histogram01(new float[] {0.05f, 0.15f, 0.25f, 0.95f, 1f}, 10))
        .containsExactly(1, 1, 1, 0, 0, 0, 0, 0, 0, 2);
    assertThat(Psi.histogram01(new float[0], 3)).containsExactly(0, 0, 0);
    // The largest float below 1 falls in the last bin by its own value, not by rounding up.
    assertThat(Psi.histogram01(new float[] {Math.nextDown(1f)}, 4)).containsExactly(0, 0, 0, 1);
  }

  @Test
  void histogram_refuses_values_outside_zero_to_one_and_bad_bin_counts() {
    for (float bad : new float[] {-0.01f, 1.01f, Float.NaN, Float.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Psi.histogram01(new float[] {0.5f, bad}, 10))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("value 1");
    }
    assertThatThrownBy(() -> Psi.histogram01(new float[] {0.5f}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bins");
  }

  @Test
  void histograms_feed_psi() {
    float[] before = new float[1_000];
    float[] after = new float[1_000];
    for (int i = 0; i < before.length; i++) {
      before[i] = i / 999f;
      after[i] = (float) Math.pow(i / 999.0, 2);
    }
    double same = Psi.of(Psi.histogram01(before, 10), Psi.histogram01(before, 10));
    double shifted = Psi.of(Psi.histogram01(before, 10), Psi.histogram01(after, 10));
    assertThat(same).isZero();
    assertThat(shifted).isGreaterThan(0.25);
  }
}
