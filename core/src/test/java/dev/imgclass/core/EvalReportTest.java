package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvalReportTest {
  private static float[] p(float... v) {
    return v;
  }

  @Test
  void precision_recall_f1_and_confusion_follow_from_the_predictions() {
    // true: a a a b b c ; predicted: a a b b c c
    float[][] probs = {
      p(.8f, .1f, .1f),
      p(.6f, .3f, .1f),
      p(.2f, .7f, .1f),
      p(.1f, .8f, .1f),
      p(.1f, .3f, .6f),
      p(.1f, .1f, .8f)
    };
    int[] labels = {0, 0, 0, 1, 1, 2};
    EvalReport r = EvalReport.of(probs, labels, List.of("a", "b", "c"), 1.0);
    assertThat(r.top1()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(r.confusion()[0]).containsExactly(2, 1, 0);
    assertThat(r.confusion()[1]).containsExactly(0, 1, 1);
    assertThat(r.confusion()[2]).containsExactly(0, 0, 1);
    EvalReport.ClassStats b = r.perClass().get(1);
    assertThat(b.precision()).isCloseTo(0.5, within(1e-12)); // 1 of 2 predicted b
    assertThat(b.recall()).isCloseTo(0.5, within(1e-12)); // 1 of 2 true b
    assertThat(b.f1()).isCloseTo(0.5, within(1e-12));
    assertThat(r.perClass().get(0).precision()).isEqualTo(1.0);
    assertThat(r.perClass().get(0).recall()).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(r.perClass().get(2).support()).isEqualTo(1);
    assertThat(r.balancedAccuracy()).isCloseTo((2.0 / 3 + 0.5 + 1) / 3, within(1e-12));
    assertThat(r.imagesPerSecond()).isEqualTo(6.0);
  }

  @Test
  void top5_counts_a_label_ranked_fifth_and_not_one_ranked_sixth() {
    float[] probs = {.30f, .20f, .15f, .12f, .10f, .08f, .05f};
    EvalReport fifth =
        EvalReport.of(
            new float[][] {probs}, new int[] {4}, List.of("0", "1", "2", "3", "4", "5", "6"), 1);
    EvalReport sixth =
        EvalReport.of(
            new float[][] {probs}, new int[] {5}, List.of("0", "1", "2", "3", "4", "5", "6"), 1);
    assertThat(fifth.top5()).isEqualTo(1.0);
    assertThat(sixth.top5()).isEqualTo(0.0);
  }

  @Test
  void calibration_error_is_the_gap_between_confidence_and_accuracy() {
    // two images, both predicted with confidence 0.9, one right: |0.5 - 0.9| = 0.4
    float[][] probs = {p(.9f, .1f), p(.9f, .1f)};
    EvalReport r = EvalReport.of(probs, new int[] {0, 1}, List.of("x", "y"), 1);
    assertThat(r.ece()).isCloseTo(0.4, within(1e-6));
    assertThat(r.loss()).isCloseTo((-Math.log(0.9) - Math.log(0.1)) / 2, within(1e-6));
  }
}
