package dev.imgclass.train.compress;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ChannelGroup;
import dev.imgclass.train.models.Net;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * How important each channel of a group is; the least important are removed. {@code l1}: the L1
 * norm of the channel's filter in the producing convolution (Li et al. 2017, "Pruning Filters for
 * Efficient ConvNets"). {@code bn-gamma}: |γ| of the batch norm after it, the scale the channel is
 * multiplied by (Liu et al. 2017, "Network Slimming"). {@code taylor}: the squared first-order
 * estimate of the loss change at that batch norm, on training batches ({@link TaylorScores}).
 */
public enum Criterion {
  L1("l1"),
  BN_GAMMA("bn-gamma"),
  /** Measured on training batches: {@link TaylorScores}. */
  TAYLOR("taylor");

  public final String label;

  Criterion(String label) {
    this.label = label;
  }

  public static Criterion parse(String s) {
    for (Criterion c : values()) {
      if (c.label.equals(s.trim().toLowerCase(Locale.ROOT))) return c;
    }
    throw new ImgclassException(
        "unknown pruning criterion '"
            + s
            + "': choose "
            + String.join(", ", Arrays.stream(values()).map(c -> c.label).toList()));
  }

  /**
   * One score per channel of {@code g}; higher is kept first. A group with several producers (a
   * residual stream) sums them: |γ| over its norms as they are (they scale the same sum), and each
   * convolution's L1 norms divided by their mean over the group's channels, so that a stem reading
   * one input channel counts as much as a block's 3×3 convolution reading 64.
   */
  float[] scores(Net net, ChannelGroup g) {
    if (this == TAYLOR)
      throw new IllegalStateException("taylor scores are measured on data: TaylorScores.of");
    float[] s = new float[g.width()];
    try (PointerScope scope = new PointerScope()) {
      if (this == BN_GAMMA) {
        for (String norm : g.norms()) {
          float[] gamma = Tensors.toFloats(tensor(net, norm + ".weight").abs());
          for (int c = 0; c < s.length; c++) s[c] += gamma[c];
        }
        return s;
      }
      boolean several = g.producers().size() > 1;
      for (String conv : g.producers()) {
        float[] w = Tensors.toFloats(tensor(net, conv + ".weight")); // (C, in, k, k)
        int per = w.length / g.width();
        double[] l1 = new double[s.length];
        double total = 0;
        for (int c = 0; c < s.length; c++) {
          for (int i = 0; i < per; i++) l1[c] += Math.abs(w[c * per + i]);
          total += l1[c];
        }
        double mean = total / s.length;
        for (int c = 0; c < s.length; c++)
          s[c] += (float) (several && mean > 0 ? l1[c] / mean : l1[c]);
      }
      return s;
    }
  }

  /** The model's tensor {@code name}. */
  static Tensor tensor(Net net, String name) {
    return net.params()
        .get(name)
        .orElseThrow(() -> new IllegalStateException("no tensor " + name))
        .tensor();
  }
}
