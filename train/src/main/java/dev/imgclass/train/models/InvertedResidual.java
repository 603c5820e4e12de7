package dev.imgclass.train.models;

import dev.imgclass.train.onnx.OnnxGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/**
 * The inverted residual of MobileNetV2/V3 (Sandler et al. 2018; Howard et al. 2019): 1×1 expand,
 * k×k depthwise, optional squeeze-excite, 1×1 linear projection, plus the input when the stride is
 * 1 and the width is kept. Named {@code block.0}, {@code block.1}, … as torchvision's; the expand
 * unit is left out when it would not widen.
 */
public final class InvertedResidual implements Block {
  final List<Block> layers = new ArrayList<>();
  final boolean residual;

  /**
   * One row of a MobileNetV3 block table (channels already scaled by the width multiplier).
   *
   * @param in input channels
   * @param kernel depthwise kernel size
   * @param expanded channels after the 1×1 expansion
   * @param out output channels
   * @param se whether a squeeze-excite follows the depthwise convolution
   * @param act activation of the expand and depthwise units
   * @param stride stride of the depthwise convolution
   */
  public record Config(
      int in, int kernel, int expanded, int out, boolean se, Activation act, int stride) {
    public Config {
      if (stride < 1 || stride > 2)
        throw new IllegalArgumentException(
            "inverted residual stride must be 1 or 2, got " + stride);
    }
  }

  InvertedResidual(Config c, BatchNorm2d.Config bn, RandomGenerator rng) {
    if (c.expanded() != c.in())
      layers.add(ConvNormAct.of(c.in(), c.expanded(), 1, 1, c.act(), bn, rng));
    layers.add(ConvNormAct.depthwise(c.expanded(), c.kernel(), c.stride(), c.act(), bn, rng));
    if (c.se()) {
      int squeeze = MobileNetV3.makeDivisible(c.expanded() / 4, 8);
      layers.add(
          new SqueezeExcite(c.expanded(), squeeze, Activation.RELU, Activation.HARD_SIGMOID, rng));
    }
    layers.add(ConvNormAct.of(c.expanded(), c.out(), 1, 1, Activation.NONE, bn, rng));
    residual = c.stride() == 1 && c.in() == c.out();
  }

  @Override
  public String toOnnx(OnnxGraph g, String x) {
    String y = x;
    for (Block b : layers) y = b.toOnnx(g, y);
    return residual ? g.node("Add", y, x) : y;
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor y = x;
    for (Block b : layers) y = b.forward(y, training);
    return residual ? y.add_(x) : y;
  }

  @Override
  public Shape outputShape(Shape in) {
    for (Block b : layers) in = b.outputShape(in);
    return in;
  }

  @Override
  public long macs(Shape in) {
    long m = 0;
    for (Block b : layers) {
      m += b.macs(in);
      in = b.outputShape(in);
    }
    return m;
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    for (int i = 0; i < layers.size(); i++)
      layers.get(i).collect(ParamStore.join(prefix, "block." + i), store);
  }
}
