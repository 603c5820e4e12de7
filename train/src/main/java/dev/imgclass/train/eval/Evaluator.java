package dev.imgclass.train.eval;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.train.data.Dataset;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.Net;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Runs a model in eval mode (running BN statistics, no gradients) over images in batches. */
public final class Evaluator {
  private final Net net;
  private final Precision precision;
  private final Preprocessor pre;
  private final int batchSize;

  public Evaluator(Net net, Precision precision, int batchSize) {
    this.net = net;
    this.precision = precision;
    this.pre = new Preprocessor(net.spec());
    this.batchSize = batchSize;
  }

  /** Softmax probabilities for images already at the input size, one row each. */
  public float[][] probabilities(List<ImageU8> images) {
    int k = net.spec().numClasses();
    int len = pre.inputLength();
    int s = net.spec().inputSize();
    float[][] out = new float[images.size()][];
    for (int start = 0; start < images.size(); start += batchSize) {
      int n = Math.min(batchSize, images.size() - start);
      float[] x = new float[n * len];
      for (int j = 0; j < n; j++) pre.normalizeInto(images.get(start + j), x, j * len);
      try (PointerScope scope = new PointerScope();
          NoGradGuard g = new NoGradGuard()) {
        Tensor logits;
        try (Engine.Scope a = Engine.autocast(precision)) {
          logits =
              net.forward(
                  Engine.layout(Tensors.floats(x, n, net.spec().inChannels(), s, s)), false);
        }
        float[] p = Tensors.toFloats(torch.softmax(logits.to(torch.ScalarType.Float), 1));
        for (int j = 0; j < n; j++) {
          out[start + j] = java.util.Arrays.copyOfRange(p, j * k, (j + 1) * k);
        }
      }
    }
    return out;
  }

  /**
   * Softmax probabilities of every image of a dataset (one row each, in dataset order) with the
   * true labels: what per-image comparisons, galleries and calibration plots are built from.
   *
   * @param seconds time spent, preprocessing included
   */
  public record Predictions(float[][] probs, int[] labels, double seconds) {
    /** The class with the highest probability, per image. */
    public int[] predicted() {
      int[] out = new int[probs.length];
      for (int i = 0; i < probs.length; i++) out[i] = EvalReport.argmax(probs[i]);
      return out;
    }
  }

  /** Runs the model on every image of a dataset, timing it (preprocessing included). */
  public Predictions predict(Dataset data) {
    long t0 = System.nanoTime();
    float[][] probs = new float[data.size()][];
    int[] labels = new int[data.size()];
    int chunk = batchSize * 8;
    for (int start = 0; start < data.size(); start += chunk) {
      int n = Math.min(chunk, data.size() - start);
      List<ImageU8> imgs = new java.util.ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        imgs.add(pre.toInputSize(data.image(start + j)));
        labels[start + j] = data.label(start + j);
      }
      float[][] p = probabilities(imgs);
      System.arraycopy(p, 0, probs, start, n);
    }
    return new Predictions(probs, labels, (System.nanoTime() - t0) / 1e9);
  }

  /** Evaluates on a whole dataset, timing the model (preprocessing included). */
  public EvalReport evaluate(Dataset data) {
    return report(predict(data));
  }

  /** The metrics of predictions made by this evaluator's model. */
  public EvalReport report(Predictions p) {
    return EvalReport.of(p.probs(), p.labels(), net.spec().classes(), p.seconds());
  }
}
