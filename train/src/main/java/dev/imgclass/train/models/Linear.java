package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.onnx.OnnxGraph;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** A fully connected layer, (B, in) -> (B, out), as used by the classifier heads. */
public final class Linear {
  final int in;
  final int out;
  final Tensor weight; // (out, in)
  final Tensor bias; // (out)
  private final double std; // > 0: weights ~ N(0, std), bias 0; else PyTorch's default init
  private final TensorOptional biasOpt;

  /** PyTorch's default init: weights and bias uniform in ±1/sqrt(in) (the ResNets' head). */
  Linear(int in, int out, RandomGenerator rng) {
    this(in, out, 0, rng);
  }

  private Linear(int in, int out, double std, RandomGenerator rng) {
    this.in = in;
    this.out = out;
    this.std = std;
    this.weight = std > 0 ? Init.normal(rng, std, out, in) : Init.uniformFanIn(rng, in, out, in);
    this.bias = std > 0 ? Init.param(Init.constant(0f, out)) : Init.uniformFanIn(rng, in, out);
    this.biasOpt = new TensorOptional(bias);
  }

  /** Weights ~ N(0, std), bias 0 (torchvision's MobileNetV3 classifier). */
  static Linear normal(int in, int out, double std, RandomGenerator rng) {
    return new Linear(in, out, std, rng);
  }

  /** A fresh layer with the same input width and init rule, for {@code out} outputs. */
  Linear resized(int out, RandomGenerator rng) {
    return new Linear(in, out, std, rng);
  }

  /** (B, in) -> (B, out) */
  Tensor forward(Tensor x) {
    return torch.linear(x, weight, biasOpt);
  }

  /** Gemm: (B, in) x weightᵀ + bias -> (B, out). */
  String toOnnx(OnnxGraph g, String input) {
    String w = g.initializer("fc_w", Tensors.toFloats(weight), out, in);
    String b = g.initializer("fc_b", Tensors.toFloats(bias), out);
    return g.node(
        "Gemm", java.util.List.of(input, w, b), java.util.List.of(OnnxGraph.integer("transB", 1)));
  }

  long macs() {
    return (long) in * out;
  }

  void collect(String prefix, ParamStore store) {
    store.add(ParamStore.join(prefix, "weight"), weight, ParamStore.Kind.WEIGHT);
    store.add(ParamStore.join(prefix, "bias"), bias, ParamStore.Kind.NO_DECAY);
  }
}
