package dev.imgclass.train.models;

import dev.imgclass.core.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * MobileNetV3 (Howard et al. 2019, "Searching for MobileNetV3"): a hard-swish stem, the inverted
 * residual table of the paper (Large or Small), a 1×1 conv to 6× the last width, then a
 * linear–hard-swish–dropout–linear classifier. Block tables, width rounding, BN settings (eps
 * 0.001, momentum 0.01) and tensor names are torchvision's {@code mobilenet_v3_*}; use it for cheap
 * inference (0.06–0.22 GMACs at 224 px). On small inputs the stem runs at stride 1.
 */
public final class MobileNetV3 extends Net {
  /** Which table of the paper: Large (Table 1) or Small (Table 2). */
  public enum Size {
    LARGE,
    SMALL
  }

  private static final Activation RE = Activation.RELU;
  private static final Activation HS = Activation.HARD_SWISH;

  // in, kernel, expanded, out, SE, activation, stride: torchvision's _mobilenet_v3_conf at width 1
  private static final List<InvertedResidual.Config> LARGE =
      List.of(
          new InvertedResidual.Config(16, 3, 16, 16, false, RE, 1),
          new InvertedResidual.Config(16, 3, 64, 24, false, RE, 2),
          new InvertedResidual.Config(24, 3, 72, 24, false, RE, 1),
          new InvertedResidual.Config(24, 5, 72, 40, true, RE, 2),
          new InvertedResidual.Config(40, 5, 120, 40, true, RE, 1),
          new InvertedResidual.Config(40, 5, 120, 40, true, RE, 1),
          new InvertedResidual.Config(40, 3, 240, 80, false, HS, 2),
          new InvertedResidual.Config(80, 3, 200, 80, false, HS, 1),
          new InvertedResidual.Config(80, 3, 184, 80, false, HS, 1),
          new InvertedResidual.Config(80, 3, 184, 80, false, HS, 1),
          new InvertedResidual.Config(80, 3, 480, 112, true, HS, 1),
          new InvertedResidual.Config(112, 3, 672, 112, true, HS, 1),
          new InvertedResidual.Config(112, 5, 672, 160, true, HS, 2),
          new InvertedResidual.Config(160, 5, 960, 160, true, HS, 1),
          new InvertedResidual.Config(160, 5, 960, 160, true, HS, 1));
  private static final List<InvertedResidual.Config> SMALL =
      List.of(
          new InvertedResidual.Config(16, 3, 16, 16, true, RE, 2),
          new InvertedResidual.Config(16, 3, 72, 24, false, RE, 2),
          new InvertedResidual.Config(24, 3, 88, 24, false, RE, 1),
          new InvertedResidual.Config(24, 5, 96, 40, true, HS, 2),
          new InvertedResidual.Config(40, 5, 240, 40, true, HS, 1),
          new InvertedResidual.Config(40, 5, 240, 40, true, HS, 1),
          new InvertedResidual.Config(40, 5, 120, 48, true, HS, 1),
          new InvertedResidual.Config(48, 5, 144, 48, true, HS, 1),
          new InvertedResidual.Config(48, 5, 288, 96, true, HS, 2),
          new InvertedResidual.Config(96, 5, 576, 96, true, HS, 1),
          new InvertedResidual.Config(96, 5, 576, 96, true, HS, 1));
  private static final double DROPOUT = 0.2;
  private static final long[] POOL = {1, 1};

  private final List<Block> features = new ArrayList<>();

  MobileNetV3(ModelSpec spec, Size size, double widthMult, RandomGenerator rng) {
    super(spec);
    BatchNorm2d.Config bn = BatchNorm2d.Config.MOBILENET;
    List<InvertedResidual.Config> table = scaled(size == Size.LARGE ? LARGE : SMALL, widthMult);
    int stemStride = smallInput(spec) ? 1 : 2;
    features.add(ConvNormAct.of(spec.inChannels(), table.get(0).in(), 3, stemStride, HS, bn, rng));
    for (InvertedResidual.Config c : table) {
      String expand = "features." + (features.size()) + ".block.0";
      int expanded = c.expanded() != c.in() ? width(expand, c.expanded()) : c.expanded();
      features.add(new InvertedResidual(c, expanded, bn, rng));
    }
    int last = table.get(table.size() - 1).out();
    features.add(ConvNormAct.of(last, 6 * last, 1, 1, HS, bn, rng));
    int width = makeDivisible((size == Size.LARGE ? 1280 : 1024) * widthMult, 8);
    head = Head.mlp(6 * last, width, spec.numClasses(), HS, DROPOUT, rng);
  }

  /** The table with every width multiplied by {@code m} and rounded to a multiple of 8. */
  private static List<InvertedResidual.Config> scaled(List<InvertedResidual.Config> t, double m) {
    return t.stream()
        .map(
            c ->
                new InvertedResidual.Config(
                    makeDivisible(c.in() * m, 8),
                    c.kernel(),
                    makeDivisible(c.expanded() * m, 8),
                    makeDivisible(c.out() * m, 8),
                    c.se(),
                    c.act(),
                    c.stride()))
        .toList();
  }

  /**
   * Rounds {@code v} to the nearest multiple of {@code divisor}, at least {@code divisor} and never
   * more than 10% below {@code v} (torchvision's and TensorFlow's {@code _make_divisible}).
   */
  static int makeDivisible(double v, int divisor) {
    int r = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
    return r < 0.9 * v ? r + divisor : r;
  }

  @Override
  BatchNorm2d.Config batchNorm() {
    return BatchNorm2d.Config.MOBILENET;
  }

  /** Each inverted residual's expansion channels, where it has an expand unit. */
  @Override
  public List<ChannelGroup> channelGroups() {
    List<ChannelGroup> g = new ArrayList<>();
    for (int i = 0; i < features.size(); i++)
      g.addAll(features.get(i).channelGroups("features." + i));
    return g;
  }

  @Override
  protected String bodyToOnnx(dev.imgclass.train.onnx.OnnxGraph g, String x) {
    for (Block b : features) x = b.toOnnx(g, x);
    return x;
  }

  @Override
  public Tensor forwardFeatures(Tensor x, boolean training) {
    for (Block b : features) x = b.forward(x, training);
    // (B, C, H, W) -> (B, C)
    return torch.flatten(torch.adaptive_avg_pool2d(x, POOL), 1, -1);
  }

  @Override
  protected void collectBody(ParamStore store) {
    for (int i = 0; i < features.size(); i++) features.get(i).collect("features." + i, store);
  }

  @Override
  public List<String> groups() {
    List<String> g = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) g.add("features." + i);
    return g;
  }

  @Override
  public int group(String name) {
    if (!name.startsWith("features.")) return -1;
    return Integer.parseInt(name.substring(9, name.indexOf('.', 9)));
  }

  @Override
  protected long bodyMacs(Shape in) {
    long m = 0;
    for (Block b : features) {
      m += b.macs(in);
      in = b.outputShape(in);
    }
    return m;
  }
}
