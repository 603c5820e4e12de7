package dev.imgclass.train.models;

import java.util.List;

/**
 * Channels that structured pruning removes together: the outputs of the convolutions that produce
 * them ({@code producers}: one for a block's internal channels; for a residual stream, every
 * convolution whose output is summed into it, and the stem or shortcut that starts it), the
 * matching entries of their batch norms ({@code norms}) and of every layer that carries them on (a
 * depthwise convolution and its norm, a squeeze-excite), and the inputs of their consumers.
 * Removing channel {@code c} means dropping index {@code c} along {@code dim} of every tensor in
 * {@link #slices}.
 *
 * @param name the group's layer name, the key of {@link dev.imgclass.core.ModelSpec#widths}: the
 *     producer's for a block's internal channels, the stage's ({@code layer2}) for a residual
 *     stream
 * @param width channels the group has now
 * @param producers the convolutions whose filters the group's channels are ({@code NAME.weight})
 * @param norms the batch norm right after each producer (their scales are the bn-gamma criterion)
 * @param slices every tensor indexed by the group's channels, and along which dimension
 * @param spatial whether a k×k (k > 1), ungrouped convolution reads the group as its input
 *     channels: then only {@link #allowed} widths are safe (see there)
 */
public record ChannelGroup(
    String name,
    int width,
    List<String> producers,
    List<String> norms,
    List<Slice> slices,
    boolean spatial) {
  /**
   * Widths libtorch 2.10's FP32 CPU convolution handles correctly around a 3×3 convolution: 8 or a
   * multiple of {@value #SAFE_SMALL}. Measured here against the same convolution in double
   * precision: the forward pass was wrong (errors of hundreds, NaN) from 17, 20, 24, 31, 36, 40,
   * 44, 47, 56 or 63 input channels at every batch, size and output width tried, and the input
   * gradient was wrong (NaN) for 9 output channels from 32 or more inputs; 8, 16, 32, ..., 128 were
   * right both ways, and 1×1 and depthwise convolutions at every width. docs/ARCHITECTURE.md.
   */
  public static final int SAFE_SMALL = 16;

  /** The smallest width a group read by a 3×3 convolution keeps. */
  public static final int SAFE_MIN = 8;

  /**
   * The largest safe width not above {@code n} for a group read by a spatial convolution ({@link
   * #SAFE_MIN} at the least); {@code n} itself otherwise.
   */
  public int allowed(int n) {
    return allowed(n, SAFE_MIN);
  }

  /**
   * As {@link #allowed(int)} with {@code least} channels at the least: {@value #SAFE_SMALL} for a
   * model that will be trained, since the input gradient of a 3×3 convolution producing 8 channels
   * (from 16, at 28×28, batch 128) came out NaN.
   */
  public int allowed(int n, int least) {
    if (!spatial) return n;
    if (n < SAFE_SMALL) return Math.min(width, least);
    return n / SAFE_SMALL * SAFE_SMALL;
  }

  /**
   * The width the pruner leaves when it would keep {@code n} channels: {@link #allowed(int, int)},
   * then, for a group no 3×3 convolution reads, down to the alignment its present width has (the
   * largest power of two dividing it, at most {@value #ALIGN}). ONNX Runtime's CPU convolutions
   * work on blocks of 8 (AVX2) or 16 (AVX-512) channels; a pruned MobileNetV3 with arbitrary
   * expansion widths ran 3× slower than the unpruned model (bench/RESULTS-compress.md). A width
   * that is not aligned is still correct: models pruned before this rule load as they are.
   */
  public int prunedTo(int n, int least) {
    int w = allowed(n, least);
    if (spatial) return w;
    int align = Math.min(ALIGN, Integer.lowestOneBit(width));
    return w < align ? Math.min(width, align) : w / align * align;
  }

  /** The step {@link #prunedTo} widths come in above the smallest. */
  public int step() {
    return spatial ? SAFE_SMALL : Math.min(ALIGN, Integer.lowestOneBit(width));
  }

  /** The most channels {@link #prunedTo} aligns widths to. */
  public static final int ALIGN = 16;

  /** Tensor {@code tensor}'s dimension {@code dim} runs over the group's channels. */
  public record Slice(String tensor, int dim) {}

  public ChannelGroup {
    producers = List.copyOf(producers);
    norms = List.copyOf(norms);
    slices = List.copyOf(slices);
    if (producers.isEmpty() || producers.size() != norms.size())
      throw new IllegalArgumentException(name + ": one norm per producer, at least one");
  }

  /**
   * A group produced by conv {@code conv} (with norm {@code norm}) and read by the convolutions
   * {@code consumers} as input channels, with any further {@code extra} slices.
   */
  static ChannelGroup of(
      String name,
      int width,
      String conv,
      String norm,
      List<String> consumers,
      List<Slice> extra,
      boolean spatial) {
    List<Slice> s = new java.util.ArrayList<>();
    s.add(new Slice(conv + ".weight", 0));
    s.addAll(normSlices(norm));
    s.addAll(extra);
    for (String c : consumers) s.add(new Slice(c + ".weight", 1));
    return new ChannelGroup(name, width, List.of(conv), List.of(norm), s, spatial);
  }

  /**
   * A residual block's internal group: conv {@code conv} and norm {@code norm} (names relative to
   * the block at {@code prefix}) produce it, conv {@code consumer} reads it.
   */
  static ChannelGroup inner(
      String prefix, String conv, String norm, int width, String consumer, boolean spatial) {
    String c = ParamStore.join(prefix, conv);
    return of(
        c,
        width,
        c,
        ParamStore.join(prefix, norm),
        List.of(ParamStore.join(prefix, consumer)),
        List.of(),
        spatial);
  }

  /** The four per-channel tensors of batch norm {@code norm}. */
  static List<Slice> normSlices(String norm) {
    return List.of(
        new Slice(norm + ".weight", 0),
        new Slice(norm + ".bias", 0),
        new Slice(norm + ".running_mean", 0),
        new Slice(norm + ".running_var", 0));
  }
}
