package dev.imgclass.train.models;

import dev.imgclass.train.onnx.OnnxGraph;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The 1×1 → 3×3 → 1×1 residual block of ResNet-50 and deeper (He et al. 2016), with the stride on
 * the 3×3 convolution as in torchvision ("ResNet v1.5"); output width is 4× the inner width. With
 * {@code se}, a squeeze-excite rescales the branch before the addition (SE-ResNet, Hu et al. 2018).
 */
public final class Bottleneck implements Residual {
  static final int EXPANSION = 4;
  final ConvNormAct reduce;
  final ConvNormAct spatial;
  final ConvNormAct expand;
  final Optional<SqueezeExcite> se;
  final Optional<ConvNormAct> downsample;

  /**
   * {@code w1}, {@code w2}: conv1's and conv2's output widths, {@code width} unless pruned; {@code
   * out}: the output stream's width, {@code width}·{@value #EXPANSION} unless pruned; {@code
   * shortcut}: whether the shortcut is a convolution (decided on the unpruned widths).
   */
  Bottleneck(
      int in,
      int width,
      int stride,
      boolean se,
      int w1,
      int w2,
      int out,
      boolean shortcut,
      RandomGenerator rng) {
    reduce = ConvNormAct.of(in, w1, 1, 1, Activation.RELU, rng).named("conv1", "bn1");
    spatial = ConvNormAct.of(w1, w2, 3, stride, Activation.RELU, rng).named("conv2", "bn2");
    expand = ConvNormAct.of(w2, out, 1, 1, Activation.NONE, rng).named("conv3", "bn3");
    this.se =
        se ? Optional.of(SqueezeExcite.resnet(out, width * EXPANSION, rng)) : Optional.empty();
    downsample = ConvNormAct.shortcut(in, out, stride, shortcut, rng);
  }

  @Override
  public Tensor forward(Tensor x, boolean training) {
    Tensor y = expand.forward(spatial.forward(reduce.forward(x, training), training), training);
    if (se.isPresent()) y = se.get().forward(y, training);
    Tensor shortcut = downsample.isPresent() ? downsample.get().forward(x, training) : x;
    return torch.relu_(y.add_(shortcut));
  }

  @Override
  public String toOnnx(OnnxGraph g, String input) {
    String y = expand.toOnnx(g, spatial.toOnnx(g, reduce.toOnnx(g, input)));
    if (se.isPresent()) y = se.get().toOnnx(g, y);
    String shortcut = downsample.isPresent() ? downsample.get().toOnnx(g, input) : input;
    return g.node("Relu", g.node("Add", y, shortcut));
  }

  @Override
  public Shape outputShape(Shape in) {
    return expand.outputShape(spatial.outputShape(reduce.outputShape(in)));
  }

  @Override
  public long macs(Shape in) {
    Shape a = reduce.outputShape(in);
    Shape b = spatial.outputShape(a);
    long m = reduce.macs(in) + spatial.macs(a) + expand.macs(b);
    m += se.map(e -> e.macs(in)).orElse(0L);
    return m + downsample.map(d -> d.macs(in)).orElse(0L);
  }

  /**
   * conv1's outputs (= conv2's inputs) and conv2's outputs (= conv3's inputs); conv3's outputs join
   * the residual stream, pruned by {@link ResNet#channelGroups}.
   */
  @Override
  public List<ChannelGroup> channelGroups(String prefix) {
    return List.of(
        ChannelGroup.inner(prefix, "conv1", "bn1", reduce.outChannels(), "conv2", true),
        ChannelGroup.inner(prefix, "conv2", "bn2", spatial.outChannels(), "conv3", false));
  }

  @Override
  public String[] lastLayer() {
    return new String[] {"conv3", "bn3"};
  }

  @Override
  public boolean readsInputSpatially() {
    return false;
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
    reduce.collect(prefix, store);
    spatial.collect(prefix, store);
    expand.collect(prefix, store);
    se.ifPresent(e -> e.collect(ParamStore.join(prefix, "se"), store));
    downsample.ifPresent(d -> d.collect(prefix, store));
  }
}
