package dev.imgclass.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.eval.ConfidentLearning.Detection;
import dev.imgclass.eval.ConfidentLearning.Issue;
import dev.imgclass.eval.ConfidentLearning.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfidentLearningTest {

  /** A row of probabilities given in sixteenths, so every mean below is exact in binary. */
  private static float[] sixteenths(int... p) {
    float[] row = new float[p.length];
    for (int j = 0; j < p.length; j++) row[j] = p[j] / 16f;
    return row;
  }

  // Nine examples, three classes. Rows in sixteenths; labels 0,0,0,0,1,1,1,2,2.
  //   e0 [12, 2, 2] given 0     e4 [2, 13, 1] given 1     e7 [1, 1, 14] given 2
  //   e1 [ 7, 8, 1] given 0     e5 [1, 11, 4] given 1     e8 [3, 3, 10] given 2
  //   e2 [ 6, 9, 1] given 0     e6 [1,  3, 12] given 1
  //   e3 [ 0, 4, 12] given 0
  private static final float[][] HAND = {
    sixteenths(12, 2, 2),
    sixteenths(7, 8, 1),
    sixteenths(6, 9, 1),
    sixteenths(0, 4, 12),
    sixteenths(2, 13, 1),
    sixteenths(1, 11, 4),
    sixteenths(1, 3, 12),
    sixteenths(1, 1, 14),
    sixteenths(3, 3, 10)
  };
  private static final int[] HAND_GIVEN = {0, 0, 0, 0, 1, 1, 1, 2, 2};

  @Test
  void hand_worked_example_matches_thresholds_joint_noise_and_flags_computed_by_hand() {
    Result r = ConfidentLearning.estimate(HAND, HAND_GIVEN);

    // t0 = (12+7+6+0)/4 = 6.25/16, t1 = (13+11+3)/3 = 9/16, t2 = (14+10)/2 = 12/16
    assertThat(r.thresholds()).containsExactly(6.25 / 16, 9 / 16.0, 12 / 16.0);

    // e0, e1: only class 0 reaches its threshold (e1's 8 < 9 although 8 is its argmax) -> (0,0)
    // e2: 6 < 6.25, 9 >= 9 -> (0,1);  e3: 12 >= 12 -> (0,2)
    // e4, e5 -> (1,1);  e6: 12 >= 12 -> (1,2);  e7 -> (2,2);  e8: 3, 3, 10 all below -> uncounted
    assertThat(r.confidentJoint()).isDeepEqualTo(new int[][] {{2, 1, 1}, {0, 2, 1}, {0, 0, 1}});

    // rows rescaled to counts 4, 3, 2: n*Q = {{2,1,1}, {0,2,1}, {0,0,2}}, n = 9
    double[][] nq = {{2, 1, 1}, {0, 2, 1}, {0, 0, 2}};
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) assertThat(r.joint()[i][j]).isEqualTo(nq[i][j] / 9);
    }

    // column sums of n*Q: 2, 3, 4 -> P(given | true) by column
    double[][] noise = {{1, 1 / 3.0, 1 / 4.0}, {0, 2 / 3.0, 1 / 4.0}, {0, 0, 2 / 4.0}};
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++)
        assertThat(r.noiseMatrix()[i][j]).isCloseTo(noise[i][j], within(1e-12));
    }
    // 1 - diagonal / row: 1 - 2/4, 1 - 2/3, 1 - 2/2
    assertThat(r.noiseRates()[0]).isCloseTo(0.5, within(1e-12));
    assertThat(r.noiseRates()[1]).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(r.noiseRates()[2]).isEqualTo(0.0);

    // flag counts round(n*Q): (0,1) = 1, (0,2) = 1, (1,2) = 1.
    // (0,1) margins p1 - p0: e3 4 > e2 3 > e1 1 > e0 -10 -> e3.
    // (0,2) margins p2 - p0: e3 12 (already flagged) -> next e2 (-5).
    // (1,2) margins p2 - p1: e6 9 -> e6.
    // rank by self-confidence: e3 0/16, e6 3/16, e2 6/16. Suggested = argmax: 2, 2, 1.
    assertThat(r.issues())
        .containsExactly(
            new Issue(3, 0, 2, 0, 12 / 16.0, 1),
            new Issue(6, 1, 2, 3 / 16.0, 12 / 16.0, 2),
            new Issue(2, 0, 1, 6 / 16.0, 9 / 16.0, 3));
    assertThat(r.flaggedIndices()).containsExactly(3, 6, 2);
  }

  @Test
  void disagreement_baseline_also_flags_the_merely_unsure_example() {
    // argmax != given: e1 (8 > 7), e2, e3, e6; ranked by self-confidence 0, 3, 6, 7 sixteenths
    List<Issue> base = ConfidentLearning.disagreements(HAND, HAND_GIVEN);
    assertThat(base)
        .containsExactly(
            new Issue(3, 0, 2, 0, 12 / 16.0, 1),
            new Issue(6, 1, 2, 3 / 16.0, 12 / 16.0, 2),
            new Issue(2, 0, 1, 6 / 16.0, 9 / 16.0, 3),
            new Issue(1, 0, 1, 7 / 16.0, 8 / 16.0, 4));

    int[] wrong = {2, 3, 6};
    int[] baseFlags = base.stream().mapToInt(Issue::index).toArray();
    assertThat(Detection.score(baseFlags, wrong)).isEqualTo(new Detection(0.75, 1, 6 / 7.0));
    assertThat(
            Detection.score(ConfidentLearning.estimate(HAND, HAND_GIVEN).flaggedIndices(), wrong))
        .isEqualTo(new Detection(1, 1, 1));
  }

  @Test
  void detection_score_counts_sets_and_is_zero_when_nothing_matches() {
    assertThat(Detection.score(new int[] {1, 2, 2, 5}, new int[] {2, 5, 7, 9}))
        .isEqualTo(new Detection(2 / 3.0, 0.5, 2 * (2 / 3.0) * 0.5 / (2 / 3.0 + 0.5)));
    assertThat(Detection.score(new int[] {}, new int[] {})).isEqualTo(new Detection(0, 0, 0));
    assertThat(Detection.score(new int[] {1}, new int[] {2})).isEqualTo(new Detection(0, 0, 0));
  }

  /** Planted label flips on synthetic out-of-fold probabilities peaked on the true class. */
  private record Planted(float[][] probs, int[] given, int[] flipped) {}

  private static Planted plant(int n, int k, double flipRate, long seed) {
    Random rng = new Random(seed);
    float[][] probs = new float[n][k];
    int[] given = new int[n];
    List<Integer> flipped = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int truth = rng.nextInt(k);
      // logits: Gaussian noise, the true class boosted by a per-example "easiness", so some
      // examples are hard and the model is wrong on about 4 % of them, as a decent classifier is
      double[] z = new double[k];
      for (int j = 0; j < k; j++) z[j] = 1.2 * rng.nextGaussian();
      z[truth] += 5 + 1.5 * rng.nextGaussian();
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) max = Math.max(max, v);
      double sum = 0;
      for (int j = 0; j < k; j++) sum += z[j] = Math.exp(z[j] - max);
      for (int j = 0; j < k; j++) probs[i][j] = (float) (z[j] / sum);
      given[i] = truth;
      if (rng.nextDouble() < flipRate) {
        given[i] = (truth + 1 + rng.nextInt(k - 1)) % k; // any other class
        flipped.add(i);
      }
    }
    return new Planted(probs, given, flipped.stream().mapToInt(Integer::intValue).toArray());
  }

  @Test
  void planted_flips_are_found_with_high_f1_and_at_least_the_baselines_precision() {
    Planted d = plant(3000, 5, 0.10, 42);
    Result r = ConfidentLearning.estimate(d.probs(), d.given());
    Detection cl = Detection.score(r.flaggedIndices(), d.flipped());
    Detection base =
        Detection.score(
            ConfidentLearning.disagreements(d.probs(), d.given()).stream()
                .mapToInt(Issue::index)
                .toArray(),
            d.flipped());
    // seed 42, 311 flips: confident learning P 0.92 R 0.95 F1 0.94; the baseline P 0.75 R 0.99
    assertThat(cl.f1()).isGreaterThan(0.8);
    assertThat(cl.precision()).isGreaterThanOrEqualTo(base.precision());
    // the estimated share of wrong labels is near the planted 10 % in every class
    for (double rate : r.noiseRates()) assertThat(rate).isBetween(0.05, 0.15);
    // ranks run 1..m with self-confidence ascending
    List<Issue> issues = r.issues();
    for (int i = 0; i < issues.size(); i++) {
      assertThat(issues.get(i).rank()).isEqualTo(i + 1);
      if (i > 0)
        assertThat(issues.get(i).givenProb()).isGreaterThanOrEqualTo(issues.get(i - 1).givenProb());
      assertThat(issues.get(i).suggested()).isNotEqualTo(issues.get(i).given());
    }
  }

  @Test
  void clean_labels_raise_few_or_no_flags() {
    Planted d = plant(3000, 5, 0.0, 7);
    Result r = ConfidentLearning.estimate(d.probs(), d.given());
    assertThat(r.issues().size()).isLessThan(30); // under 1 % of the examples
    // while the baseline flags every one of the model's own mistakes (about 4 %)
    assertThat(ConfidentLearning.disagreements(d.probs(), d.given())).hasSizeGreaterThan(60);
  }

  @Test
  void a_class_nobody_is_labelled_with_is_never_confident_and_keeps_an_identity_column() {
    float[][] probs = {{0.9f, 0.05f, 0.05f}, {0.2f, 0.1f, 0.7f}, {0.1f, 0.1f, 0.8f}};
    Result r = ConfidentLearning.estimate(probs, new int[] {0, 2, 2});
    assertThat(r.thresholds()[1]).isEqualTo(Double.POSITIVE_INFINITY);
    for (int[] row : r.confidentJoint()) assertThat(row[1]).isZero();
    assertThat(r.noiseMatrix()[0][1]).isZero();
    assertThat(r.noiseMatrix()[1][1]).isEqualTo(1.0);
    assertThat(r.noiseMatrix()[2][1]).isZero();
    assertThat(r.noiseRates()[1]).isZero();
    assertThat(r.issues()).isEmpty();
  }

  @Test
  void bad_inputs_are_rejected_with_a_message_naming_the_problem() {
    float[][] ok = {{0.5f, 0.5f}, {0.25f, 0.75f}};
    assertThatThrownBy(() -> ConfidentLearning.estimate(ok, new int[] {0}))
        .isInstanceOf(ImgclassException.class)
        .hasMessage("probs has 2 rows but there are 1 given labels: pass one label per row");
    assertThatThrownBy(() -> ConfidentLearning.estimate(new float[][] {{1f}}, new int[] {0}))
        .isInstanceOf(ImgclassException.class)
        .hasMessage("probs rows have 1 classes: at least 2 are needed");
    assertThatThrownBy(
            () -> ConfidentLearning.estimate(new float[][] {{0.5f, 0.5f}, {1f}}, new int[] {0, 0}))
        .hasMessage("probs row 1 has 1 classes but row 0 has 2");
    assertThatThrownBy(
            () ->
                ConfidentLearning.estimate(
                    new float[][] {{0.5f, 0.5f}, {Float.NaN, 1f}}, new int[] {0, 0}))
        .hasMessage("probs[1][0] = NaN is not a probability in [0, 1]");
    assertThatThrownBy(
            () -> ConfidentLearning.estimate(new float[][] {{1.5f, -0.5f}}, new int[] {0}))
        .hasMessage("probs[0][0] = 1.5 is not a probability in [0, 1]");
    assertThatThrownBy(
            () ->
                ConfidentLearning.estimate(
                    new float[][] {{0.5f, 0.5f}, {0.5f, 0.4f}}, new int[] {0, 0}))
        .hasMessageStartingWith("probs row 1 sums to 0.9")
        .hasMessageEndingWith(", not 1: pass softmax outputs, not logits");
    assertThatThrownBy(() -> ConfidentLearning.disagreements(ok, new int[] {0, 2}))
        .isInstanceOf(ImgclassException.class)
        .hasMessage("given label 2 of row 1 is outside 0..1");
    assertThatThrownBy(() -> ConfidentLearning.estimate(new float[0][], new int[0]))
        .hasMessage("no examples: pass at least one row");
  }
}
