package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeekingSimulationTest {
  @Test
  void peeking_at_an_aa_test_keeps_the_sequential_false_positive_rate_but_not_the_naive_one() {
    // 500 A/A experiments, Bernoulli(0.92) in both arms, a look after every 100 outcomes up to
    // 10,000 (100 looks).
    PeekingSimulation.Result r =
        PeekingSimulation.run(
            new PeekingSimulation.Setup(0.92, 0.92, 500, 100, 10_000, 0.05, 5_000, 20_240_601L));
    System.out.printf(
        "A/A, 100 looks: sequential FPR %.3f, naive fixed-horizon FPR %.3f%n",
        r.sequentialRejectionRate(), r.fixedHorizonRejectionRate());
    assertThat(r.experiments()).isEqualTo(500);
    assertThat(r.sequentialRejectionRate()).isLessThanOrEqualTo(0.05);
    // Armitage et al.: 100 looks at a nominal 5 % test reject about 37 % of null experiments.
    assertThat(r.fixedHorizonRejectionRate()).isGreaterThan(0.15);
    assertThat(r.sequentialRightSignRate()).isZero();
  }

  @Test
  void the_sequential_test_finds_a_one_point_gap_and_says_which_way() {
    PeekingSimulation.Result r =
        PeekingSimulation.run(
            new PeekingSimulation.Setup(0.92, 0.93, 200, 100, 60_000, 0.05, 5_000, 20_240_602L));
    System.out.printf(
        "0.93 vs 0.92, up to 60,000 outcomes: detected %.3f (right sign %.3f), median outcomes to"
            + " decision %.0f%n",
        r.sequentialRejectionRate(), r.sequentialRightSignRate(), r.medianOutcomesToDecision());
    assertThat(r.sequentialRightSignRate()).isGreaterThanOrEqualTo(0.90);
    assertThat(r.medianOutcomesToDecision()).isBetween(1_000.0, 60_000.0);
    // The other direction is found with the other sign.
    PeekingSimulation.Result flipped =
        PeekingSimulation.run(
            new PeekingSimulation.Setup(0.93, 0.92, 50, 100, 60_000, 0.05, 5_000, 20_240_603L));
    assertThat(flipped.sequentialRightSignRate()).isGreaterThanOrEqualTo(0.8);
  }

  @Test
  void the_same_seed_gives_the_same_result_and_another_seed_another() {
    PeekingSimulation.Setup setup =
        new PeekingSimulation.Setup(0.5, 0.55, 40, 50, 2_000, 0.05, 1_000, 99);
    PeekingSimulation.Result a = PeekingSimulation.run(setup);
    assertThat(PeekingSimulation.run(setup)).isEqualTo(a);
    PeekingSimulation.Result b =
        PeekingSimulation.run(
            new PeekingSimulation.Setup(0.5, 0.55, 40, 50, 2_000, 0.05, 1_000, 98));
    assertThat(b).isNotEqualTo(a);
  }

  @Test
  void no_decision_gives_a_nan_median() {
    // Ten outcomes per arm at most: never enough for the sequence to exclude 0.
    PeekingSimulation.Result r =
        PeekingSimulation.run(new PeekingSimulation.Setup(0.5, 0.5, 10, 20, 20, 0.05, 5_000, 1));
    assertThat(r.sequentialRejectionRate()).isZero();
    assertThat(r.medianOutcomesToDecision()).isNaN();
  }

  @Test
  void setups_out_of_range_are_refused() {
    assertThatThrownBy(() -> new PeekingSimulation.Setup(1.1, 0.5, 1, 1, 1, 0.05, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeekingSimulation.Setup(0.5, 0.5, 0, 1, 1, 0.05, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeekingSimulation.Setup(0.5, 0.5, 1, 10, 5, 0.05, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeekingSimulation.Setup(0.5, 0.5, 1, 1, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeekingSimulation.Setup(0.5, 0.5, 1, 1, 1, 0.05, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
