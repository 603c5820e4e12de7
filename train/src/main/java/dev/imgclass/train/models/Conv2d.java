package dev.imgclass.train.models;

import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A 2-D convolution without bias (a norm follows it), with stride, padding and groups.
 *
 * <p>A strided 1×1 convolution runs as "take every s-th pixel, then a 1×1 convolution with stride
 * 1": the same function, but it avoids oneDNN's brgemm backward-data kernel for strided 1×1
 * convolutions, which in libtorch 2.10 dies with SIGFPE (integer division by zero) for 512 or more
 * input channels, e.g. every ResNet-50 downsample shortcut (measured here; see
 * docs/ARCHITECTURE.md).
 */
public final class Conv2d implements Block {
  final int in;
  final int out;
  final int kernel;
  final int stride;
  final int padding;
  final int groups;
  final Tensor weight; // (out, in / groups, k, k)
  private final long[] strides;
  private final long[] pads;
  private final long[] dilation = {1, 1};
  private final TensorOptional noBias = new TensorOptional();
  private final boolean subsample; // strided 1x1: slice, then stride 1
  private final LongOptional from = new LongOptional(0);
  private final LongOptional to = new LongOptional(Long.MAX_VALUE);

  Conv2d(int in, int out, int kernel, int stride, int groups, RandomGenerator rng) {
    this.in = in;
    this.out = out;
    this.kernel = kernel;
    this.stride = stride;
    this.padding = kernel / 2;
    this.groups = groups;
    this.weight = Init.kaimingNormalFanOut(rng, out, in / groups, kernel, kernel);
    this.subsample = kernel == 1 && stride > 1;
    this.strides = subsample ? new long[] {1, 1} : new long[] {stride, stride};
    this.pads = new long[] {padding, padding};
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    if (subsample)
      x = x.slice(2, from, to, stride).slice(3, from, to, stride); // (B,C,H,W) -> (B,C,H/s,W/s)
    return torch.conv2d(x, weight, noBias, strides, pads, dilation, groups);
  }

  @Override
  public Shape outputShape(Shape s) {
    int h = (s.height() + 2 * padding - kernel) / stride + 1;
    int w = (s.width() + 2 * padding - kernel) / stride + 1;
    return new Shape(out, h, w);
  }

  @Override
  public long macs(Shape s) {
    Shape o = outputShape(s);
    return (long) o.height() * o.width() * out * (in / groups) * kernel * kernel;
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    store.add(ParamStore.join(prefix, "weight"), weight, ParamStore.Kind.WEIGHT);
  }
}
