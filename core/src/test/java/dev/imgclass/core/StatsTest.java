package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void mcnemar_p_for_1_against_9_discordant_pairs_is_twice_11_over_1024() {
    // P(X <= 1) for X ~ Bin(10, 1/2) = (1 + 10) / 1024; two-sided doubles it
    assertThat(Stats.mcnemarExactP(1, 9)).isCloseTo(0.021484375, within(1e-15));
    assertThat(Stats.mcnemarExactP(9, 1)).isCloseTo(0.021484375, within(1e-15));
  }

  @Test
  void mcnemar_p_for_0_against_5_is_one_sixteenth() {
    assertThat(Stats.mcnemarExactP(0, 5)).isCloseTo(2.0 / 32, within(1e-15));
  }

  @Test
  void mcnemar_p_is_one_when_the_models_disagree_equally_or_never() {
    assertThat(Stats.mcnemarExactP(0, 0)).isEqualTo(1.0);
    assertThat(Stats.mcnemarExactP(7, 7)).isEqualTo(1.0);
    assertThat(Stats.mcnemarExactP(4000, 4000)).isEqualTo(1.0);
  }

  @Test
  void mcnemar_p_stays_finite_and_tiny_for_large_lopsided_counts() {
    double p = Stats.mcnemarExactP(100, 900);
    assertThat(p).isGreaterThan(0).isLessThan(1e-100);
    // 500 vs 560: a normal approximation with continuity correction gives about 0.068
    assertThat(Stats.mcnemarExactP(500, 560)).isBetween(0.06, 0.075);
  }

  @Test
  void wilson_interval_matches_a_hand_computation() {
    // 9 of 10: centre (0.9 + z^2/20) / (1 + z^2/10), the textbook interval 0.5958 - 0.9821
    Stats.Interval ci = Stats.wilson(9, 10);
    assertThat(ci.low()).isCloseTo(0.5958, within(1e-4));
    assertThat(ci.high()).isCloseTo(0.9821, within(1e-4));
  }

  @Test
  void wilson_interval_stays_inside_zero_and_one_at_the_extremes() {
    assertThat(Stats.wilson(0, 20).low()).isEqualTo(0);
    assertThat(Stats.wilson(20, 20).high()).isEqualTo(1);
    assertThat(Stats.wilson(20, 20).low()).isCloseTo(0.8389, within(1e-4));
  }
}
