package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UnitMeanTest {
  @Test
  void a_hand_computed_three_unit_example() {
    // Units: 1 of 1, 2 of 3, 0 of 2 correct. Mean 3/6 = 0.5 (not the mean of per-unit rates).
    // x̄ = 1, ȳ = 2, r = 0.5; s_xx = 1, s_yy = 1, s_xy = 0.5;
    // variance = (1 − 2·0.5·0.5 + 0.25·1) / (3 · 2²) = 0.75 / 12 = 0.0625.
    UnitMean m = UnitMean.of(new double[] {1, 2, 0}, new long[] {1, 3, 2});
    assertThat(m.mean()).isEqualTo(0.5);
    assertThat(m.variance()).isCloseTo(0.0625, within(1e-15));
    assertThat(m.units()).isEqualTo(3);
    assertThat(m.n()).isEqualTo(6);
  }

  @Test
  void one_outcome_per_unit_is_the_ordinary_variance_of_the_mean() {
    SplittableRandom random = new SplittableRandom(7);
    int k = 1_000;
    double[] sums = new double[k];
    long[] counts = new long[k];
    double total = 0;
    for (int i = 0; i < k; i++) {
      sums[i] = random.nextDouble() < 0.9 ? 1 : 0;
      counts[i] = 1;
      total += sums[i];
    }
    double mean = total / k;
    double squares = 0;
    for (double s : sums) {
      squares += (s - mean) * (s - mean);
    }
    double sampleVariance = squares / (k - 1);
    UnitMean m = UnitMean.of(sums, counts);
    assertThat(m.mean()).isCloseTo(mean, within(1e-15));
    assertThat(m.variance()).isCloseTo(sampleVariance / k, within(1e-18));
    assertThat(m.units()).isEqualTo(k);
    assertThat(m.n()).isEqualTo(k);
    // For 0/1 outcomes s² = p̂ (1 − p̂) k / (k − 1).
    assertThat(m.variance()).isCloseTo(mean * (1 - mean) / (k - 1), within(1e-18));
  }

  @Test
  void correlated_requests_of_one_user_widen_the_variance() {
    // 100 users with 10 requests each, every user all right or all wrong: really 100 outcomes'
    // worth of information, not 1,000.
    int k = 100;
    double[] sums = new double[k];
    long[] counts = new long[k];
    for (int i = 0; i < k; i++) {
      sums[i] = i % 2 == 0 ? 10 : 0;
      counts[i] = 10;
    }
    UnitMean clustered = UnitMean.of(sums, counts);
    double naive = 0.5 * 0.5 / (1_000 - 1);
    assertThat(clustered.mean()).isEqualTo(0.5);
    // Per unit the rate is 0 or 1: the variance is that of 100 independent outcomes.
    assertThat(clustered.variance()).isCloseTo(0.25 / (k - 1), within(1e-15));
    assertThat(clustered.variance() / naive).isGreaterThan(9);
  }

  @Test
  void the_moment_and_single_outcome_forms_agree_with_the_arrays() {
    SplittableRandom random = new SplittableRandom(11);
    int k = 500;
    double[] sums = new double[k];
    long[] counts = new long[k];
    double sx = 0;
    long sy = 0;
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (int i = 0; i < k; i++) {
      counts[i] = 1 + random.nextInt(5);
      for (int j = 0; j < counts[i]; j++) {
        sums[i] += random.nextDouble() < 0.8 ? 1 : 0;
      }
      sx += sums[i];
      sy += counts[i];
      sxx += sums[i] * sums[i];
      sxy += sums[i] * counts[i];
      syy += (double) counts[i] * counts[i];
    }
    UnitMean fromArrays = UnitMean.of(sums, counts);
    UnitMean fromMoments = UnitMean.ofMoments(k, sy, sx, sxx, sxy, syy);
    assertThat(fromMoments.mean()).isCloseTo(fromArrays.mean(), within(1e-15));
    assertThat(fromMoments.variance()).isCloseTo(fromArrays.variance(), within(1e-15));
    assertThat(fromMoments.units()).isEqualTo(k);
    assertThat(fromMoments.n()).isEqualTo(sy);

    double[] single = new double[k];
    long[] ones = new long[k];
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < k; i++) {
      single[i] = random.nextGaussian() * 2 + 3;
      ones[i] = 1;
      sum += single[i];
      sumSquares += single[i] * single[i];
    }
    UnitMean a = UnitMean.of(single, ones);
    UnitMean b = UnitMean.ofSingleOutcomes(sum, sumSquares, k);
    assertThat(b.mean()).isCloseTo(a.mean(), within(1e-13));
    assertThat(b.variance()).isCloseTo(a.variance(), within(1e-13));
    assertThat(b.units()).isEqualTo(k);
    assertThat(b.n()).isEqualTo(k);
  }

  @Test
  void fewer_than_two_units_give_no_information() {
    UnitMean one = UnitMean.of(new double[] {3}, new long[] {4});
    assertThat(one.mean()).isEqualTo(0.75);
    assertThat(one.variance()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(one.units()).isEqualTo(1);
    assertThat(one.n()).isEqualTo(4);

    UnitMean none = UnitMean.of(new double[0], new long[0]);
    assertThat(none.mean()).isNaN();
    assertThat(none.variance()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(none.units()).isZero();
    assertThat(none.n()).isZero();

    assertThat(UnitMean.ofSingleOutcomes(0, 0, 0).mean()).isNaN();
    assertThat(UnitMean.ofSingleOutcomes(1, 1, 1).variance()).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void constant_outcomes_have_zero_variance() {
    UnitMean m = UnitMean.of(new double[] {2, 4, 6}, new long[] {2, 4, 6});
    assertThat(m.mean()).isEqualTo(1.0);
    assertThat(m.variance()).isZero();
    assertThat(UnitMean.ofSingleOutcomes(500, 500, 500).variance()).isZero();
  }

  @Test
  void bad_inputs_are_refused() {
    assertThatThrownBy(() -> UnitMean.of(new double[] {1, 2}, new long[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 sums but 1 counts");
    assertThatThrownBy(() -> UnitMean.of(new double[] {1, 2}, new long[] {1, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count 0");
    assertThatThrownBy(() -> UnitMean.of(new double[] {1, 2}, new long[] {1, -3}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitMean.of(new double[] {Double.NaN}, new long[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitMean.of(null, new long[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitMean.ofMoments(3, 2, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UnitMean.ofSingleOutcomes(1, 1, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
