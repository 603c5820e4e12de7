package dev.imgclass.train.models;

import dev.imgclass.train.engine.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015) with running statistics; momentum 0.1 and eps 1e-5
 * as in PyTorch unless a {@link Config} says otherwise; folded into the preceding convolution at
 * export.
 */
public final class BatchNorm2d implements Block {
  /**
   * Numerical settings of a batch norm, in PyTorch's convention.
   *
   * @param eps added to the variance before the square root
   * @param momentum weight of the new batch in the running statistics
   */
  public record Config(double eps, double momentum) {
    /** PyTorch's defaults, used by the ResNets. */
    public static final Config TORCH = new Config(1e-5, 0.1);

    /**
     * MobileNetV3: torchvision's eps 0.001 (inference parity depends on it), but momentum 0.1, not
     * its 0.01. torchvision trains for hundreds of epochs; at imgclass's budgets running statistics
     * with momentum 0.01 lagged the weights so far that eval-mode accuracy stayed at chance (10.0 %
     * Fashion-MNIST test top-1 after 2 epochs, 62-67 % train accuracy; bench/RESULTS-zoo.md).
     */
    public static final Config MOBILENET = new Config(1e-3, 0.1);

    public Config {
      if (!(eps > 0) || !(momentum > 0 && momentum <= 1))
        throw new IllegalArgumentException(
            "batch norm needs eps > 0 and momentum in (0, 1], got " + eps + ", " + momentum);
    }
  }

  final Config config;
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
    this(channels, 1f, Config.TORCH);
  }

  /** {@code gamma} is the initial scale; 0 makes a residual branch start as the identity. */
  BatchNorm2d(int channels, float gamma, Config config) {
    this.config = config;
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

  /**
   * In training, a batch norm whose scale is frozen (requires no gradient: {@code --freeze}, the
   * head-only warm-up) behaves as at inference: running statistics, left unchanged. Updating the
   * statistics of a frozen layer from a new task's small batches would shift the features its
   * frozen successors were trained on.
   */
  @Override
  public Tensor forward(Tensor x, boolean training) {
    training = training && weight.requires_grad();
    if (training) {
      try (NoGradGuard noGrad = new NoGradGuard()) {
        batchesTracked.add_(one);
      }
    }
    return torch.batch_norm(x, w, b, rm, rv, training, config.momentum(), config.eps(), true);
  }

  public double eps() {
    return config.eps();
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
