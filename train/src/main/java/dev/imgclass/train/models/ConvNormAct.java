package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.export.OnnxGraph;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Convolution, batch norm, optional ReLU: the unit every CNN here is made of. Its two tensors are
 * named by the caller ({@code conv1}/{@code bn1}, {@code downsample.0}/{@code downsample.1}) so
 * that parameter names match torchvision's.
 */
public final class ConvNormAct implements Block {
  final Conv2d conv;
  final BatchNorm2d norm;
  final boolean relu;
  private String convName = "conv";
  private String normName = "bn";

  private ConvNormAct(Conv2d conv, BatchNorm2d norm, boolean relu) {
    this.conv = conv;
    this.norm = norm;
    this.relu = relu;
  }

  /** A conv (padding k/2) + BN (+ ReLU) unit. */
  public static ConvNormAct of(
      int in, int out, int k, int stride, boolean relu, RandomGenerator rng) {
    return new ConvNormAct(new Conv2d(in, out, k, stride, 1, rng), new BatchNorm2d(out), relu);
  }

  /** As {@link #of} with the norm's scale starting at zero (last unit of a residual branch). */
  public static ConvNormAct zeroInit(int in, int out, int k, int stride, RandomGenerator rng) {
    return new ConvNormAct(new Conv2d(in, out, k, stride, 1, rng), new BatchNorm2d(out, 0f), false);
  }

  /**
   * The projection shortcut of a residual block: a strided 1×1 conv + BN when the shape changes
   * (named {@code downsample.0/1} as in torchvision), none when the identity fits.
   */
  public static java.util.Optional<ConvNormAct> shortcut(
      int in, int out, int stride, RandomGenerator rng) {
    return stride != 1 || in != out
        ? java.util.Optional.of(
            of(in, out, 1, stride, false, rng).named("downsample.0", "downsample.1"))
        : java.util.Optional.empty();
  }

  /** Names the two tensors' groups, relative to the enclosing block. */
  public ConvNormAct named(String conv, String norm) {
    this.convName = conv;
    this.normName = norm;
    return this;
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor y = norm.forward(conv.forward(x, training), training);
    return relu ? torch.relu_(y) : y;
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
    return relu ? g.node("Relu", y) : y;
  }

  public int outChannels() {
    return conv.out;
  }
}
