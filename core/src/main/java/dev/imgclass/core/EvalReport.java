package dev.imgclass.core;

import java.util.ArrayList;
import java.util.List;

/**
 * How well a classifier did on labelled images: top-1/top-5 accuracy, mean log-loss, per-class
 * precision, recall and F1, the confusion matrix (rows: true class, columns: predicted), and the
 * expected calibration error over 15 equal-width confidence bins (Guo et al. 2017). Engine-free:
 * computed from probabilities, whichever backend produced them. {@code balancedAccuracy} is the
 * mean recall over the classes present; {@code skipped} counts images left out because they could
 * not be read.
 */
public record EvalReport(
    int images,
    double top1,
    double top5,
    double loss,
    double ece,
    double seconds,
    double imagesPerSecond,
    List<ClassStats> perClass,
    List<String> classes,
    int[][] confusion,
    double balancedAccuracy,
    int skipped) {

  /** Precision, recall and F1 of one class, and how many images of it there were. */
  public record ClassStats(String name, double precision, double recall, double f1, int support) {}

  static final int ECE_BINS = 15;

  /** Builds the report from softmax probabilities (one row per image) and true labels. */
  public static EvalReport of(float[][] probs, int[] labels, List<String> classes, double seconds) {
    int k = classes.size();
    int n = labels.length;
    int[][] cm = new int[k][k];
    int top5 = 0;
    double nll = 0;
    for (int i = 0; i < n; i++) {
      float[] p = probs[i];
      int y = labels[i];
      int pred = argmax(p);
      cm[y][pred]++;
      int higher = 0;
      for (float v : p) if (v > p[y]) higher++;
      if (higher < 5) top5++;
      nll -= Math.log(Math.max(p[y], 1e-12));
    }
    double ece = Calibration.of(probs, labels, ECE_BINS).ece();
    int correct = 0;
    List<ClassStats> stats = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      correct += cm[c][c];
      int support = 0;
      int predicted = 0;
      for (int j = 0; j < k; j++) {
        support += cm[c][j];
        predicted += cm[j][c];
      }
      double prec = predicted == 0 ? 0 : (double) cm[c][c] / predicted;
      double rec = support == 0 ? 0 : (double) cm[c][c] / support;
      double f1 = prec + rec == 0 ? 0 : 2 * prec * rec / (prec + rec);
      stats.add(new ClassStats(classes.get(c), prec, rec, f1, support));
    }
    double recallSum = 0;
    int present = 0;
    for (ClassStats st : stats) {
      if (st.support() > 0) {
        recallSum += st.recall();
        present++;
      }
    }
    return new EvalReport(
        n,
        n == 0 ? 0 : (double) correct / n,
        n == 0 ? 0 : (double) top5 / n,
        n == 0 ? 0 : nll / n,
        ece,
        seconds,
        seconds > 0 ? n / seconds : 0,
        stats,
        List.copyOf(classes),
        cm,
        present == 0 ? 0 : recallSum / present,
        0);
  }

  /** This report, noting that {@code count} images could not be read and were left out. */
  public EvalReport withSkipped(int count) {
    return new EvalReport(
        images,
        top1,
        top5,
        loss,
        ece,
        seconds,
        imagesPerSecond,
        perClass,
        classes,
        confusion,
        balancedAccuracy,
        count);
  }

  public static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return best;
  }

  /** Mean of per-class recall: accuracy that every class counts equally in. */
  public double balancedAccuracy() {
    return perClass.stream()
        .filter(c -> c.support() > 0)
        .mapToDouble(ClassStats::recall)
        .average()
        .orElse(0);
  }

  /** A plain-text table for a terminal. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "images %d   top-1 %.2f%%   top-5 %.2f%%   balanced %.2f%%   loss %.4f   ECE %.4f   %.0f img/s%n",
            images, 100 * top1, 100 * top5, 100 * balancedAccuracy, loss, ece, imagesPerSecond));
    if (skipped > 0) {
      sb.append(
          String.format(
              "skipped %d unreadable image%s (not counted above)%n",
              skipped, skipped == 1 ? "" : "s"));
    }
    int w = Math.max(5, classes.stream().mapToInt(String::length).max().orElse(5));
    sb.append(
        String.format(
            "%n%-" + w + "s  %9s  %6s  %6s  %7s%n",
            "class",
            "precision",
            "recall",
            "F1",
            "support"));
    for (ClassStats c : perClass) {
      sb.append(
          String.format(
              "%-" + w + "s  %9.3f  %6.3f  %6.3f  %7d%n",
              c.name(),
              c.precision(),
              c.recall(),
              c.f1(),
              c.support()));
    }
    sb.append(
        String.format(
            "%nconfusion matrix (rows: true class, columns: predicted, in class order)%n"));
    for (int i = 0; i < confusion.length; i++) {
      sb.append(String.format("%-" + w + "s ", classes.get(i)));
      for (int v : confusion[i]) sb.append(String.format(" %5d", v));
      sb.append('\n');
    }
    return sb.toString();
  }
}
