package dev.imgclass.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Top-1 confidence against accuracy in equal-width bins, the data of a reliability diagram, and the
 * expected calibration error (Guo et al. 2017, "On Calibration of Modern Neural Networks"). The one
 * place ECE is computed: {@link EvalReport} and the report's reliability diagram both use it.
 */
public record Calibration(List<Bin> bins, double ece) {
  /** One confidence bin: its centre, how many images fell in it, their accuracy and confidence. */
  public record Bin(double centre, int count, double accuracy, double confidence) {}

  public static Calibration of(float[][] probs, int[] labels, int binCount) {
    int[] count = new int[binCount];
    double[] correct = new double[binCount];
    double[] conf = new double[binCount];
    for (int i = 0; i < labels.length; i++) {
      int pred = EvalReport.argmax(probs[i]);
      float p = probs[i][pred];
      int b = Math.min(binCount - 1, (int) (p * binCount));
      count[b]++;
      conf[b] += p;
      if (pred == labels[i]) correct[b]++;
    }
    List<Bin> bins = new ArrayList<>();
    double ece = 0;
    for (int b = 0; b < binCount; b++) {
      double centre = (b + 0.5) / binCount;
      if (count[b] == 0) {
        bins.add(new Bin(centre, 0, 0, 0));
        continue;
      }
      bins.add(new Bin(centre, count[b], correct[b] / count[b], conf[b] / count[b]));
      ece += Math.abs(correct[b] - conf[b]) / Math.max(1, labels.length);
    }
    return new Calibration(List.copyOf(bins), ece);
  }
}
