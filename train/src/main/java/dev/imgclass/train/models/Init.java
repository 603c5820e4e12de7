package dev.imgclass.train.models;

import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/** Weight initialisation from the run's seeded random generator (not libtorch's global one). */
final class Init {
  private Init() {}

  /** He et al. 2015 normal init, fan-out mode, for ReLU networks: std = sqrt(2 / fan_out). */
  static Tensor kaimingNormalFanOut(RandomGenerator rng, long... shape) {
    long fanOut = shape[0];
    for (int i = 2; i < shape.length; i++) fanOut *= shape[i];
    double std = Math.sqrt(2.0 / fanOut);
    float[] v = new float[(int) numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    return param(Engine.layout(Tensors.floats(v, shape)));
  }

  static Tensor normal(RandomGenerator rng, double std, long... shape) {
    float[] v = new float[(int) numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
    return param(Tensors.floats(v, shape));
  }

  /** PyTorch's default for linear layers: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  static Tensor uniformFanIn(RandomGenerator rng, long fanIn, long... shape) {
    double bound = 1.0 / Math.sqrt(fanIn);
    float[] v = new float[(int) numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    return param(Tensors.floats(v, shape));
  }

  static Tensor constant(float value, long... shape) {
    float[] v = new float[(int) numel(shape)];
    java.util.Arrays.fill(v, value);
    return Tensors.floats(v, shape);
  }

  static Tensor param(Tensor t) {
    t.set_requires_grad(true);
    return t;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }
}
