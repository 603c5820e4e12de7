package dev.imgclass.train.models;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.onnx.OnnxGraph;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/**
 * A classification network: a feature extractor (the body) and a {@link Head}, with its {@link
 * ModelSpec}. Tensors are registered by torchvision-compatible names in {@link #params()}.
 */
public abstract class Net {
  /**
   * Inputs smaller than this many pixels a side count as small: the ImageNet models then keep the
   * stem at stride 1 (and the ResNets drop the stem's max pool), so 28×28 and 32×32 images are not
   * reduced to a single pixel. Parameters and their names do not change.
   */
  public static final int SMALL_INPUT = 64;

  private ModelSpec spec;
  protected Head head;
  private ParamStore params;
  private final Set<String> widthsRead = new HashSet<>();

  protected Net(ModelSpec spec) {
    this.spec = spec;
  }

  /**
   * The channel count of layer {@code name}: the spec's {@link ModelSpec#widths} entry (a pruned
   * model), else the architecture's {@code standard}. Constructors call it for every prunable
   * layer.
   */
  protected int width(String name, int standard) {
    widthsRead.add(name);
    return spec.widths().getOrDefault(name, standard);
  }

  /** Refuses widths the architecture has no layer for (a hand-edited or foreign model.json). */
  void checkWidths() {
    for (String name : spec.widths().keySet()) {
      if (!widthsRead.contains(name))
        throw new ImgclassException(
            "model.json gives a width for "
                + name
                + ", which "
                + spec.architecture()
                + " has no prunable layer called; layers with widths: "
                + String.join(", ", channelGroups().stream().map(ChannelGroup::name).toList()));
    }
    if (spec.widths().isEmpty()) return;
    for (ChannelGroup g : channelGroups()) {
      if (g.allowed(g.width()) != g.width())
        throw new ImgclassException(
            "model.json gives "
                + g.name()
                + " "
                + g.width()
                + " channels: a 3x3 convolution reads them, and libtorch computes such"
                + " convolutions correctly only with 8 or a multiple of 16 channels");
    }
  }

  /**
   * The body's channel groups that structured pruning may shrink, in input-to-output order (see
   * {@link ChannelGroup}). An architecture without them refuses pruning with its name.
   */
  public List<ChannelGroup> channelGroups() {
    throw new ImgclassException(
        "the pruner does not know architecture " + spec.architecture() + ": it cannot prune it");
  }

  public ModelSpec spec() {
    return spec;
  }

  /** True when the spec's input is below {@link #SMALL_INPUT} pixels a side. */
  protected static boolean smallInput(ModelSpec spec) {
    return spec.inputSize() < SMALL_INPUT;
  }

  /** (B, C, H, W) -> (B, F) pooled features. */
  public abstract Tensor forwardFeatures(Tensor x, boolean training);

  /** (B, F) -> (B, classes) logits, as in evaluation (no dropout). */
  public Tensor forwardHead(Tensor features) {
    return head.forward(features, false);
  }

  /** (B, F) -> (B, classes) logits; {@code training} turns on the head's dropout, if any. */
  public Tensor forwardHead(Tensor features, boolean training) {
    return head.forward(features, training);
  }

  /** (B, C, H, W) -> (B, classes) logits. */
  public Tensor forward(Tensor x, boolean training) {
    return forwardHead(forwardFeatures(x, training), training);
  }

  /**
   * Replaces the head's last layer with a freshly initialised one for {@code classes}
   * (fine-tuning); the rest of the head is kept.
   */
  public void resetHead(List<String> classes, RandomGenerator rng) {
    head = head.resized(classes.size(), rng);
    spec = spec.withClasses(classes);
    params = null;
  }

  /** Width of the pooled features the head reads. */
  public int featureWidth() {
    return head.features();
  }

  /** Prefix of the tensors of the head's last layer ({@code fc}, {@code classifier.3}). */
  public String logitsLayer() {
    return head.logitsName();
  }

  /** The batch-norm settings of every norm layer (eps matters when mapping foreign weights). */
  BatchNorm2d.Config batchNorm() {
    return BatchNorm2d.Config.TORCH;
  }

  /** Every parameter and buffer, by name, in a fixed order. */
  public ParamStore params() {
    if (params == null) {
      ParamStore store = new ParamStore();
      collectBody(store);
      head.collect(store);
      params = store;
    }
    return params;
  }

  /** The inference graph: body, global average pool, flatten, linear head; returns the logits. */
  public String toOnnx(OnnxGraph g, String input) {
    String pooled =
        g.node("GlobalAveragePool", bodyToOnnx(g, input)); // (B, C, H, W) -> (B, C, 1, 1)
    String flat =
        g.node(
            "Flatten", java.util.List.of(pooled), java.util.List.of(OnnxGraph.integer("axis", 1)));
    return head.toOnnx(g, flat);
  }

  /** The feature extractor's nodes, up to the last feature map (before pooling). */
  protected abstract String bodyToOnnx(OnnxGraph g, String input);

  /** Registers the tensors of everything but the head. */
  protected abstract void collectBody(ParamStore store);

  /**
   * The body's top-level groups in input-to-output order (ResNet: stem, layer1..layer4;
   * MobileNetV3: features.0, features.1, ...), the unit of {@code --freeze N}.
   */
  public abstract List<String> groups();

  /** Index into {@link #groups()} of the body tensor {@code name}; -1 for the head's tensors. */
  public abstract int group(String name);

  /**
   * Freezes the first {@code n} groups of the body (all of it when {@code n} is at least the group
   * count): their parameters stop requiring gradients, so they get none and are not updated, and
   * their batch norms run on their running statistics, unchanged (see {@link BatchNorm2d}).
   */
  public void freeze(int n) {
    if (n < 0)
      throw new ImgclassException("--freeze needs backbone, none or a group count >= 0, got " + n);
    setFrozen(0, n, true);
  }

  /**
   * Freezes ({@code frozen}) or thaws the body groups {@code from} (inclusive) to {@code to}
   * (exclusive, capped at the group count); the head is never touched.
   */
  public void setFrozen(int from, int to, boolean frozen) {
    for (ParamStore.Entry e : params().entries()) {
      int g = group(e.name());
      if (e.trainable() && g >= from && g < to) e.tensor().set_requires_grad(!frozen);
    }
  }

  /** Whether {@code name} is one of the body's tensors (not the head's). */
  public boolean inBody(String name) {
    return group(name) >= 0;
  }

  /** Multiply-accumulates of the body (without the head) for one image of shape {@code in}. */
  protected abstract long bodyMacs(Shape in);

  /** Multiply-accumulates for one image at the spec's input size. */
  public long macs() {
    return macs(spec.inputSize());
  }

  public long macs(int inputSize) {
    return bodyMacs(new Shape(spec.inChannels(), inputSize, inputSize)) + head.macs();
  }

  public long paramCount() {
    return params().trainableCount();
  }
}
