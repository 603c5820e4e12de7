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
  private final boolean expands;

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

  /**
   * {@code expanded} is the expansion width actually built: {@code c.expanded()} unless pruned. The
   * table row alone decides the layout (whether there is an expand unit, the squeeze width), so a
   * pruned block keeps its architecture's shape.
   */
  InvertedResidual(Config c, int expanded, BatchNorm2d.Config bn, RandomGenerator rng) {
    expands = c.expanded() != c.in();
    if (expands) layers.add(ConvNormAct.of(c.in(), expanded, 1, 1, c.act(), bn, rng));
    layers.add(ConvNormAct.depthwise(expanded, c.kernel(), c.stride(), c.act(), bn, rng));
    if (c.se()) {
      int squeeze = MobileNetV3.makeDivisible(c.expanded() / 4, 8);
      layers.add(
          new SqueezeExcite(expanded, squeeze, Activation.RELU, Activation.HARD_SIGMOID, rng));
    }
    layers.add(ConvNormAct.of(expanded, c.out(), 1, 1, Activation.NONE, bn, rng));
    residual = c.stride() == 1 && c.in() == c.out();
  }

  /**
   * The expansion channels, one coupled group: the expand unit's outputs = the depthwise unit's
   * channels (one filter each) = the squeeze-excite's input and gate (fc1's inputs, fc2's outputs;
   * its squeeze width stays) = the projection's inputs. A block without an expand unit has none:
   * its depthwise channels are the previous block's outputs.
   */
  @Override
  public List<ChannelGroup> channelGroups(String prefix) {
    if (!expands) return List.of();
    String expand = ParamStore.join(prefix, "block.0");
    String dw = ParamStore.join(prefix, "block.1");
    List<ChannelGroup.Slice> extra = new ArrayList<>();
    extra.add(new ChannelGroup.Slice(dw + ".0.weight", 0));
    extra.addAll(ChannelGroup.normSlices(dw + ".1"));
    if (layers.get(2) instanceof SqueezeExcite) {
      String se = ParamStore.join(prefix, "block.2");
      extra.add(new ChannelGroup.Slice(se + ".fc1.weight", 1));
      extra.add(new ChannelGroup.Slice(se + ".fc2.weight", 0));
      extra.add(new ChannelGroup.Slice(se + ".fc2.bias", 0));
    }
    String project = ParamStore.join(prefix, "block." + (layers.size() - 1) + ".0");
    return List.of(
        ChannelGroup.of(
            expand,
            ((ConvNormAct) layers.get(0)).outChannels(),
            expand + ".0",
            expand + ".1",
            List.of(project),
            extra,
            false)); // depthwise and 1x1 convolutions: every width is safe
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
