package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ParamStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Updates parameters from their gradients. Ours rather than libtorch's so that every piece of state
 * (momentum buffers, moment estimates, step count) is a named tensor we can write to a safetensors
 * checkpoint and read back: resume is exact. Norm and bias parameters get no weight decay.
 */
public abstract class Optimizer {
  protected final List<ParamStore.Entry> params;
  private final double[] lrScale;
  protected long steps;
  private Ema ema;

  protected Optimizer(ParamStore store) {
    this(store, name -> 1.0);
  }

  /**
   * @param lrScale each parameter's learning rate as a multiple of the step's, by name (PyTorch's
   *     parameter groups)
   */
  protected Optimizer(ParamStore store, ToDoubleFunction<String> lrScale) {
    // parameters frozen now (requires_grad off) are left out for good; parameters frozen later,
    // for a while, get no gradient then and so no update
    this.params =
        store.entries().stream().filter(e -> e.trainable() && e.tensor().requires_grad()).toList();
    this.lrScale = params.stream().mapToDouble(p -> lrScale.applyAsDouble(p.name())).toArray();
  }

  public static Optimizer create(TrainConfig c, ParamStore store) {
    return create(c, store, name -> 1.0);
  }

  /** An optimizer with per-parameter learning-rate multiples ({@code lrScale}, by name). */
  public static Optimizer create(
      TrainConfig c, ParamStore store, ToDoubleFunction<String> lrScale) {
    return c.optimizer().equals("adamw")
        ? new AdamW(
            store, lrScale, c.momentum() > 0 ? c.momentum() : 0.9, 0.999, 1e-8, c.weightDecay())
        : new Sgd(store, lrScale, c.momentum(), c.nesterov(), c.weightDecay());
  }

  /**
   * Keeps an exponential moving average of every weight and buffer of {@code store}, updated after
   * each step and saved with this optimizer's state; returns it.
   */
  public Ema averageWeights(ParamStore store, double decay) {
    if (steps > 0) throw new IllegalStateException("attach the average before the first step");
    ema = new Ema(store, decay);
    return ema;
  }

  /** The weight average, when {@link #averageWeights} attached one. */
  public java.util.Optional<Ema> ema() {
    return java.util.Optional.ofNullable(ema);
  }

  /** One update with learning rate {@code lr}; call inside the step's PointerScope. */
  public final void step(double lr) {
    try (NoGradGuard g = new NoGradGuard()) {
      steps++;
      for (int i = 0; i < params.size(); i++) {
        ParamStore.Entry p = params.get(i);
        Tensor grad = p.tensor().grad();
        if (grad.defined()) update(i, p, grad, lr * lrScale[i]);
      }
    }
    if (ema != null) ema.update();
  }

  /** Updates parameter {@code index} (into {@link #params}) from its gradient. */
  protected abstract void update(int index, ParamStore.Entry p, Tensor grad, double lr);

  /** Drops the gradients (set to none, as PyTorch's zero_grad default). */
  public void zeroGrad() {
    for (ParamStore.Entry p : params) p.tensor().mutable_grad().reset();
  }

  /**
   * Global L2 norm of all gradients, scaled down to {@code max} when above it; returns the norm.
   */
  public double clipGradNorm(double max) {
    try (NoGradGuard g = new NoGradGuard()) {
      double sq = 0;
      for (ParamStore.Entry p : params) {
        Tensor grad = p.tensor().grad();
        if (grad.defined()) {
          double n = grad.norm().item_double();
          sq += n * n;
        }
      }
      double norm = Math.sqrt(sq);
      if (max > 0 && norm > max && Double.isFinite(norm)) {
        var scale = Tensors.scalar(max / (norm + 1e-6));
        for (ParamStore.Entry p : params) {
          Tensor grad = p.tensor().grad();
          if (grad.defined()) grad.mul_(scale);
        }
      }
      return norm;
    }
  }

  protected static boolean decays(ParamStore.Entry p) {
    return p.kind() == ParamStore.Kind.WEIGHT;
  }

  /** Every state tensor by name, plus the step count. */
  public Map<String, TensorData> state() {
    Map<String, TensorData> out = new LinkedHashMap<>();
    out.put("steps", TensorData.ofLongs(new long[] {steps}, 1));
    stateTensors().forEach((k, v) -> out.put(k, Tensors.toData(v)));
    if (ema != null) ema.putState(out);
    return out;
  }

  public void loadState(Map<String, TensorData> state) {
    TensorData s = state.get("steps");
    if (s == null) throw new ImgclassException("optimizer state has no step count");
    steps = s.toLongs()[0];
    Map<String, Tensor> mine = stateTensors();
    for (Map.Entry<String, Tensor> e : mine.entrySet()) {
      TensorData d = state.get(e.getKey());
      if (d == null)
        throw new ImgclassException(
            "optimizer state lacks "
                + e.getKey()
                + ": the checkpoint is from another optimizer or model");
      try (NoGradGuard g = new NoGradGuard()) {
        e.getValue().copy_(Tensors.fromData(d));
      }
    }
    if (ema != null) ema.loadState(state);
  }

  public long steps() {
    return steps;
  }

  /** The state tensors, persistent across steps, by name. */
  protected abstract Map<String, Tensor> stateTensors();
}
