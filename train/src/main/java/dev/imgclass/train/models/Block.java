package dev.imgclass.train.models;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.train.onnx.OnnxGraph;
import org.bytedeco.pytorch.Tensor;

/**
 * One layer or group of layers of a model. Every block runs forward in libtorch, knows its output
 * shape and multiply-accumulate count for an input shape, and names its tensors. The set of block
 * classes is closed and small, so export and pruning can handle each one explicitly.
 */
public interface Block {
  /** (B, C, H, W) -> (B, C', H', W'); {@code training} selects batch statistics in norms. */
  Tensor forward(Tensor x, boolean training);

  Shape outputShape(Shape in);

  /** Multiply-accumulates for one image of shape {@code in}. */
  long macs(Shape in);

  /**
   * The channel groups inside this block that pruning may shrink, its tensors named under {@code
   * prefix}; none by default: a block's outputs are coupled to its neighbours (a stem feeding a
   * residual stream, a depthwise unit), so only blocks that own an internal width list any.
   */
  default java.util.List<ChannelGroup> channelGroups(String prefix) {
    return java.util.List.of();
  }

  /** Registers this block's tensors under {@code prefix}. */
  void collect(String prefix, ParamStore store);

  /**
   * Writes this block's inference-time ONNX nodes (batch norm folded) after tensor {@code input}
   * and returns the name of its output. Call inside a PointerScope.
   */
  default String toOnnx(OnnxGraph g, String input) {
    throw new ImgclassException(
        "cannot export block "
            + getClass().getSimpleName()
            + " to ONNX: the exporter does not know it; no file was written");
  }
}
