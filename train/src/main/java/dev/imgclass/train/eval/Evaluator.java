package dev.imgclass.train.eval;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.train.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs any {@link Classifier} (libtorch or ONNX Runtime) over a labelled dataset in batches:
 * per-image probabilities for comparisons and galleries, and the {@link EvalReport}. Timing
 * includes preprocessing.
 */
public final class Evaluator {
  private final Classifier classifier;
  private final int batchSize;

  public Evaluator(Classifier classifier, int batchSize) {
    this.classifier = classifier;
    this.batchSize = batchSize;
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
    for (int start = 0; start < data.size(); start += batchSize) {
      int n = Math.min(batchSize, data.size() - start);
      List<ImageU8> imgs = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        imgs.add(data.image(start + j));
        labels[start + j] = data.label(start + j);
      }
      System.arraycopy(classifier.probabilities(imgs), 0, probs, start, n);
    }
    return new Predictions(probs, labels, (System.nanoTime() - t0) / 1e9);
  }

  /** Evaluates on a whole dataset. */
  public EvalReport evaluate(Dataset data) {
    return report(predict(data));
  }

  /** The metrics of predictions made by this evaluator's model. */
  public EvalReport report(Predictions p) {
    return EvalReport.of(p.probs(), p.labels(), classifier.spec().classes(), p.seconds());
  }
}
