package dev.imgclass.train.models;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.onnx.OnnxGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Residual networks (He et al. 2016, "Deep Residual Learning for Image Recognition"). Two families:
 * the CIFAR ResNets (3×3 stem, three stages of 16/32/64 channels, depth 6n+2) for small images, and
 * the ImageNet ResNets (7×7 stride-2 stem + max pool, four stages of 64..512 channels) with basic
 * or bottleneck blocks. Tensor names match torchvision's {@code resnet*}. With {@code se}, every
 * residual block ends in a squeeze-excite (SE-ResNet, Hu et al. 2018; timm's {@code seresnet*}
 * names). ImageNet layouts on small inputs (see {@link Net#SMALL_INPUT}) keep the stem at stride 1
 * and drop its max pool.
 */
public final class ResNet extends Net {
  /** Which stem and block: the CIFAR layout, or ImageNet's with basic or bottleneck blocks. */
  public enum Kind {
    CIFAR,
    BASIC,
    BOTTLENECK
  }

  private final List<Block> stem = new ArrayList<>();
  private final List<List<Block>> stages = new ArrayList<>();
  private static final long[] POOL = {1, 1};

  ResNet(ModelSpec spec, Kind kind, int[] depths, boolean se, RandomGenerator rng) {
    super(spec);
    boolean cifar = kind == Kind.CIFAR;
    boolean small = !cifar && smallInput(spec);
    int width = cifar ? 16 : 64;
    int stemStride = cifar || small ? 1 : 2;
    stem.add(
        ConvNormAct.of(spec.inChannels(), width, cifar ? 3 : 7, stemStride, Activation.RELU, rng)
            .named("conv1", "bn1"));
    if (!cifar && !small) stem.add(new MaxPool());
    int in = width;
    for (int s = 0; s < depths.length; s++) {
      int w = width << s;
      List<Block> blocks = new ArrayList<>();
      for (int b = 0; b < depths[s]; b++) {
        int stride = (b == 0 && s > 0) ? 2 : 1;
        String name = "layer" + (s + 1) + "." + b;
        if (kind == Kind.BOTTLENECK) {
          int w1 = width(name + ".conv1", w);
          int w2 = width(name + ".conv2", w);
          blocks.add(new Bottleneck(in, w, stride, se, w1, w2, rng));
          in = w * Bottleneck.EXPANSION;
        } else {
          blocks.add(new BasicBlock(in, w, stride, se, width(name + ".conv1", w), rng));
          in = w;
        }
      }
      stages.add(blocks);
    }
    head = Head.linear(in, spec.numClasses(), rng);
  }

  @Override
  public Tensor forwardFeatures(Tensor x, boolean training) {
    for (Block b : stem) x = b.forward(x, training);
    for (List<Block> stage : stages) {
      for (Block b : stage) x = b.forward(x, training);
    }
    // (B, C, H, W) -> (B, C)
    return torch.flatten(torch.adaptive_avg_pool2d(x, POOL), 1, -1);
  }

  @Override
  protected String bodyToOnnx(OnnxGraph g, String x) {
    for (Block b : stem) x = b.toOnnx(g, x);
    for (List<Block> stage : stages) {
      for (Block b : stage) x = b.toOnnx(g, x);
    }
    return x;
  }

  @Override
  protected void collectBody(ParamStore store) {
    for (Block b : stem) b.collect("", store);
    for (int s = 0; s < stages.size(); s++) {
      List<Block> stage = stages.get(s);
      for (int b = 0; b < stage.size(); b++)
        stage.get(b).collect("layer" + (s + 1) + "." + b, store);
    }
  }

  /** The blocks' internal widths; the stem and every block's output are the residual stream. */
  @Override
  public List<ChannelGroup> channelGroups() {
    List<ChannelGroup> g = new ArrayList<>();
    for (int s = 0; s < stages.size(); s++) {
      List<Block> stage = stages.get(s);
      for (int b = 0; b < stage.size(); b++)
        g.addAll(stage.get(b).channelGroups("layer" + (s + 1) + "." + b));
    }
    return g;
  }

  @Override
  public List<String> groups() {
    List<String> g = new ArrayList<>(List.of("stem"));
    for (int s = 1; s <= stages.size(); s++) g.add("layer" + s);
    return g;
  }

  @Override
  public int group(String name) {
    if (name.startsWith("layer")) return name.charAt(5) - '0';
    return name.startsWith("conv1.") || name.startsWith("bn1.") ? 0 : -1;
  }

  @Override
  protected long bodyMacs(Shape in) {
    long m = 0;
    for (Block b : stem) {
      m += b.macs(in);
      in = b.outputShape(in);
    }
    for (List<Block> stage : stages) {
      for (Block b : stage) {
        m += b.macs(in);
        in = b.outputShape(in);
      }
    }
    return m;
  }
}
