package dev.imgclass.runtime;

import java.util.ArrayList;
import java.util.List;

/** Ranks a probability vector. */
public final class TopK {
  private TopK() {}

  /** Indices of the {@code k} largest values, largest first; ties keep the lower index first. */
  public static int[] indices(float[] values, int k) {
    int n = Math.min(k, values.length);
    int[] idx = new int[n];
    boolean[] used = new boolean[values.length];
    for (int r = 0; r < n; r++) {
      int best = -1;
      for (int i = 0; i < values.length; i++) {
        if (!used[i] && (best < 0 || values[i] > values[best])) best = i;
      }
      used[best] = true;
      idx[r] = best;
    }
    return idx;
  }

  public static List<Prediction> of(float[] probs, int k, List<String> classes) {
    List<Prediction> out = new ArrayList<>();
    for (int i : indices(probs, k)) out.add(new Prediction(i, classes.get(i), probs[i]));
    return out;
  }
}
