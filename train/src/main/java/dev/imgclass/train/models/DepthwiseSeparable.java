package dev.imgclass.train.models;

import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/**
 * A depthwise-separable convolution (Howard et al. 2017, "MobileNets"): a k×k depthwise unit, then
 * a 1×1 pointwise unit, each with BN and activation; about k² times cheaper than a full k×k
 * convolution. Tensors are named as timm's {@code DepthwiseSeparableConv} ({@code conv_dw/bn1},
 * {@code conv_pw/bn2}).
 */
public final class DepthwiseSeparable implements Block {
  final ConvNormAct depthwise;
  final ConvNormAct pointwise;

  DepthwiseSeparable(
      int in,
      int out,
      int k,
      int stride,
      Activation act,
      BatchNorm2d.Config bn,
      RandomGenerator rng) {
    depthwise = ConvNormAct.depthwise(in, k, stride, act, bn, rng).named("conv_dw", "bn1");
    pointwise = ConvNormAct.of(in, out, 1, 1, act, bn, rng).named("conv_pw", "bn2");
  }

  @Override
  public String toOnnx(dev.imgclass.train.onnx.OnnxGraph g, String x) {
    return pointwise.toOnnx(g, depthwise.toOnnx(g, x));
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    return pointwise.forward(depthwise.forward(x, training), training);
  }

  @Override
  public Shape outputShape(Shape in) {
    return pointwise.outputShape(depthwise.outputShape(in));
  }

  @Override
  public long macs(Shape in) {
    return depthwise.macs(in) + pointwise.macs(depthwise.outputShape(in));
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    depthwise.collect(prefix, store);
    pointwise.collect(prefix, store);
  }
}
