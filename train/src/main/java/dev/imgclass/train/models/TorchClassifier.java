package dev.imgclass.train.models;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A {@link Classifier} that runs the model in libtorch, eager, in eval mode (running BN
 * statistics), under c10's inference mode (no gradients, and no autograd version counters or view
 * tracking on the tensors made inside: what {@code torch.inference_mode()} does for the PyTorch
 * peer), under bf16 autocast when asked. Nothing made inside outlives the call, so a net evaluated
 * here can go on training.
 */
public final class TorchClassifier implements Classifier {
  private final Net net;
  private final Precision precision;

  public TorchClassifier(Net net, Precision precision) {
    this.net = net;
    this.precision = precision;
  }

  public Net net() {
    return net;
  }

  @Override
  public ModelSpec spec() {
    return net.spec();
  }

  @Override
  public float[][] logits(float[] inputs, int n) {
    int s = net.spec().inputSize();
    int k = net.spec().numClasses();
    float[] flat;
    try (PointerScope scope = new PointerScope();
        InferenceMode g = new InferenceMode()) {
      Tensor logits;
      try (Engine.Scope a = Engine.autocast(precision)) {
        logits =
            net.forward(
                Engine.layout(Tensors.floats(inputs, n, net.spec().inChannels(), s, s)), false);
      }
      flat = Tensors.toFloats(logits.to(torch.ScalarType.Float));
    }
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
    return out;
  }

  @Override
  public void close() {
    // the model's tensors live as long as the model; nothing per call is held
  }
}
