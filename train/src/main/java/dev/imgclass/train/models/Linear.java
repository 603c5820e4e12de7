package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.export.OnnxGraph;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** The classifier head: a fully connected layer from pooled features to class logits. */
public final class Linear {
  final int in;
  final int out;
  final Tensor weight; // (out, in)
  final Tensor bias; // (out)
  private final TensorOptional biasOpt;

  Linear(int in, int out, RandomGenerator rng) {
    this.in = in;
    this.out = out;
    this.weight = Init.uniformFanIn(rng, in, out, in);
    this.bias = Init.uniformFanIn(rng, in, out);
    this.biasOpt = new TensorOptional(bias);
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
