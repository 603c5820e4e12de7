package dev.imgclass.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Two classifiers judged on the same labelled images: each one's accuracy with its 95% Wilson
 * interval, per-class recall deltas, and McNemar's exact test on the paired predictions, ending in
 * a plain verdict. Engine-free: built from predicted class indices, whichever backend produced
 * them.
 *
 * @param modelA the baseline, as the user named it
 * @param modelB the candidate
 * @param images how many images both models saw
 * @param a the baseline's accuracy
 * @param b the candidate's accuracy
 * @param onlyA images only A classified correctly (McNemar's b)
 * @param onlyB images only B classified correctly (McNemar's c)
 * @param both images both classified correctly
 * @param neither images both got wrong
 * @param deltaPoints B's accuracy minus A's, in percentage points
 * @param pValue McNemar's exact two-sided p-value
 * @param significant {@code pValue < }{@value #ALPHA}
 * @param verdict one sentence a person can act on
 * @param perClass recall of each class under A and B
 */
public record ModelComparison(
    String modelA,
    String modelB,
    int images,
    Side a,
    Side b,
    int onlyA,
    int onlyB,
    int both,
    int neither,
    double deltaPoints,
    double pValue,
    boolean significant,
    String verdict,
    List<ClassDelta> perClass,
    int skipped) {
  /** Significance level of the verdict. */
  public static final double ALPHA = 0.05;

  /** One model's accuracy and its 95% Wilson interval. */
  public record Side(int correct, double accuracy, double ciLow, double ciHigh) {
    static Side of(int correct, int n) {
      Stats.Interval ci = Stats.wilson(correct, n);
      return new Side(correct, n == 0 ? 0 : (double) correct / n, ci.low(), ci.high());
    }
  }

  /** Recall of one class under each model; {@code delta} is B minus A, in percentage points. */
  public record ClassDelta(
      String name, int support, double recallA, double recallB, double delta) {}

  /** Compares predicted classes of A and B on the same images (same order) with true labels. */
  public static ModelComparison of(
      String modelA, String modelB, int[] predA, int[] predB, int[] labels, List<String> classes) {
    if (predA.length != labels.length || predB.length != labels.length) {
      throw new IllegalArgumentException(
          "predictions for " + predA.length + " and " + predB.length + " of " + labels.length);
    }
    int k = classes.size();
    int[] support = new int[k];
    int[] rightA = new int[k];
    int[] rightB = new int[k];
    int onlyA = 0;
    int onlyB = 0;
    int both = 0;
    int neither = 0;
    for (int i = 0; i < labels.length; i++) {
      int y = labels[i];
      boolean okA = predA[i] == y;
      boolean okB = predB[i] == y;
      support[y]++;
      if (okA) rightA[y]++;
      if (okB) rightB[y]++;
      if (okA && okB) both++;
      else if (okA) onlyA++;
      else if (okB) onlyB++;
      else neither++;
    }
    int n = labels.length;
    Side a = Side.of(both + onlyA, n);
    Side b = Side.of(both + onlyB, n);
    double delta = 100 * (b.accuracy() - a.accuracy());
    double p = Stats.mcnemarExactP(onlyA, onlyB);
    boolean significant = p < ALPHA;
    List<ClassDelta> per = new ArrayList<>();
    for (int c = 0; c < k; c++) {
      double ra = support[c] == 0 ? 0 : (double) rightA[c] / support[c];
      double rb = support[c] == 0 ? 0 : (double) rightB[c] / support[c];
      per.add(new ClassDelta(classes.get(c), support[c], ra, rb, 100 * (rb - ra)));
    }
    return new ModelComparison(
        modelA,
        modelB,
        n,
        a,
        b,
        onlyA,
        onlyB,
        both,
        neither,
        delta,
        p,
        significant,
        verdict(delta, p, significant),
        per,
        0);
  }

  /** This comparison, noting that {@code count} unreadable images were left out. */
  public ModelComparison withSkipped(int count) {
    return new ModelComparison(
        modelA,
        modelB,
        images,
        a,
        b,
        onlyA,
        onlyB,
        both,
        neither,
        deltaPoints,
        pValue,
        significant,
        verdict,
        perClass,
        count);
  }

  static String verdict(double delta, double p, boolean significant) {
    if (!significant) {
      return String.format(
          Locale.ROOT, "no significant difference (%+.2f pt, %s)", delta, formatP(p));
    }
    String better = delta >= 0 ? "B is better than A" : "A is better than B";
    return String.format(Locale.ROOT, "%s: %+.2f pt, %s", better, Math.abs(delta), formatP(p));
  }

  /**
   * "p = 0.003", or "p = 2.1e-05" when small, or "p < 1e-300" below what a double holds (thousands
   * of discordant pairs all going one way).
   */
  public static String formatP(double p) {
    if (p >= 0.001) return String.format(Locale.ROOT, "p = %.3f", p);
    if (p < 1e-300) return "p < 1e-300";
    return String.format(Locale.ROOT, "p = %.1e", p);
  }

  /** A plain-text report for a terminal. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "A: %s%nB: %s%nimages: %d%s%n%n",
            modelA,
            modelB,
            images,
            skipped > 0 ? " (skipped " + skipped + " unreadable)" : ""));
    sb.append(
        String.format(Locale.ROOT, "%-6s %9s  %-17s%n", "model", "accuracy", "95% CI (Wilson)"));
    for (String name : List.of("A", "B")) {
      Side s = name.equals("A") ? a : b;
      sb.append(
          String.format(
              Locale.ROOT,
              "%-6s %8.2f%%  %.2f%% - %.2f%%%n",
              name,
              100 * s.accuracy(),
              100 * s.ciLow(),
              100 * s.ciHigh()));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "%npaired: both right %d, only A right %d, only B right %d, both wrong %d%n",
            both,
            onlyA,
            onlyB,
            neither));
    sb.append(String.format(Locale.ROOT, "McNemar exact test: %s%n%n", formatP(pValue)));
    int w = Math.max(5, perClass.stream().mapToInt(c -> c.name().length()).max().orElse(5));
    sb.append(
        String.format(
            Locale.ROOT,
            "%-" + w + "s  %8s  %8s  %8s  %7s%n",
            "class",
            "recall A",
            "recall B",
            "delta",
            "support"));
    for (ClassDelta c : perClass) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-" + w + "s  %7.2f%%  %7.2f%%  %+6.2f pt  %7d%n",
              c.name(),
              100 * c.recallA(),
              100 * c.recallB(),
              c.delta(),
              c.support()));
    }
    sb.append(String.format(Locale.ROOT, "%nverdict: %s%n", verdict));
    return sb.toString();
  }
}
