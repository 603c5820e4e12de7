package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ParamStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * An exponential moving average of a model's weights and running statistics (Polyak averaging, as
 * timm's {@code ModelEmaV2}): after every optimizer step, {@code avg = d·avg + (1 − d)·w} for each
 * floating-point tensor the model owns, batch-norm buffers included, so that the averaged weights
 * come with statistics of their own era. Integer buffers are copied. The decay warms up as {@code d
 * = min(decay, (1 + n) / (10 + n))} after {@code n} updates, so the first steps' random weights
 * fade out quickly. Validation, the best-epoch choice, the test evaluation and the saved weights
 * all use the average; the optimizer keeps training the live weights.
 *
 * <p>The averages are part of the optimizer's state ({@link Optimizer#state}), so checkpoints hold
 * them and a resumed run continues the same average.
 */
public final class Ema {
  private final List<ParamStore.Entry> entries = new ArrayList<>();
  private final Map<String, Tensor> average = new LinkedHashMap<>();
  private final double decay;
  private long updates;

  Ema(ParamStore store, double decay) {
    if (!(decay > 0 && decay < 1))
      throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
    this.decay = decay;
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamStore.Entry e : store.entries()) {
        entries.add(e);
        average.put(e.name(), e.tensor().detach().clone());
      }
    }
  }

  /** The decay used at the next update. */
  double nextDecay() {
    return Math.min(decay, (1.0 + updates + 1) / (10.0 + updates + 1));
  }

  /** Folds the current weights into the average; call after each optimizer step. */
  void update() {
    double d = nextDecay();
    updates++;
    var w = Tensors.scalar(1 - d);
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamStore.Entry e : entries) {
        Tensor live = e.tensor();
        Tensor avg = average.get(e.name());
        if (live.is_floating_point()) avg.lerp_(live, w);
        else avg.copy_(live);
      }
    }
  }

  /**
   * Exchanges the live weights and the average in place: the model then holds the average. Calling
   * it twice restores the model.
   */
  public void swap() {
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamStore.Entry e : entries) {
        Tensor live = e.tensor();
        Tensor avg = average.get(e.name());
        Tensor keep = live.detach().clone();
        live.copy_(avg);
        avg.copy_(keep);
        keep.close();
      }
    }
  }

  /**
   * Computes {@code f} with the average in the model, then puts the live weights back; returns what
   * {@code f} gave.
   */
  public <T> T withAverage(Supplier<T> f) {
    swap();
    try {
      return f.get();
    } finally {
      swap();
    }
  }

  long updates() {
    return updates;
  }

  static final String PREFIX = "ema.";
  static final String UPDATES = "ema_updates";

  void putState(Map<String, TensorData> out) {
    out.put(UPDATES, TensorData.ofLongs(new long[] {updates}, 1));
    average.forEach((k, v) -> out.put(PREFIX + k, Tensors.toData(v)));
  }

  void loadState(Map<String, TensorData> state) {
    TensorData n = state.get(UPDATES);
    if (n == null)
      throw new ImgclassException(
          "the checkpoint holds no weight average: it is from a run without --ema");
    updates = n.toLongs()[0];
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : average.entrySet()) {
        TensorData d = state.get(PREFIX + e.getKey());
        if (d == null)
          throw new ImgclassException("the checkpoint's weight average lacks " + e.getKey());
        e.getValue().copy_(Tensors.fromData(d));
      }
    }
  }
}
