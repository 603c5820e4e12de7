package dev.imgclass.train.training;

import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Knowledge distillation (Hinton et al. 2015, "Distilling the Knowledge in a Neural Network") as
 * the task's objective: {@code (1 − α)·CE(student, labels) + α·T²·KL(softmax(teacher/T) ‖
 * softmax(student/T))}, the KL divergence summed over classes and averaged over the batch. The CE
 * part is the run's own loss (label smoothing, class weights, logit adjustment; soft targets for
 * Mixup/CutMix); the teacher runs frozen, in eval mode, on the same (augmented) batch. T² keeps the
 * soft term's gradients at the scale of the hard term's as T changes.
 */
final class Distillation implements Objective {
  private final Teacher teacher;
  private final Loss loss;
  private final double alpha;
  private final double temperature;

  Distillation(Teacher teacher, Loss loss, double alpha, double temperature) {
    this.teacher = teacher;
    this.loss = loss;
    this.alpha = alpha;
    this.temperature = temperature;
  }

  @Override
  public Terms apply(Batch batch, Tensor inputs, Tensor logits, Tensor labels) {
    Tensor ce = Objective.crossEntropy(loss, batch, logits, labels);
    Tensor kd = softTerm(logits, teacher.logits(batch, inputs), temperature);
    Tensor total = ce.mul(Tensors.scalar(1 - alpha)).add(kd.mul(Tensors.scalar(alpha)));
    Map<String, Tensor> parts = new LinkedHashMap<>();
    parts.put("ce", ce);
    parts.put("kd", kd);
    return new Terms(total, parts);
  }

  /**
   * {@code T²·(1/B)·Σ_b Σ_k p_t·(log p_t − log p_s)} with {@code p = softmax(logits/T)}, in FP32:
   * the batch mean of the per-image KL divergence. Not PyTorch's {@code KLDivLoss()} at its default
   * reduction, which divides by B·K and makes the term K times too small.
   *
   * @param student (B, K) student logits, with gradient
   * @param teacher (B, K) teacher logits, without
   */
  static Tensor softTerm(Tensor student, Tensor teacher, double temperature) {
    ScalarTypeOptional same = new ScalarTypeOptional();
    Scalar t = Tensors.scalar(temperature);
    Tensor logPs = torch.log_softmax(student.to(torch.ScalarType.Float).div(t), 1, same);
    Tensor logPt = torch.log_softmax(teacher.to(torch.ScalarType.Float).div(t), 1, same);
    Tensor perImage = logPt.exp().mul(logPt.sub(logPs)).sum(1); // (B, K) -> (B)
    return perImage.mean().mul(Tensors.scalar(temperature * temperature));
  }
}
