package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.train.engine.Natives;
import dev.imgclass.train.engine.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LossTest {
  private static final float[] LOGITS = {2f, -1f, 0.5f, 0.1f, 0.3f, -2f, -0.5f, 1.5f, 0f};
  private static final long[] LABELS = {0, 2, 1};

  @BeforeAll
  static void load() {
    Natives.load();
  }

  private static double hard(Loss l) {
    return l.apply(Tensors.floats(LOGITS, 3, 3), Tensors.longs(LABELS, 3)).item_double();
  }

  private static double soft(Loss l, float[] t) {
    return l.applySoft(Tensors.floats(LOGITS, 3, 3), Tensors.floats(t, 3, 3)).item_double();
  }

  private static float[] oneHot() {
    float[] t = new float[9];
    for (int i = 0; i < 3; i++) t[i * 3 + (int) LABELS[i]] = 1;
    return t;
  }

  /** −log softmax(z)[y], by hand. */
  private static double ce(float[] z, int row, int y) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < 3; k++) max = Math.max(max, z[row * 3 + k]);
    double sum = 0;
    for (int k = 0; k < 3; k++) sum += Math.exp(z[row * 3 + k] - max);
    return -(z[row * 3 + y] - max - Math.log(sum));
  }

  @Test
  void soft_targets_that_are_one_hot_give_the_hard_loss_with_and_without_weights() {
    Loss plain = new Loss(0, 3);
    assertThat(soft(plain, oneHot())).isCloseTo(hard(plain), within(1e-6));
    double byHand = (ce(LOGITS, 0, 0) + ce(LOGITS, 1, 2) + ce(LOGITS, 2, 1)) / 3;
    assertThat(hard(plain)).isCloseTo(byHand, within(1e-5));
    Loss weighted = new Loss(0, new float[] {1f, 3f, 0.5f}, null, 3);
    assertThat(soft(weighted, oneHot())).isCloseTo(hard(weighted), within(1e-6));
    double w =
        (1 * ce(LOGITS, 0, 0) + 0.5 * ce(LOGITS, 1, 2) + 3 * ce(LOGITS, 2, 1)) / (1 + 0.5 + 3);
    assertThat(hard(weighted)).isCloseTo(w, within(1e-5));
  }

  @Test
  void logit_adjustment_adds_the_log_prior_before_the_softmax() {
    float[] adjust = ClassBalance.logPrior(new int[] {900, 90, 10}, 1.0);
    Loss la = new Loss(0, null, adjust, 3);
    float[] z = LOGITS.clone();
    for (int i = 0; i < 9; i++) z[i] += adjust[i % 3];
    double byHand = (ce(z, 0, 0) + ce(z, 1, 2) + ce(z, 2, 1)) / 3;
    assertThat(hard(la)).isCloseTo(byHand, within(1e-5));
    assertThat(soft(la, oneHot())).isCloseTo(byHand, within(1e-5));
    // a rare true class costs more than without the adjustment, a frequent one less
    Tensor rare = Tensors.floats(new float[] {0, 0, 0}, 1, 3);
    assertThat(la.apply(rare, Tensors.longs(new long[] {2}, 1)).item_double())
        .isGreaterThan(new Loss(0, 3).apply(rare, Tensors.longs(new long[] {2}, 1)).item_double());
  }
}
