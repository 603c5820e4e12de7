package dev.imgclass.train.models;

import dev.imgclass.train.export.OnnxGraph;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The two-convolution residual block of He et al. 2016 ("Deep Residual Learning"), used by
 * ResNet-18/34 and the CIFAR ResNets: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)). The
 * shortcut is a strided 1×1 conv + BN when the shape changes (option B), else the identity.
 */
public final class BasicBlock implements Block {
  final ConvNormAct first;
  final ConvNormAct second;
  final Optional<ConvNormAct> downsample;

  BasicBlock(int in, int out, int stride, RandomGenerator rng) {
    first = ConvNormAct.of(in, out, 3, stride, true, rng).named("conv1", "bn1");
    second = ConvNormAct.of(out, out, 3, 1, false, rng).named("conv2", "bn2");
    downsample = ConvNormAct.shortcut(in, out, stride, rng);
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor y = second.forward(first.forward(x, training), training);
    Tensor shortcut = downsample.isPresent() ? downsample.get().forward(x, training) : x;
    return torch.relu_(y.add_(shortcut));
  }

  @Override
  public String toOnnx(OnnxGraph g, String input) {
    String y = second.toOnnx(g, first.toOnnx(g, input));
    String shortcut = downsample.isPresent() ? downsample.get().toOnnx(g, input) : input;
    return g.node("Relu", g.node("Add", y, shortcut));
  }

  @Override
  public Shape outputShape(Shape in) {
    return second.outputShape(first.outputShape(in));
  }

  @Override
  public long macs(Shape in) {
    long m = first.macs(in) + second.macs(first.outputShape(in));
    return m + downsample.map(d -> d.macs(in)).orElse(0L);
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    first.collect(prefix, store);
    second.collect(prefix, store);
    downsample.ifPresent(d -> d.collect(prefix, store));
  }
}
