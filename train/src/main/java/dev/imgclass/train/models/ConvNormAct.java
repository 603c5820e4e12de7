package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.onnx.OnnxGraph;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/**
 * Convolution, batch norm, optional activation: the unit every CNN here is made of (torchvision's
 * {@code Conv2dNormActivation}). Its two tensors are named by the caller ({@code conv1}/{@code
 * bn1}, {@code downsample.0}/{@code downsample.1}; {@code 0}/{@code 1} by default, as in a
 * torchvision {@code Sequential}) so that parameter names match torchvision's.
 */
public final class ConvNormAct implements Block {
  final Conv2d conv;
  final BatchNorm2d norm;
  final Activation act;
  private String convName = "0";
  private String normName = "1";

  private ConvNormAct(Conv2d conv, BatchNorm2d norm, Activation act) {
    this.conv = conv;
    this.norm = norm;
    this.act = act;
  }

  /** A conv (padding k/2) + BN (PyTorch's defaults) + activation unit. */
  public static ConvNormAct of(
      int in, int out, int k, int stride, Activation act, RandomGenerator rng) {
    return of(in, out, k, stride, act, BatchNorm2d.Config.TORCH, rng);
  }

  /** As {@link #of(int, int, int, int, Activation, RandomGenerator)} with a given batch norm. */
  public static ConvNormAct of(
      int in,
      int out,
      int k,
      int stride,
      Activation act,
      BatchNorm2d.Config bn,
      RandomGenerator rng) {
    return new ConvNormAct(
        new Conv2d(in, out, k, stride, 1, rng), new BatchNorm2d(out, 1f, bn), act);
  }

  /**
   * A depthwise unit: one k×k filter per channel ({@code groups = channels}), the spatial half of a
   * depthwise-separable convolution (Howard et al. 2017, "MobileNets").
   */
  public static ConvNormAct depthwise(
      int channels, int k, int stride, Activation act, BatchNorm2d.Config bn, RandomGenerator rng) {
    return new ConvNormAct(
        new Conv2d(channels, channels, k, stride, channels, rng),
        new BatchNorm2d(channels, 1f, bn),
        act);
  }

  /** As {@link #of} with the norm's scale starting at zero (last unit of a residual branch). */
  public static ConvNormAct zeroInit(int in, int out, int k, int stride, RandomGenerator rng) {
    return new ConvNormAct(
        new Conv2d(in, out, k, stride, 1, rng),
        new BatchNorm2d(out, 0f, BatchNorm2d.Config.TORCH),
        Activation.NONE);
  }

  /**
   * The projection shortcut of a residual block: with {@code conv} (the unpruned shapes differ) a
   * strided 1×1 conv + BN (named {@code downsample.0/1} as in torchvision), else none: the
   * identity. The choice is the caller's so that pruning a stream never turns a projection into an
   * identity.
   */
  public static Optional<ConvNormAct> shortcut(
      int in, int out, int stride, boolean conv, RandomGenerator rng) {
    return conv
        ? Optional.of(
            of(in, out, 1, stride, Activation.NONE, rng).named("downsample.0", "downsample.1"))
        : Optional.empty();
  }

  /** Names the two tensors' groups, relative to the enclosing block. */
  public ConvNormAct named(String conv, String norm) {
    this.convName = conv;
    this.normName = norm;
    return this;
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    return act.apply(norm.forward(conv.forward(x, training), training));
  }

  @Override
  public Shape outputShape(Shape in) {
    return conv.outputShape(in);
  }

  @Override
  public long macs(Shape in) {
    return conv.macs(in);
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    conv.collect(ParamStore.join(prefix, convName), store);
    norm.collect(ParamStore.join(prefix, normName), store);
  }

  /** Conv with the norm folded in: W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε); then ReLU. */
  @Override
  public String toOnnx(OnnxGraph g, String input) {
    float[] w = Tensors.toFloats(conv.weight);
    float[] gamma = Tensors.toFloats(norm.weight);
    float[] beta = Tensors.toFloats(norm.bias);
    float[] mean = Tensors.toFloats(norm.runningMean);
    float[] var = Tensors.toFloats(norm.runningVar);
    int out = conv.out;
    int per = w.length / out;
    float[] b = new float[out];
    for (int o = 0; o < out; o++) {
      double s = gamma[o] / Math.sqrt(var[o] + norm.eps());
      for (int i = 0; i < per; i++) w[o * per + i] = (float) (w[o * per + i] * s);
      b[o] = (float) (beta[o] - mean[o] * s);
    }
    int k = conv.kernel;
    int p = conv.padding;
    String wn = g.initializer("conv_w", w, out, conv.in / conv.groups, k, k);
    String bn = g.initializer("conv_b", b, out);
    String y =
        g.node(
            "Conv",
            java.util.List.of(input, wn, bn),
            java.util.List.of(
                OnnxGraph.ints("kernel_shape", k, k),
                OnnxGraph.ints("strides", conv.stride, conv.stride),
                OnnxGraph.ints("pads", p, p, p, p),
                OnnxGraph.ints("dilations", 1, 1),
                OnnxGraph.integer("group", conv.groups)));
    return act.toOnnx(g, y);
  }

  public int outChannels() {
    return conv.out;
  }
}
