package dev.imgclass.eval;

import dev.imgclass.core.ImgclassException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds examples whose given label is probably wrong, by confident learning (Northcutt, Jiang,
 * Chuang, "Confident Learning: Estimating Uncertainty in Dataset Labels", JAIR 2021). Use it on
 * out-of-fold softmax outputs (each row from a model that never trained on that example, e.g. by
 * k-fold cross-validation) to audit a dataset before training on it; {@link #disagreements} is the
 * plain "model disagrees with the label" baseline to compare against.
 */
public final class ConfidentLearning {
  /** How far a row of probabilities may sum from 1 (float softmax outputs are not exact). */
  public static final double ROW_SUM_TOLERANCE = 1e-3;

  private ConfidentLearning() {}

  /**
   * One example whose label looks wrong.
   *
   * @param index row of the example in the inputs
   * @param given its given label
   * @param suggested the label the model believes instead: the most probable class other than the
   *     given one
   * @param givenProb the model's probability of the given label (self-confidence)
   * @param suggestedProb the model's probability of the suggested label
   * @param rank 1 for the example most likely mislabeled (lowest self-confidence), then 2, 3, …
   */
  public record Issue(
      int index, int given, int suggested, double givenProb, double suggestedProb, int rank) {}

  /**
   * Everything confident learning estimates from one dataset. Matrices are indexed [given][true];
   * the accessors return the arrays themselves, so treat them as read-only.
   *
   * @param thresholds per class j, the mean probability of j over examples labelled j (the class's
   *     mean self-confidence); {@code +Infinity} for a class with no examples, so nothing is ever
   *     confidently counted as that class
   * @param confidentJoint C[i][j]: examples labelled i whose confident label is j (the most
   *     probable class among those at or above their threshold); examples with no class at its
   *     threshold are not counted
   * @param joint Q[i][j], the estimated P(given = i, true = j): C with each row rescaled to the
   *     count of label i, divided by n; sums to 1 and its row sums are the given-label priors
   * @param noiseMatrix P(given = i | true = j): Q's columns normalised; a column with no mass is
   *     the identity column (nothing is believed to be flipped out of a class never seen)
   * @param noiseRates per given class i, the estimated share of its examples that are mislabeled: 1
   *     - Q[i][i] / sum_j Q[i][j]; 0 for a class with no examples
   * @param issues flagged examples, most likely mislabeled first
   */
  public record Result(
      double[] thresholds,
      int[][] confidentJoint,
      double[][] joint,
      double[][] noiseMatrix,
      double[] noiseRates,
      List<Issue> issues) {
    public Result {
      issues = List.copyOf(issues);
    }

    /** The indices of the flagged examples, in rank order. */
    public int[] flaggedIndices() {
      return issues.stream().mapToInt(Issue::index).toArray();
    }
  }

  /**
   * How well a set of flagged examples matches the truly mislabeled ones; a ratio with an empty
   * denominator (nothing flagged, or nothing wrong) is 0.
   */
  public record Detection(double precision, double recall, double f1) {
    /** Scores {@code flagged} against {@code trulyWrong}; both are sets of example indices. */
    public static Detection score(int[] flagged, int[] trulyWrong) {
      Set<Integer> wrong = new HashSet<>();
      for (int i : trulyWrong) wrong.add(i);
      Set<Integer> found = new HashSet<>();
      for (int i : flagged) found.add(i);
      long hits = found.stream().filter(wrong::contains).count();
      double p = found.isEmpty() ? 0 : (double) hits / found.size();
      double r = wrong.isEmpty() ? 0 : (double) hits / wrong.size();
      return new Detection(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }
  }

  /**
   * Estimates the label noise of a dataset and flags its likely label errors ("prune by noise
   * rate": for each given class i and other class j, the round(n * Q[i][j]) examples labelled i
   * with the largest margin p[j] - p[i]; an example already flagged is skipped for the next one).
   *
   * @param probs n x K out-of-fold softmax outputs
   * @param given the n given labels, each in 0..K-1
   */
  public static Result estimate(float[][] probs, int[] given) {
    int k = validate(probs, given);
    int n = probs.length;
    int[] counts = new int[k];
    double[] thresholds = new double[k];
    for (int i = 0; i < n; i++) {
      counts[given[i]]++;
      thresholds[given[i]] += probs[i][given[i]];
    }
    for (int j = 0; j < k; j++) {
      thresholds[j] = counts[j] == 0 ? Double.POSITIVE_INFINITY : thresholds[j] / counts[j];
    }

    int[][] confident = new int[k][k];
    for (int i = 0; i < n; i++) {
      int best = -1;
      for (int j = 0; j < k; j++) {
        if (probs[i][j] >= thresholds[j] && (best < 0 || probs[i][j] > probs[i][best])) best = j;
      }
      if (best >= 0) confident[given[i]][best]++;
    }

    // expected[i][j] = n * Q[i][j]: row i of C rescaled to the count of label i
    double[][] expected = new double[k][k];
    for (int i = 0; i < k; i++) {
      int rowSum = Arrays.stream(confident[i]).sum();
      for (int j = 0; j < k; j++) {
        // a labelled class always has its most self-confident example counted (max >= mean), but
        // rounding of the mean could in principle leave the row empty: then trust the labels
        if (rowSum > 0) expected[i][j] = (double) confident[i][j] * counts[i] / rowSum;
        else if (i == j) expected[i][j] = counts[i];
      }
    }
    double[][] joint = new double[k][k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) joint[i][j] = expected[i][j] / n;
    }

    double[][] noise = new double[k][k];
    for (int j = 0; j < k; j++) {
      double column = 0;
      for (int i = 0; i < k; i++) column += joint[i][j];
      for (int i = 0; i < k; i++) {
        noise[i][j] = column > 0 ? joint[i][j] / column : (i == j ? 1 : 0);
      }
    }
    double[] noiseRates = new double[k];
    for (int i = 0; i < k; i++) {
      double row = Arrays.stream(joint[i]).sum();
      noiseRates[i] = row > 0 ? 1 - joint[i][i] / row : 0;
    }

    List<Integer> flagged = new ArrayList<>();
    boolean[] taken = new boolean[n];
    for (int i = 0; i < k; i++) {
      final int label = i;
      List<Integer> members = new ArrayList<>();
      for (int e = 0; e < n; e++) if (given[e] == label) members.add(e);
      for (int j = 0; j < k; j++) {
        long quota = j == i ? 0 : Math.round(expected[i][j]);
        if (quota == 0) continue;
        final int other = j;
        // largest margin first; ties by index so the result does not depend on the sort
        members.sort(
            Comparator.comparingDouble((Integer e) -> probs[e][label] - (double) probs[e][other])
                .thenComparingInt(e -> e));
        for (int e : members) {
          if (quota == 0) break;
          if (taken[e]) continue;
          taken[e] = true;
          flagged.add(e);
          quota--;
        }
      }
    }
    return new Result(
        thresholds, confident, joint, noise, noiseRates, ranked(flagged, probs, given));
  }

  /**
   * The baseline: every example whose most probable class is not its given label, ranked like
   * {@link #estimate}'s issues (lowest self-confidence first).
   */
  public static List<Issue> disagreements(float[][] probs, int[] given) {
    validate(probs, given);
    List<Integer> flagged = new ArrayList<>();
    for (int i = 0; i < probs.length; i++) if (argmax(probs[i], -1) != given[i]) flagged.add(i);
    return ranked(flagged, probs, given);
  }

  private static List<Issue> ranked(List<Integer> flagged, float[][] probs, int[] given) {
    List<Integer> order = new ArrayList<>(flagged);
    order.sort(
        Comparator.comparingDouble((Integer e) -> probs[e][given[e]]).thenComparingInt(e -> e));
    List<Issue> issues = new ArrayList<>(order.size());
    for (int e : order) {
      int top = argmax(probs[e], -1);
      int suggested = top != given[e] ? top : argmax(probs[e], given[e]);
      issues.add(
          new Issue(
              e, given[e], suggested, probs[e][given[e]], probs[e][suggested], issues.size() + 1));
    }
    return issues;
  }

  /** The most probable class other than {@code skip} (pass -1 to skip none); first on ties. */
  private static int argmax(float[] p, int skip) {
    int best = -1;
    for (int j = 0; j < p.length; j++) {
      if (j != skip && (best < 0 || p[j] > p[best])) best = j;
    }
    return best;
  }

  /** Checks the inputs and returns the number of classes K. */
  private static int validate(float[][] probs, int[] given) {
    if (probs == null || given == null) {
      throw new ImgclassException("probs and given labels must not be null");
    }
    if (probs.length != given.length) {
      throw new ImgclassException(
          "probs has "
              + probs.length
              + " rows but there are "
              + given.length
              + " given labels: pass one label per row");
    }
    if (probs.length == 0) throw new ImgclassException("no examples: pass at least one row");
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] == null) throw new ImgclassException("probs row " + i + " is null");
    }
    int k = probs[0].length;
    if (k < 2) {
      throw new ImgclassException("probs rows have " + k + " classes: at least 2 are needed");
    }
    for (int i = 0; i < probs.length; i++) {
      if (probs[i].length != k) {
        throw new ImgclassException(
            "probs row " + i + " has " + probs[i].length + " classes but row 0 has " + k);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        float p = probs[i][j];
        if (!(p >= 0 && p <= 1)) {
          throw new ImgclassException(
              "probs[" + i + "][" + j + "] = " + p + " is not a probability in [0, 1]");
        }
        sum += p;
      }
      if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
        throw new ImgclassException(
            "probs row " + i + " sums to " + sum + ", not 1: pass softmax outputs, not logits");
      }
      if (given[i] < 0 || given[i] >= k) {
        throw new ImgclassException(
            "given label " + given[i] + " of row " + i + " is outside 0.." + (k - 1));
      }
    }
    return k;
  }
}
