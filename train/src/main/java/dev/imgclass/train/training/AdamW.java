package dev.imgclass.train.training;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ParamStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * 2019), as PyTorch's {@code AdamW}: p *= 1 - lr·wd; then the bias-corrected Adam step.
 */
final class AdamW extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, Tensor> moments = new LinkedHashMap<>();

  AdamW(ParamStore store, double beta1, double beta2, double eps, double weightDecay) {
    super(store);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (ParamStore.Entry p : params) {
      moments.put("exp_avg." + p.name(), torch.zeros_like(p.tensor()));
      moments.put("exp_avg_sq." + p.name(), torch.zeros_like(p.tensor()));
    }
  }

  @Override
  protected void update(ParamStore.Entry p, Tensor grad, double lr) {
    Tensor w = p.tensor();
    if (weightDecay > 0 && decays(p)) w.mul_(Tensors.scalar(1 - lr * weightDecay));
    Tensor m = moments.get("exp_avg." + p.name());
    Tensor v = moments.get("exp_avg_sq." + p.name());
    m.mul_(Tensors.scalar(beta1)).add_(grad, Tensors.scalar(1 - beta1));
    v.mul_(Tensors.scalar(beta2)).addcmul_(grad, grad, Tensors.scalar(1 - beta2));
    double bc1 = 1 - Math.pow(beta1, steps);
    double bc2 = 1 - Math.pow(beta2, steps);
    Tensor denom = v.sqrt().div_(Tensors.scalar(Math.sqrt(bc2))).add_(Tensors.scalar(eps));
    w.addcdiv_(m, denom, Tensors.scalar(-lr / bc1));
  }

  @Override
  protected Map<String, Tensor> stateTensors() {
    return moments;
  }
}
