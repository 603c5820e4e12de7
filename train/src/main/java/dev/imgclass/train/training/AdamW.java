package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ParamStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization",
 * 2019), as PyTorch's {@code AdamW}: p *= 1 - lr·wd; then the bias-corrected Adam step. As in
 * PyTorch, each parameter counts its own updates for the bias correction: a body that joins after a
 * head-only warm-up starts its moments afresh instead of being corrected as if they were old.
 */
final class AdamW extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, Tensor> moments = new LinkedHashMap<>();
  private final long[] updates; // per parameter, for the bias correction

  AdamW(
      ParamStore store,
      ToDoubleFunction<String> lrScale,
      double beta1,
      double beta2,
      double eps,
      double weightDecay) {
    super(store, lrScale);
    this.updates = new long[params.size()];
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
  protected void update(int index, ParamStore.Entry p, Tensor grad, double lr) {
    long t = ++updates[index];
    Tensor w = p.tensor();
    if (weightDecay > 0 && decays(p)) w.mul_(Tensors.scalar(1 - lr * weightDecay));
    Tensor m = moments.get("exp_avg." + p.name());
    Tensor v = moments.get("exp_avg_sq." + p.name());
    m.mul_(Tensors.scalar(beta1)).add_(grad, Tensors.scalar(1 - beta1));
    v.mul_(Tensors.scalar(beta2)).addcmul_(grad, grad, Tensors.scalar(1 - beta2));
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    Tensor denom = v.sqrt().div_(Tensors.scalar(Math.sqrt(bc2))).add_(Tensors.scalar(eps));
    w.addcdiv_(m, denom, Tensors.scalar(-lr / bc1));
  }

  @Override
  protected Map<String, Tensor> stateTensors() {
    return moments;
  }

  /** Name of the per-parameter update counts in the saved state. */
  static final String UPDATES = "updates";

  @Override
  public Map<String, TensorData> state() {
    Map<String, TensorData> out = super.state();
    out.put(UPDATES, TensorData.ofLongs(updates.clone(), updates.length));
    return out;
  }

  @Override
  public void loadState(Map<String, TensorData> state) {
    super.loadState(state);
    TensorData u = state.get(UPDATES);
    if (u == null) {
      // written before per-parameter counts: every parameter was updated at every step
      java.util.Arrays.fill(updates, steps);
    } else {
      long[] saved = u.toLongs();
      if (saved.length != updates.length)
        throw new ImgclassException(
            "optimizer state counts updates of "
                + saved.length
                + " parameters, this model trains "
                + updates.length);
      System.arraycopy(saved, 0, updates, 0, saved.length);
    }
  }
}
