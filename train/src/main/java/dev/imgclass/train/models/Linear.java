package dev.imgclass.train.models;

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

  long macs() {
    return (long) in * out;
  }

  void collect(String prefix, ParamStore store) {
    store.add(ParamStore.join(prefix, "weight"), weight, ParamStore.Kind.WEIGHT);
    store.add(ParamStore.join(prefix, "bias"), bias, ParamStore.Kind.NO_DECAY);
  }
}
