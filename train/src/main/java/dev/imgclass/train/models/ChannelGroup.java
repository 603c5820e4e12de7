package dev.imgclass.train.models;

import java.util.List;

/**
 * Channels that structured pruning removes together: the outputs of one convolution ({@code
 * producer}), the matching entries of its batch norm ({@code norm}) and of every layer that carries
 * them on (a depthwise convolution and its norm, a squeeze-excite), and the inputs of their
 * consumers. Removing channel {@code c} means dropping index {@code c} along {@code dim} of every
 * tensor in {@link #slices}. Channels summed into a residual stream are never in a group: they are
 * coupled across blocks, and pruning leaves them whole.
 *
 * @param name the producer's layer name, the key of {@link dev.imgclass.core.ModelSpec#widths}
 * @param width channels the group has now
 * @param producer the convolution whose filters the group's channels are ({@code NAME.weight})
 * @param norm the batch norm right after it (its scale is the bn-gamma criterion)
 * @param slices every tensor indexed by the group's channels, and along which dimension
 * @param spatial whether a k×k (k > 1), ungrouped convolution reads the group as its input
 *     channels: then only {@link #allowed} widths are safe (see there)
 */
public record ChannelGroup(
    String name, int width, String producer, String norm, List<Slice> slices, boolean spatial) {
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

  /** Tensor {@code tensor}'s dimension {@code dim} runs over the group's channels. */
  public record Slice(String tensor, int dim) {}

  public ChannelGroup {
    slices = List.copyOf(slices);
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
    return new ChannelGroup(name, width, conv, norm, s, spatial);
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
