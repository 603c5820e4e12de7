package dev.imgclass.train.models;

import java.util.List;

/**
 * A residual block seen from the stream it adds to, for pruning that stream ({@link
 * ResNet#channelGroups}): which of its convolutions write into the stream and which read from it.
 * Names are relative to the block.
 */
interface Residual extends Block {
  /** The branch's last (conv, norm), whose output the shortcut is added to. */
  String[] lastLayer();

  /** (conv, norm) pairs whose outputs are summed into the block's output stream. */
  default List<String[]> streamWriters() {
    return shortcutConv()
        ? List.of(lastLayer(), new String[] {"downsample.0", "downsample.1"})
        : List.<String[]>of(lastLayer());
  }

  /** Convolutions that read the block's input (as input channels, dimension 1 of their weight). */
  default List<String> inputReaders() {
    return shortcutConv() ? List.of("conv1", "downsample.0") : List.of("conv1");
  }

  /** Whether a k×k (k > 1) convolution reads the block's input. */
  boolean readsInputSpatially();

  /** Whether the shortcut is a convolution (else the identity: input and output are one stream). */
  boolean shortcutConv();

  /** Whether a squeeze-excite rescales the branch's output (its channels are the stream's). */
  boolean squeezeExcite();
}
