package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) with running statistics, momentum 0.1 and eps 1e-5
 * as in PyTorch; folded into the preceding convolution at export.
 */
public final class BatchNorm2d implements Block {
  static final double MOMENTUM = 0.1;
  static final double EPS = 1e-5;
  final int channels;
  final Tensor weight;
  final Tensor bias;
  final Tensor runningMean;
  final Tensor runningVar;
  final Tensor batchesTracked = Tensors.longs(new long[] {0});
  // optional-wrappers of the tensors above, made once: the C++ side shares their storage
  private final TensorOptional w;
  private final TensorOptional b;
  private final TensorOptional rm;
  private final TensorOptional rv;
  private final Scalar one = new Scalar(1L);

  BatchNorm2d(int channels) {
    this(channels, 1f);
  }

  /** {@code gamma} is the initial scale; 0 makes a residual branch start as the identity. */
  BatchNorm2d(int channels, float gamma) {
    this.channels = channels;
    this.weight = Init.param(Init.constant(gamma, channels));
    this.bias = Init.param(Init.constant(0f, channels));
    this.runningMean = Init.constant(0f, channels);
    this.runningVar = Init.constant(1f, channels);
    this.w = new TensorOptional(weight);
    this.b = new TensorOptional(bias);
    this.rm = new TensorOptional(runningMean);
    this.rv = new TensorOptional(runningVar);
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    if (training) {
      try (NoGradGuard noGrad = new NoGradGuard()) {
        batchesTracked.add_(one);
      }
    }
    return torch.batch_norm(x, w, b, rm, rv, training, MOMENTUM, EPS, true);
  }

  public double eps() {
    return EPS;
  }

  @Override
  public Shape outputShape(Shape in) {
    return in;
  }

  @Override
  public long macs(Shape in) {
    return 0; // folded into the convolution at inference
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    store.add(ParamStore.join(prefix, "weight"), weight, ParamStore.Kind.NO_DECAY);
    store.add(ParamStore.join(prefix, "bias"), bias, ParamStore.Kind.NO_DECAY);
    store.add(ParamStore.join(prefix, "running_mean"), runningMean, ParamStore.Kind.BUFFER);
    store.add(ParamStore.join(prefix, "running_var"), runningVar, ParamStore.Kind.BUFFER);
    store.add(
        ParamStore.join(prefix, "num_batches_tracked"), batchesTracked, ParamStore.Kind.BUFFER);
  }
}
