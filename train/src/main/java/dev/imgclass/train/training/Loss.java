package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.train.engine.Tensors;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Cross-entropy, always computed in FP32 from the logits, with optional label smoothing (Szegedy et
 * al. 2016), per-class weights (weighted mean, as PyTorch's), and logit adjustment (Menon et al.
 * 2021: τ·log prior added to the logits for the loss only). Hard labels use libtorch's {@code
 * cross_entropy_loss}; soft targets (Mixup, CutMix) use −Σ t·log softmax, weighted per image by Σ
 * t·w.
 */
public final class Loss {
  private static final long MEAN = 1;
  private static final long IGNORE_NONE = -100;
  private final double smoothing;
  private final int numClasses;
  private final float[] weightValues;
  private final float[] adjustValues;

  public Loss(double smoothing, float[] classWeights, float[] logitAdjustment, int numClasses) {
    this.smoothing = smoothing;
    this.numClasses = numClasses;
    for (float[] v : new float[][] {classWeights, logitAdjustment}) {
      if (v != null && v.length != numClasses) {
        throw new ImgclassException(
            "got " + v.length + " class weights for " + numClasses + " classes");
      }
    }
    this.weightValues = classWeights;
    this.adjustValues = logitAdjustment;
  }

  /** Plain (optionally smoothed) cross-entropy. */
  public Loss(double smoothing, int numClasses) {
    this(smoothing, null, null, numClasses);
  }

  /** (B, K) logits, (B) labels -> scalar loss. */
  public Tensor apply(Tensor logits, Tensor labels) {
    Tensor z = adjusted(logits);
    TensorOptional w =
        weightValues == null
            ? new TensorOptional()
            : new TensorOptional(Tensors.floats(weightValues, numClasses));
    return torch.cross_entropy_loss(z, labels, w, MEAN, IGNORE_NONE, smoothing);
  }

  /** (B, K) logits, (B, K) target distributions (rows sum to 1) -> scalar loss. */
  public Tensor applySoft(Tensor logits, Tensor targets) {
    Tensor z = adjusted(logits);
    Tensor logp = torch.log_softmax(z, 1, new ScalarTypeOptional());
    float[] ones = new float[numClasses];
    java.util.Arrays.fill(ones, 1f);
    Tensor perImage = logp.mul(targets).matmul(Tensors.floats(ones, numClasses)).neg(); // (B)
    if (weightValues == null) return perImage.mean();
    Tensor w = targets.matmul(Tensors.floats(weightValues, numClasses)); // (B)
    return perImage.mul(w).sum().div(w.sum());
  }

  private Tensor adjusted(Tensor logits) {
    Tensor fp32 = logits.to(torch.ScalarType.Float);
    return adjustValues == null ? fp32 : fp32.add(Tensors.floats(adjustValues, 1, numClasses));
  }

  public double smoothing() {
    return smoothing;
  }
}
