package dev.imgclass.train.compress;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ChannelGroup;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import dev.imgclass.train.training.Loss;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The {@code taylor} criterion (Molchanov et al. 2019, "Importance Estimation for Neural Network
 * Pruning"): a channel's importance is the squared first-order Taylor estimate of the loss change
 * when it is removed, taken at the batch norm after its convolution, (γ·∂L/∂γ + β·∂L/∂β)², summed
 * over training batches (for a residual stream the terms of all its norms are added before
 * squaring). The model runs in eval mode (batch norm on its running statistics, as the pruned model
 * will), the loss is the run's own, and no weight changes.
 */
final class TaylorScores {
  private TaylorScores() {}

  /** Training batches the scores are summed over, when the data has as many. */
  static final int BATCHES = 16;

  /** One score per channel of each group of {@code net}, by group name. */
  static Map<String, float[]> of(Net net, BatchLoader loader, Loss loss, int batches) {
    ModelSpec spec = net.spec();
    int n = Math.min(batches, loader.batchesPerEpoch());
    if (n < 1)
      throw new ImgclassException("the taylor criterion needs at least one training batch");
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (ChannelGroup g : net.channelGroups()) sums.put(g.name(), new double[g.width()]);
    Iterator<Batch> it = loader.epoch(loader.order(0), 0, 0);
    int s = spec.inputSize();
    for (int b = 0; b < n; b++) {
      Batch batch = it.next();
      try (PointerScope scope = new PointerScope()) {
        Tensor x =
            Engine.layout(Tensors.floats(batch.inputs(), batch.size(), spec.inChannels(), s, s));
        Tensor y = Tensors.longs(batch.labels(), batch.size());
        Tensor l = loss.apply(net.forward(x, false), y);
        l.backward();
        try (NoGradGuard ng = new NoGradGuard()) {
          for (ChannelGroup g : net.channelGroups()) {
            // removing a coupled channel removes it at every norm: the first-order terms add
            double[] t = new double[g.width()];
            for (String norm : g.norms()) {
              float[] gamma = Tensors.toFloats(Criterion.tensor(net, norm + ".weight"));
              float[] beta = Tensors.toFloats(Criterion.tensor(net, norm + ".bias"));
              float[] dGamma = grad(net, norm + ".weight", gamma.length);
              float[] dBeta = grad(net, norm + ".bias", beta.length);
              for (int c = 0; c < t.length; c++)
                t[c] += (double) gamma[c] * dGamma[c] + (double) beta[c] * dBeta[c];
            }
            double[] sum = sums.get(g.name());
            for (int c = 0; c < sum.length; c++) sum[c] += t[c] * t[c];
          }
          zeroGrads(net);
        }
      }
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    sums.forEach(
        (k, v) -> {
          float[] f = new float[v.length];
          for (int c = 0; c < v.length; c++) f[c] = (float) v[c];
          out.put(k, f);
        });
    return out;
  }

  private static float[] grad(Net net, String name, int width) {
    Tensor g = Criterion.tensor(net, name).grad();
    return g.defined() ? Tensors.toFloats(g) : new float[width];
  }

  private static void zeroGrads(Net net) {
    for (ParamStore.Entry e : net.params().entries()) {
      if (!e.trainable()) continue;
      Tensor g = e.tensor().grad();
      if (g.defined()) g.zero_();
    }
  }
}
