package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AssignmentTest {
  private static final List<String> CT = List.of("control", "treatment");

  private static String unit(int i) {
    return "user-" + i;
  }

  /** hash01 times 2^53: the exact 53-bit integer it was made from. */
  private static long bits(String salt, String unit, String arm) {
    return (long) (Assignment.hash01(salt, unit, arm) * 0x1.0p53);
  }

  @Test
  void hash01_values_are_pinned() {
    // Cross-checked against an independent implementation of the javadoc's definition. A change
    // here reassigns every unit of every running experiment.
    assertThat(bits("s", "u", "a")).isEqualTo(4921492004525268L);
    assertThat(bits("", "", "")).isEqualTo(6478037323819067L);
    assertThat(bits("exp-1", "user-42", "control")).isEqualTo(8437337544365195L);
    assertThat(bits("exp-1", "user-42", "treatment")).isEqualTo(6384016473372731L);
    assertThat(bits("exp-2", "user-42", "control")).isEqualTo(5397494484127207L);
    assertThat(bits("salt", "ünït-€", "arm")).isEqualTo(7777330069624793L);
    assertThat(bits("exp-1", "user-42", Assignment.COVERAGE_ARM)).isEqualTo(4506593727431258L);
    assertThat(Assignment.hash01("s", "u", "a")).isEqualTo(0.5463953738932568);
  }

  @Test
  void hash01_separates_its_parts_unambiguously() {
    // The same concatenated characters split differently must hash differently.
    double ab = Assignment.hash01("ab", "c", "d");
    assertThat(Assignment.hash01("a", "bc", "d")).isNotEqualTo(ab);
    assertThat(Assignment.hash01("abc", "", "d")).isNotEqualTo(ab);
    assertThat(Assignment.hash01("ab", "cd", "")).isNotEqualTo(ab);
    assertThat(Assignment.hash01("a\u0000b", "c", "d")).isNotEqualTo(ab);
    assertThat(Assignment.hash01("ab", "c", "d")).isEqualTo(ab);
  }

  @Test
  void hash01_is_uniform_on_sequential_unit_ids() {
    int n = 100_000;
    int bins = 20;
    long[] counts = new long[bins];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double u = Assignment.hash01("exp-uniform", unit(i), "control");
      assertThat(u).isGreaterThanOrEqualTo(0).isLessThan(1);
      counts[(int) (u * bins)]++;
      sum += u;
    }
    double[] equal = new double[bins];
    java.util.Arrays.fill(equal, 1);
    Srm.Result chi = Srm.test(counts, equal);
    // Neither lumpy nor suspiciously even.
    assertThat(chi.pValue()).isBetween(0.001, 0.999);
    // SE of the mean of n uniforms: sqrt(1/12/n) ≈ 0.00091.
    assertThat(sum / n).isCloseTo(0.5, within(4 * Math.sqrt(1.0 / 12 / n)));
  }

  @Test
  void hashes_of_different_arms_are_independent() {
    int n = 100_000;
    for (String[] pair : new String[][] {{"control", "treatment"}, {"A", "B"}, {"arm1", "arm2"}}) {
      long[] cells = new long[100];
      double sxy = 0;
      for (int i = 0; i < n; i++) {
        double x = Assignment.hash01("exp-pairs", unit(i), pair[0]);
        double y = Assignment.hash01("exp-pairs", unit(i), pair[1]);
        cells[(int) (x * 10) * 10 + (int) (y * 10)]++;
        sxy += (x - 0.5) * (y - 0.5);
      }
      double[] equal = new double[100];
      java.util.Arrays.fill(equal, 1);
      assertThat(Srm.test(cells, equal).pValue())
          .as("joint uniformity %s", pair[0])
          .isGreaterThan(0.001);
      // Correlation of two independent uniforms over n pairs: SE 1/sqrt(n).
      double correlation = sxy / n * 12;
      assertThat(correlation).isCloseTo(0, within(4 / Math.sqrt(n)));
    }
  }

  @Test
  void choose_splits_units_in_proportion_to_the_weights() {
    int n = 200_000;
    List<String> arms = List.of("a", "b", "c");
    double[] weights = {0.2, 0.3, 0.5};
    long[] counts = new long[3];
    for (int i = 0; i < n; i++) {
      counts[Assignment.choose("exp-shares", unit(i), arms, weights)]++;
    }
    for (int arm = 0; arm < 3; arm++) {
      double share = counts[arm] / (double) n;
      double se = Math.sqrt(weights[arm] * (1 - weights[arm]) / n);
      assertThat(share).as("share of %s", arms.get(arm)).isCloseTo(weights[arm], within(4 * se));
    }
    // Weights need not sum to 1: scaling them changes nothing.
    for (int i = 0; i < 2_000; i++) {
      assertThat(Assignment.choose("exp-shares", unit(i), arms, new double[] {2, 3, 5}))
          .isEqualTo(Assignment.choose("exp-shares", unit(i), arms, weights));
    }
  }

  @Test
  void ramping_treatment_up_only_moves_units_into_treatment() {
    int n = 100_000;
    double[] before = {0.95, 0.05};
    double[] after = {0.5, 0.5};
    int treatedBefore = 0;
    int treatedAfter = 0;
    for (int i = 0; i < n; i++) {
      int b = Assignment.choose("exp-ramp", unit(i), CT, before);
      int a = Assignment.choose("exp-ramp", unit(i), CT, after);
      if (b == 1) {
        assertThat(a).as("unit %d left treatment", i).isEqualTo(1);
        treatedBefore++;
      }
      treatedAfter += a;
    }
    // The ramp really happened (the property is not vacuous).
    assertThat(treatedBefore / (double) n).isCloseTo(0.05, within(0.003));
    assertThat(treatedAfter / (double) n).isCloseTo(0.5, within(0.007));
  }

  @Test
  void growing_a_third_arm_never_moves_units_between_the_other_two() {
    int n = 100_000;
    List<String> arms = List.of("A", "B", "C");
    double[] before = {0.475, 0.475, 0.05};
    double[] after = {0.25, 0.25, 0.5};
    int[][] moves = new int[3][3];
    for (int i = 0; i < n; i++) {
      int b = Assignment.choose("exp-abc", unit(i), arms, before);
      int a = Assignment.choose("exp-abc", unit(i), arms, after);
      moves[b][a]++;
    }
    assertThat(moves[0][1]).as("A to B").isZero();
    assertThat(moves[1][0]).as("B to A").isZero();
    assertThat(moves[2][0]).as("C to A").isZero();
    assertThat(moves[2][1]).as("C to B").isZero();
    // About 0.475 − 0.25 = 0.225 of all units move from each of A and B into C.
    assertThat(moves[0][2] / (double) n).isCloseTo(0.225, within(0.006));
    assertThat(moves[1][2] / (double) n).isCloseTo(0.225, within(0.006));
  }

  @Test
  void choose_is_deterministic_and_a_new_salt_reshuffles() {
    int n = 100_000;
    double[] half = {0.5, 0.5};
    int changed = 0;
    for (int i = 0; i < n; i++) {
      int first = Assignment.choose("exp-salt-1", unit(i), CT, half);
      assertThat(Assignment.choose("exp-salt-1", unit(i), CT, half)).isEqualTo(first);
      if (Assignment.choose("exp-salt-2", unit(i), CT, half) != first) {
        changed++;
      }
    }
    // Independent assignments disagree for half the units: SE sqrt(0.25 / n).
    assertThat(changed / (double) n).isCloseTo(0.5, within(4 * Math.sqrt(0.25 / n)));
  }

  @Test
  void a_single_arm_takes_everyone() {
    for (int i = 0; i < 100; i++) {
      assertThat(Assignment.choose("s", unit(i), List.of("only"), new double[] {3})).isZero();
    }
  }

  @Test
  void choose_refuses_bad_configurations() {
    assertThatThrownBy(() -> Assignment.choose("s", "u", List.of(), new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one arm");
    assertThatThrownBy(() -> Assignment.choose("s", "u", CT, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 arms but 1 weights");
    for (double bad :
        new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> Assignment.choose("s", "u", CT, new double[] {1, bad}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("treatment")
          .hasMessageContaining("finite and > 0");
    }
    assertThatThrownBy(
            () -> Assignment.choose("s", "u", List.of("x", "y", "x"), new double[] {1, 1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x' appears twice");
    assertThatThrownBy(
            () ->
                Assignment.choose(
                    "s", "u", List.of("x", Assignment.COVERAGE_ARM), new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> Assignment.choose(null, "u", CT, new double[] {1, 1}))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void raising_coverage_only_adds_units() {
    int n = 50_000;
    double[] levels = {0, 0.1, 0.3, 0.6, 1};
    int[] inside = new int[levels.length];
    for (int i = 0; i < n; i++) {
      boolean wasIn = false;
      for (int l = 0; l < levels.length; l++) {
        boolean in = Assignment.covered("exp-cov", unit(i), levels[l]);
        if (wasIn) {
          assertThat(in).as("unit %d dropped at coverage %s", i, levels[l]).isTrue();
        }
        if (in) {
          inside[l]++;
        }
        wasIn = in;
      }
    }
    assertThat(inside[0]).isZero();
    assertThat(inside[levels.length - 1]).isEqualTo(n);
    for (int l = 1; l < levels.length - 1; l++) {
      double se = Math.sqrt(levels[l] * (1 - levels[l]) / n);
      assertThat(inside[l] / (double) n).isCloseTo(levels[l], within(4 * se));
    }
  }

  @Test
  void coverage_does_not_bias_the_arm_split() {
    int n = 100_000;
    int covered = 0;
    int treated = 0;
    for (int i = 0; i < n; i++) {
      if (Assignment.covered("exp-cov-arms", unit(i), 0.3)) {
        covered++;
        treated += Assignment.choose("exp-cov-arms", unit(i), CT, new double[] {0.5, 0.5});
      }
    }
    assertThat(treated / (double) covered).isCloseTo(0.5, within(4 * Math.sqrt(0.25 / covered)));
  }

  @Test
  void covered_refuses_coverage_outside_zero_to_one() {
    for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
      assertThatThrownBy(() -> Assignment.covered("s", "u", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("coverage");
    }
  }
}
