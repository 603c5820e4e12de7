package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelComparisonTest {
  static final List<String> CLASSES = List.of("cat", "dog");

  @Test
  void a_model_compared_with_itself_shows_no_difference_and_p_one() {
    int[] labels = {0, 1, 0, 1, 1};
    int[] pred = {0, 1, 1, 1, 0};
    ModelComparison c = ModelComparison.of("a", "a", pred, pred, labels, CLASSES);
    assertThat(c.pValue()).isEqualTo(1.0);
    assertThat(c.significant()).isFalse();
    assertThat(c.deltaPoints()).isZero();
    assertThat(c.verdict()).startsWith("no significant difference").contains("p = 1.000");
  }

  @Test
  void counts_discordant_pairs_and_names_the_better_model() {
    // 20 images of class 0: A is right on images 0-9, B on images 1-18
    int n = 20;
    int[] labels = new int[n];
    int[] a = new int[n];
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i < 10 ? 0 : 1;
      b[i] = i >= 1 && i <= 18 ? 0 : 1;
    }
    ModelComparison c = ModelComparison.of("old", "new", a, b, labels, CLASSES);
    assertThat(c.onlyA()).isEqualTo(1);
    assertThat(c.onlyB()).isEqualTo(9);
    assertThat(c.both()).isEqualTo(9);
    assertThat(c.neither()).isEqualTo(1);
    assertThat(c.pValue()).isCloseTo(0.021484375, within(1e-12));
    assertThat(c.deltaPoints()).isCloseTo(40.0, within(1e-9));
    assertThat(c.verdict()).isEqualTo("B is better than A: +40.00 pt, p = 0.021");
    assertThat(c.perClass().get(0).delta()).isCloseTo(40.0, within(1e-9));
    assertThat(c.a().ciLow()).isLessThan(0.5).isGreaterThan(0.25);
  }

  @Test
  void the_table_shows_both_accuracies_the_p_value_and_the_verdict() {
    int[] labels = {0, 1};
    ModelComparison c =
        ModelComparison.of("a", "b", new int[] {0, 0}, new int[] {0, 1}, labels, CLASSES);
    assertThat(c.toTable())
        .contains("A: a", "B: b", "50.00%", "100.00%", "McNemar exact test: p = 1.000")
        .contains("verdict: no significant difference");
  }

  @Test
  void p_values_too_small_for_a_double_read_as_an_upper_bound() {
    assertThat(ModelComparison.formatP(0.0)).isEqualTo("p < 1e-300");
    assertThat(ModelComparison.formatP(2.1e-5)).isEqualTo("p = 2.1e-05");
    assertThat(ModelComparison.formatP(0.0214)).isEqualTo("p = 0.021");
  }
}
