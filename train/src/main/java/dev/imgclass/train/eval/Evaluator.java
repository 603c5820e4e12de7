package dev.imgclass.train.eval;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.train.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs any {@link Classifier} (libtorch or ONNX Runtime) over a labelled dataset in batches and
 * builds the {@link EvalReport}; the timing includes preprocessing.
 */
public final class Evaluator {
  private final Classifier classifier;
  private final int batchSize;

  public Evaluator(Classifier classifier, int batchSize) {
    this.classifier = classifier;
    this.batchSize = batchSize;
  }

  public EvalReport evaluate(Dataset data) {
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
    double seconds = (System.nanoTime() - t0) / 1e9;
    return EvalReport.of(probs, labels, classifier.spec().classes(), seconds);
  }
}
