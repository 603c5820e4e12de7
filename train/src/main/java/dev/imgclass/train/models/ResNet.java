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
  private final List<Integer> streams = new ArrayList<>(); // each stage's stream width
  private final Kind kind;
  private static final long[] POOL = {1, 1};

  ResNet(ModelSpec spec, Kind kind, int[] depths, boolean se, RandomGenerator rng) {
    super(spec);
    this.kind = kind;
    boolean cifar = kind == Kind.CIFAR;
    boolean small = !cifar && smallInput(spec);
    int width = cifar ? 16 : 64;
    int stemStride = cifar || small ? 1 : 2;
    // the stem writes the first stage's stream where layer1.0's shortcut is the identity
    int stemWidth = kind == Kind.BOTTLENECK ? width("conv1", width) : width("layer1", width);
    stem.add(
        ConvNormAct.of(
                spec.inChannels(), stemWidth, cifar ? 3 : 7, stemStride, Activation.RELU, rng)
            .named("conv1", "bn1"));
    if (!cifar && !small) stem.add(new MaxPool());
    int in = stemWidth;
    int inStandard = width;
    for (int s = 0; s < depths.length; s++) {
      int w = width << s;
      int standard = kind == Kind.BOTTLENECK ? w * Bottleneck.EXPANSION : w;
      int out = width("layer" + (s + 1), standard);
      List<Block> blocks = new ArrayList<>();
      for (int b = 0; b < depths[s]; b++) {
        int stride = (b == 0 && s > 0) ? 2 : 1;
        boolean conv = stride != 1 || inStandard != standard;
        String name = "layer" + (s + 1) + "." + b;
        if (kind == Kind.BOTTLENECK) {
          int w1 = width(name + ".conv1", w);
          int w2 = width(name + ".conv2", w);
          blocks.add(new Bottleneck(in, w, stride, se, w1, w2, out, conv, rng));
        } else {
          int inner = width(name + ".conv1", w);
          blocks.add(new BasicBlock(in, out, stride, se, inner, standard, conv, rng));
        }
        in = out;
        inStandard = standard;
      }
      stages.add(blocks);
      streams.add(out);
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

  /**
   * The blocks' internal widths and, per stage, its residual stream ({@code layerN}): every
   * convolution summed into the stream (each block's last conv, the first block's projection
   * shortcut, the stem where the first block's shortcut is the identity) with its norm and
   * squeeze-excite, and every reader of the stream (the next blocks' first conv and projection, the
   * classifier). Where the stem feeds a projection (the bottleneck ResNets) it is a group of its
   * own, {@code conv1}. Order: input to output, a stage's blocks before its stream.
   */
  @Override
  public List<ChannelGroup> channelGroups() {
    List<ChannelGroup> g = new ArrayList<>();
    if (kind == Kind.BOTTLENECK) {
      Residual first = (Residual) stages.get(0).get(0);
      g.add(
          stream(
              "conv1",
              ((ConvNormAct) stem.get(0)).outChannels(),
              List.<String[]>of(new String[] {"conv1", "bn1"}),
              List.of(),
              readers("layer1.0", first),
              first.readsInputSpatially()));
    }
    for (int s = 0; s < stages.size(); s++) {
      List<Block> stage = stages.get(s);
      List<String[]> writers = new ArrayList<>();
      List<ChannelGroup.Slice> se = new ArrayList<>();
      List<ChannelGroup.Slice> readers = new ArrayList<>();
      boolean spatial = false;
      for (int b = 0; b < stage.size(); b++) {
        String prefix = "layer" + (s + 1) + "." + b;
        Residual block = (Residual) stage.get(b);
        g.addAll(block.channelGroups(prefix));
        if (b == 0 && !block.shortcutConv()) {
          if (s > 0 || kind == Kind.BOTTLENECK)
            throw new IllegalStateException(prefix + ": an identity shortcut between two stages");
          writers.add(new String[] {"conv1", "bn1"});
        }
        for (String[] w : block.streamWriters())
          writers.add(new String[] {ParamStore.join(prefix, w[0]), ParamStore.join(prefix, w[1])});
        if (block.squeezeExcite()) {
          String e = ParamStore.join(prefix, "se");
          se.add(new ChannelGroup.Slice(e + ".fc1.weight", 1));
          se.add(new ChannelGroup.Slice(e + ".fc2.weight", 0));
          se.add(new ChannelGroup.Slice(e + ".fc2.bias", 0));
        }
        if (b > 0 || !block.shortcutConv()) { // its input is this stream
          readers.addAll(readers(prefix, block));
          spatial |= block.readsInputSpatially();
        }
      }
      if (s + 1 < stages.size()) {
        Residual next = (Residual) stages.get(s + 1).get(0);
        readers.addAll(readers("layer" + (s + 2) + ".0", next));
        spatial |= next.readsInputSpatially();
      } else {
        readers.add(new ChannelGroup.Slice("fc.weight", 1));
      }
      g.add(stream("layer" + (s + 1), streams.get(s), writers, se, readers, spatial));
    }
    return g;
  }

  /**
   * The input-channel slices of the convolutions of {@code block} (at {@code prefix}) that read its
   * input.
   */
  private static List<ChannelGroup.Slice> readers(String prefix, Residual block) {
    return block.inputReaders().stream()
        .map(c -> new ChannelGroup.Slice(ParamStore.join(prefix, c) + ".weight", 1))
        .toList();
  }

  /** A group written by the (conv, norm) pairs {@code writers} and read by {@code readers}. */
  private static ChannelGroup stream(
      String name,
      int width,
      List<String[]> writers,
      List<ChannelGroup.Slice> extra,
      List<ChannelGroup.Slice> readers,
      boolean spatial) {
    List<ChannelGroup.Slice> slices = new ArrayList<>();
    List<String> convs = new ArrayList<>();
    List<String> norms = new ArrayList<>();
    for (String[] w : writers) {
      convs.add(w[0]);
      norms.add(w[1]);
      slices.add(new ChannelGroup.Slice(w[0] + ".weight", 0));
      slices.addAll(ChannelGroup.normSlices(w[1]));
    }
    slices.addAll(extra);
    slices.addAll(readers);
    return new ChannelGroup(name, width, convs, norms, slices, spatial);
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
