package dev.imgclass.train.models;

import dev.imgclass.train.onnx.OnnxGraph;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The two-convolution residual block of He et al. 2016 ("Deep Residual Learning"), used by
 * ResNet-18/34 and the CIFAR ResNets: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)). The
 * shortcut is a strided 1×1 conv + BN when the shape changes (option B), else the identity. With
 * {@code se}, a squeeze-excite rescales the branch before the addition (SE-ResNet, Hu et al. 2018).
 */
public final class BasicBlock implements Residual {
  final ConvNormAct first;
  final ConvNormAct second;
  final Optional<SqueezeExcite> se;
  final Optional<ConvNormAct> downsample;

  /**
   * {@code in}, {@code out}: the streams' widths, {@code inner} conv1's output width; {@code
   * standard}: the unpruned output width, which decides the squeeze-excite's width; {@code
   * shortcut}: whether the shortcut is a convolution (decided on the unpruned widths).
   */
  BasicBlock(
      int in,
      int out,
      int stride,
      boolean se,
      int inner,
      int standard,
      boolean shortcut,
      RandomGenerator rng) {
    first = ConvNormAct.of(in, inner, 3, stride, Activation.RELU, rng).named("conv1", "bn1");
    second = ConvNormAct.of(inner, out, 3, 1, Activation.NONE, rng).named("conv2", "bn2");
    this.se = se ? Optional.of(SqueezeExcite.resnet(out, standard, rng)) : Optional.empty();
    downsample = ConvNormAct.shortcut(in, out, stride, shortcut, rng);
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor y = second.forward(first.forward(x, training), training);
    if (se.isPresent()) y = se.get().forward(y, training);
    Tensor shortcut = downsample.isPresent() ? downsample.get().forward(x, training) : x;
    return torch.relu_(y.add_(shortcut));
  }

  @Override
  public String toOnnx(OnnxGraph g, String input) {
    String y = second.toOnnx(g, first.toOnnx(g, input));
    if (se.isPresent()) y = se.get().toOnnx(g, y);
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
    m += se.map(e -> e.macs(in)).orElse(0L);
    return m + downsample.map(d -> d.macs(in)).orElse(0L);
  }

  /**
   * conv1's outputs (= bn1 = conv2's inputs). conv2's outputs are summed with the shortcut into the
   * residual stream, which every block of the stage shares: {@link ResNet#channelGroups} prunes it
   * as one group.
   */
  @Override
  public List<ChannelGroup> channelGroups(String prefix) {
    return List.of(ChannelGroup.inner(prefix, "conv1", "bn1", first.outChannels(), "conv2", true));
  }

  @Override
  public String[] lastLayer() {
    return new String[] {"conv2", "bn2"};
  }

  @Override
  public boolean readsInputSpatially() {
    return true;
  }

  @Override
  public boolean shortcutConv() {
    return downsample.isPresent();
  }

  @Override
  public boolean squeezeExcite() {
    return se.isPresent();
  }

  @Override
  public void collect(String prefix, ParamStore store) {
    first.collect(prefix, store);
    second.collect(prefix, store);
    se.ifPresent(e -> e.collect(ParamStore.join(prefix, "se"), store));
    downsample.ifPresent(d -> d.collect(prefix, store));
  }
}
