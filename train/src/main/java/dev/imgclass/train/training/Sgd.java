package dev.imgclass.train.training;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ParamStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Stochastic gradient descent with momentum and optional Nesterov momentum (Sutskever et al. 2013),
 * with the same update as PyTorch's {@code SGD}: g += wd·p; buf = m·buf + g; p -= lr·(g + m·buf)
 * with Nesterov, else lr·buf.
 */
final class Sgd extends Optimizer {
  private final double momentum;
  private final boolean nesterov;
  private final double weightDecay;
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();

  Sgd(
      ParamStore store,
      ToDoubleFunction<String> lrScale,
      double momentum,
      boolean nesterov,
      double weightDecay) {
    super(store, lrScale);
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
    if (momentum > 0) {
      for (ParamStore.Entry p : params)
        buffers.put("momentum_buffer." + p.name(), torch.zeros_like(p.tensor()));
    }
  }

  @Override
  protected void update(int index, ParamStore.Entry p, Tensor grad, double lr) {
    Tensor g = grad;
    if (weightDecay > 0 && decays(p)) g = g.add(p.tensor(), Tensors.scalar(weightDecay));
    if (momentum > 0) {
      Tensor buf = buffers.get("momentum_buffer." + p.name());
      buf.mul_(Tensors.scalar(momentum)).add_(g);
      g = nesterov ? g.add(buf, Tensors.scalar(momentum)) : buf;
    }
    p.tensor().add_(g, Tensors.scalar(-lr));
  }

  @Override
  protected Map<String, Tensor> stateTensors() {
    return buffers;
  }
}
