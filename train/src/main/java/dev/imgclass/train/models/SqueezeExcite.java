package dev.imgclass.train.models;

import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Squeeze-and-excitation (Hu et al. 2018, "Squeeze-and-Excitation Networks"): global average pool,
 * 1×1 conv down to {@code squeeze} channels, activation, 1×1 conv back, gate, then rescale the
 * input's channels. Tensors are named {@code fc1}/{@code fc2} (convolutions with bias) as in
 * torchvision's {@code SqueezeExcitation}; MobileNetV3 gates with hard-sigmoid, SE-ResNet with
 * sigmoid.
 */
public final class SqueezeExcite implements Block {
  final int channels;
  final int squeeze;
  final Activation act;
  final Activation gate;
  final Tensor fc1Weight; // (squeeze, channels, 1, 1)
  final Tensor fc1Bias; // (squeeze)
  final Tensor fc2Weight; // (channels, squeeze, 1, 1)
  final Tensor fc2Bias; // (channels)
  private final TensorOptional b1;
  private final TensorOptional b2;
  private static final long[] ONE = {1, 1};
  private static final long[] ZERO = {0, 0};

  SqueezeExcite(int channels, int squeeze, Activation act, Activation gate, RandomGenerator rng) {
    this.channels = channels;
    this.squeeze = squeeze;
    this.act = act;
    this.gate = gate;
    this.fc1Weight = Init.kaimingNormalFanOut(rng, squeeze, channels, 1, 1);
    this.fc1Bias = Init.param(Init.constant(0f, squeeze));
    this.fc2Weight = Init.kaimingNormalFanOut(rng, channels, squeeze, 1, 1);
    this.fc2Bias = Init.param(Init.constant(0f, channels));
    this.b1 = new TensorOptional(fc1Bias);
    this.b2 = new TensorOptional(fc2Bias);
  }

  /**
   * SE-ResNet's unit: reduction 16 (at least 8 channels), ReLU, sigmoid gate, as timm's; on {@code
   * channels} channels of a stream whose unpruned width, {@code standard}, sets the squeeze width
   * (pruning a stream leaves the squeeze whole).
   */
  static SqueezeExcite resnet(int channels, int standard, RandomGenerator rng) {
    return new SqueezeExcite(
        channels, squeezeWidth(standard, 16), Activation.RELU, Activation.SIGMOID, rng);
  }

  /** Squeeze width {@code channels / ratio}, rounded to a multiple of 8 (at least 8), as timm. */
  static int squeezeWidth(int channels, int ratio) {
    return MobileNetV3.makeDivisible(channels / (double) ratio, 8);
  }

  @Override
  public String toOnnx(dev.imgclass.train.onnx.OnnxGraph g, String x) {
    String s = g.node("GlobalAveragePool", x); // (B, C, H, W) -> (B, C, 1, 1)
    s = act.toOnnx(g, conv1x1(g, s, fc1Weight, fc1Bias));
    s = gate.toOnnx(g, conv1x1(g, s, fc2Weight, fc2Bias));
    return g.node("Mul", x, s);
  }

  private static String conv1x1(dev.imgclass.train.onnx.OnnxGraph g, String x, Tensor w, Tensor b) {
    long[] shape = dev.imgclass.train.engine.Tensors.shape(w);
    String wn = g.initializer("se_w", dev.imgclass.train.engine.Tensors.toFloats(w), shape);
    String bn = g.initializer("se_b", dev.imgclass.train.engine.Tensors.toFloats(b), shape[0]);
    return g.node(
        "Conv",
        java.util.List.of(x, wn, bn),
        java.util.List.of(dev.imgclass.train.onnx.OnnxGraph.ints("kernel_shape", 1, 1)));
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor s = torch.adaptive_avg_pool2d(x, ONE); // (B, C, H, W) -> (B, C, 1, 1)
    s = act.apply(torch.conv2d(s, fc1Weight, b1, ONE, ZERO, ONE, 1)); // -> (B, S, 1, 1)
    s = gate.apply(torch.conv2d(s, fc2Weight, b2, ONE, ZERO, ONE, 1)); // -> (B, C, 1, 1)
    return x.mul(s);
  }

  @Override
  public Shape outputShape(Shape in) {
    return in;
  }

  @Override
  public long macs(Shape in) {
    return 2L * channels * squeeze; // the two 1x1 convs on the pooled vector
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    store.add(ParamStore.join(prefix, "fc1.weight"), fc1Weight, ParamStore.Kind.WEIGHT);
    store.add(ParamStore.join(prefix, "fc1.bias"), fc1Bias, ParamStore.Kind.NO_DECAY);
    store.add(ParamStore.join(prefix, "fc2.weight"), fc2Weight, ParamStore.Kind.WEIGHT);
    store.add(ParamStore.join(prefix, "fc2.bias"), fc2Bias, ParamStore.Kind.NO_DECAY);
  }
}
