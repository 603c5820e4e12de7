package dev.imgclass.train.models;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.export.OnnxGraph;
import java.util.random.RandomGenerator;
import org.bytedeco.pytorch.Tensor;

/**
 * A classification network: a feature extractor and a linear head, with its {@link ModelSpec}.
 * Tensors are registered by torchvision-compatible names in {@link #params()}.
 */
public abstract class Net {
  private ModelSpec spec;
  protected Linear head;
  private ParamStore params;

  protected Net(ModelSpec spec) {
    this.spec = spec;
  }

  public ModelSpec spec() {
    return spec;
  }

  /** (B, C, H, W) -> (B, F) pooled features. */
  public abstract Tensor forwardFeatures(Tensor x, boolean training);

  /** (B, F) -> (B, classes) logits. */
  public Tensor forwardHead(Tensor features) {
    return head.forward(features);
  }

  /** (B, C, H, W) -> (B, classes) logits. */
  public Tensor forward(Tensor x, boolean training) {
    return forwardHead(forwardFeatures(x, training));
  }

  /** Replaces the head with a freshly initialised one for {@code classes} (fine-tuning). */
  public void resetHead(java.util.List<String> classes, RandomGenerator rng) {
    head = new Linear(head.in, classes.size(), rng);
    spec = spec.withClasses(classes);
    params = null;
  }

  /** Width of the pooled features the head reads. */
  public int featureWidth() {
    return head.in;
  }

  /** Every parameter and buffer, by name, in a fixed order. */
  public ParamStore params() {
    if (params == null) {
      ParamStore store = new ParamStore();
      collectBody(store);
      head.collect("fc", store);
      params = store;
    }
    return params;
  }

  /** The inference graph: body, global average pool, flatten, linear head; returns the logits. */
  public String toOnnx(OnnxGraph g, String input) {
    String pooled =
        g.node("GlobalAveragePool", bodyToOnnx(g, input)); // (B, C, H, W) -> (B, C, 1, 1)
    String flat =
        g.node(
            "Flatten", java.util.List.of(pooled), java.util.List.of(OnnxGraph.integer("axis", 1)));
    return head.toOnnx(g, flat);
  }

  /** The feature extractor's nodes, up to the last feature map (before pooling). */
  protected abstract String bodyToOnnx(OnnxGraph g, String input);

  /** Registers the tensors of everything but the head. */
  protected abstract void collectBody(ParamStore store);

  /** Multiply-accumulates of the body (without the head) for one image of shape {@code in}. */
  protected abstract long bodyMacs(Shape in);

  /** Multiply-accumulates for one image at the spec's input size. */
  public long macs() {
    return macs(spec.inputSize());
  }

  public long macs(int inputSize) {
    return bodyMacs(new Shape(spec.inChannels(), inputSize, inputSize)) + head.macs();
  }

  public long paramCount() {
    return params().trainableCount();
  }
}
