package dev.imgclass.train.models;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The element-wise non-linearities of the zoo. Hard-swish and hard-sigmoid are the cheap
 * piece-wise-linear stand-ins for swish and sigmoid of MobileNetV3 (Howard et al. 2019, "Searching
 * for MobileNetV3").
 */
public enum Activation {
  /** The identity: the last unit of a residual branch or a linear bottleneck. */
  NONE,
  RELU,
  /** min(max(x, 0), 6): MobileNetV2's activation, robust in low precision. */
  RELU6,
  /** x · relu6(x + 3) / 6. */
  HARD_SWISH,
  /** relu6(x + 3) / 6: the gate of MobileNetV3's squeeze-excite. */
  HARD_SIGMOID,
  /** 1 / (1 + e^-x): the gate of the original squeeze-excite. */
  SIGMOID;

  /** Applies the activation; may reuse {@code x}'s storage only where autograd allows it. */
  /** The activation as ONNX nodes after tensor {@code x} (opset 14+: HardSwish). */
  public String toOnnx(dev.imgclass.train.onnx.OnnxGraph g, String x) {
    return switch (this) {
      case NONE -> x;
      case RELU -> g.node("Relu", x);
      case RELU6 ->
          g.node(
              "Clip",
              x,
              g.initializer("zero", new float[] {0f}),
              g.initializer("six", new float[] {6f}));
      case HARD_SWISH -> g.node("HardSwish", x);
      case HARD_SIGMOID -> // torch: relu6(x + 3) / 6, i.e. alpha 1/6, beta 1/2 (ONNX's defaults
          // differ)
          g.node(
              "HardSigmoid",
              java.util.List.of(x),
              java.util.List.of(
                  dev.imgclass.train.onnx.OnnxGraph.real("alpha", 1f / 6),
                  dev.imgclass.train.onnx.OnnxGraph.real("beta", 0.5f)));
      case SIGMOID -> g.node("Sigmoid", x);
    };
  }

  public Tensor apply(Tensor x) {
    return switch (this) {
      case NONE -> x;
      case RELU -> torch.relu_(x); // backward reads the output, so in place is safe
      case RELU6 -> torch.relu6(x);
      case HARD_SWISH -> torch.hardswish(x);
      case HARD_SIGMOID -> torch.hardsigmoid(x);
      case SIGMOID -> torch.sigmoid(x);
    };
  }
}
