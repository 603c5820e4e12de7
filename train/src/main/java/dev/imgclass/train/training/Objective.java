package dev.imgclass.train.training;

import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * What {@link ClassificationTask} minimises for one batch, from the student's logits: plain
 * cross-entropy ({@link #supervised}), or cross-entropy with a teacher's soft targets ({@link
 * Distillation}). The task owns the step (forward, backward, update); the objective owns the loss,
 * so a new loss never copies the step.
 */
@FunctionalInterface
interface Objective {
  /**
   * @param batch the batch, with labels and, when mixed, soft targets
   * @param inputs the student's (B, C, H, W) input
   * @param logits the student's (B, K) logits (BF16 under autocast)
   * @param labels (B) class indices
   */
  Terms apply(Batch batch, Tensor inputs, Tensor logits, Tensor labels);

  /** The scalar to minimise and its named parts (scalars, for reporting), in order. */
  record Terms(Tensor total, Map<String, Tensor> parts) {
    static Terms of(Tensor total) {
      return new Terms(total, Map.of());
    }

    /** The parts' values, for a {@link StepResult}. */
    Map<String, Double> values() {
      Map<String, Double> out = new LinkedHashMap<>();
      parts.forEach((name, t) -> out.put(name, t.item_double()));
      return out;
    }
  }

  /** Cross-entropy with the batch's hard labels, or its soft targets when it was mixed. */
  static Objective supervised(Loss loss) {
    return (batch, inputs, logits, labels) -> Terms.of(crossEntropy(loss, batch, logits, labels));
  }

  /** The run's cross-entropy (smoothing, class weights, logit adjustment) on one batch. */
  static Tensor crossEntropy(Loss loss, Batch batch, Tensor logits, Tensor labels) {
    if (batch.targets() == null) return loss.apply(logits, labels);
    int k = batch.targets().length / batch.size();
    return loss.applySoft(logits, Tensors.floats(batch.targets(), batch.size(), k));
  }
}
