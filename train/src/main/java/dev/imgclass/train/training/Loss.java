package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.train.engine.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Cross-entropy with optional label smoothing (Szegedy et al. 2016) and per-class weights, always
 * computed in FP32 from the logits (libtorch's {@code cross_entropy_loss}, mean reduction).
 */
public final class Loss {
  private static final long MEAN = 1;
  private static final long IGNORE_NONE = -100;
  private final double smoothing;
  private final TensorOptional weights;

  public Loss(double smoothing, List<Double> classWeights, int numClasses) {
    this.smoothing = smoothing;
    if (classWeights.isEmpty()) {
      weights = new TensorOptional();
    } else {
      if (classWeights.size() != numClasses) {
        throw new ImgclassException(
            "got " + classWeights.size() + " class weights for " + numClasses + " classes");
      }
      float[] w = new float[numClasses];
      for (int i = 0; i < numClasses; i++) w[i] = classWeights.get(i).floatValue();
      weights = new TensorOptional(Tensors.floats(w, numClasses));
    }
  }

  /** (B, K) logits, (B) labels -> scalar loss. */
  public Tensor apply(Tensor logits, Tensor labels) {
    Tensor fp32 = logits.to(torch.ScalarType.Float);
    return torch.cross_entropy_loss(fp32, labels, weights, MEAN, IGNORE_NONE, smoothing);
  }
}
