package dev.imgclass.train.models;

import java.util.Optional;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The classifier head, from pooled features to logits: one linear layer ({@code fc}, the ResNets)
 * or linear → activation → dropout → linear ({@code classifier.0}/{@code classifier.3},
 * torchvision's MobileNetV3). Only the last linear layer depends on the class count, so only it is
 * replaced by {@link #resized}.
 */
public final class Head {
  private final Optional<Linear> hidden;
  private final Activation act;
  private final double dropout;
  final Linear logits;
  private final String hiddenName;
  private final String logitsName;

  private Head(
      Optional<Linear> hidden,
      Activation act,
      double dropout,
      Linear logits,
      String hiddenName,
      String logitsName) {
    this.hidden = hidden;
    this.act = act;
    this.dropout = dropout;
    this.logits = logits;
    this.hiddenName = hiddenName;
    this.logitsName = logitsName;
  }

  /** One linear layer named {@code fc} (torchvision's ResNet). */
  static Head linear(int features, int classes, RandomGenerator rng) {
    return new Head(
        Optional.empty(), Activation.NONE, 0, new Linear(features, classes, rng), "", "fc");
  }

  /**
   * Linear to {@code width}, activation, dropout, linear to the classes, named {@code
   * classifier.0}/{@code classifier.3} (torchvision's MobileNetV3, weights ~ N(0, 0.01)).
   */
  static Head mlp(
      int features, int width, int classes, Activation act, double dropout, RandomGenerator rng) {
    return new Head(
        Optional.of(Linear.normal(features, width, 0.01, rng)),
        act,
        dropout,
        Linear.normal(width, classes, 0.01, rng),
        "classifier.0",
        "classifier.3");
  }

  /** The same head with a freshly initialised last layer for {@code classes} outputs. */
  Head resized(int classes, RandomGenerator rng) {
    return new Head(hidden, act, dropout, logits.resized(classes, rng), hiddenName, logitsName);
  }

  /** (B, F) -> (B, classes); dropout is active only in training. */
  Tensor forward(Tensor features, boolean training) {
    Tensor x = features;
    if (hidden.isPresent()) {
      x = act.apply(hidden.get().forward(x));
      if (training && dropout > 0) x = torch.dropout(x, dropout, true);
    }
    return logits.forward(x);
  }

  /** Inference nodes: [Gemm, activation,] Gemm; dropout is the identity at inference. */
  String toOnnx(dev.imgclass.train.onnx.OnnxGraph g, String x) {
    if (hidden.isPresent()) x = act.toOnnx(g, hidden.get().toOnnx(g, x));
    return logits.toOnnx(g, x);
  }

  /** Width of the pooled features the head reads. */
  int features() {
    return hidden.map(h -> h.in).orElse(logits.in);
  }

  long macs() {
    return hidden.map(Linear::macs).orElse(0L) + logits.macs();
  }

  /** Prefix of the last layer's tensors ({@code fc} or {@code classifier.3}). */
  String logitsName() {
    return logitsName;
  }

  void collect(ParamStore store) {
    hidden.ifPresent(h -> h.collect(hiddenName, store));
    logits.collect(logitsName, store);
  }
}
