package dev.imgclass.train.models;

import dev.imgclass.train.onnx.OnnxGraph;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** 3×3 max pooling with stride 2 and padding 1: the ImageNet ResNet stem's downsampling. */
public final class MaxPool implements Block {
  private static final long[] KERNEL = {3, 3};
  private static final long[] STRIDE = {2, 2};
  private static final long[] PAD = {1, 1};
  private static final long[] DILATION = {1, 1};

  @Override
  public Tensor forward(Tensor x, boolean training) {
    return torch.max_pool2d(x, KERNEL, STRIDE, PAD, DILATION, false);
  }

  @Override
  public String toOnnx(OnnxGraph g, String input) {
    return g.node(
        "MaxPool",
        java.util.List.of(input),
        java.util.List.of(
            OnnxGraph.ints("kernel_shape", 3, 3),
            OnnxGraph.ints("strides", 2, 2),
            OnnxGraph.ints("pads", 1, 1, 1, 1)));
  }

  @Override
  public Shape outputShape(Shape s) {
    return new Shape(s.channels(), (s.height() - 1) / 2 + 1, (s.width() - 1) / 2 + 1);
  }

  @Override
  public long macs(Shape in) {
    return 0;
  }

  @Override
  public void collect(String prefix, ParamStore store) {}
}
