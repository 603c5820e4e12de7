package dev.imgclass.eval;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.Dataset;
import dev.imgclass.runtime.Classifier;
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
   * Softmax probabilities of every readable image of a dataset (one row each, in dataset order)
   * with the true labels: what per-image comparisons, galleries and calibration plots are built
   * from. Images that cannot be read are skipped and listed.
   *
   * @param indices the dataset index of each row
   * @param seconds time spent, preprocessing included
   * @param skipped images left out because they could not be read
   */
  public record Predictions(
      float[][] probs,
      int[] labels,
      double seconds,
      int[] indices,
      List<DataIssues.Issue> skipped) {
    public Predictions(float[][] probs, int[] labels, double seconds) {
      this(
          probs,
          labels,
          seconds,
          java.util.stream.IntStream.range(0, labels.length).toArray(),
          List.of());
    }

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
    List<float[]> probs = new ArrayList<>(data.size());
    int[] labels = new int[data.size()];
    int[] indices = new int[data.size()];
    List<DataIssues.Issue> skipped = new ArrayList<>();
    int rows = 0;
    for (int start = 0; start < data.size(); start += batchSize) {
      int n = Math.min(batchSize, data.size() - start);
      List<ImageU8> imgs = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        int i = start + j;
        ImageU8 img;
        try {
          img = data.image(i);
        } catch (ImgclassException e) {
          skipped.add(new DataIssues.Issue(data.name(i), "unreadable", e.getMessage()));
          continue;
        }
        imgs.add(img);
        labels[rows] = data.label(i);
        indices[rows++] = i;
      }
      if (!imgs.isEmpty()) probs.addAll(java.util.Arrays.asList(classifier.probabilities(imgs)));
    }
    if (rows == 0) {
      throw new ImgclassException(
          "none of the "
              + data.size()
              + " images could be read"
              + (skipped.isEmpty() ? "" : "; first: " + skipped.get(0).message()));
    }
    return new Predictions(
        probs.toArray(new float[0][]),
        java.util.Arrays.copyOf(labels, rows),
        (System.nanoTime() - t0) / 1e9,
        java.util.Arrays.copyOf(indices, rows),
        List.copyOf(skipped));
  }

  /** Evaluates on a whole dataset. */
  public EvalReport evaluate(Dataset data) {
    return report(predict(data));
  }

  /** The metrics of predictions made by this evaluator's model. */
  public EvalReport report(Predictions p) {
    return EvalReport.of(p.probs(), p.labels(), classifier.spec().classes(), p.seconds())
        .withSkipped(p.skipped().size());
  }
}
