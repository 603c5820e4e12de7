package dev.imgclass.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded, stratified subsets of a dataset. */
public final class Splits {
  private Splits() {}

  /** Train and validation parts, each class split in the same proportion. */
  public record TrainVal(Dataset train, Dataset val) {}

  public static TrainVal stratified(Dataset all, double valFraction, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    for (int c = 0; c < all.classes().size(); c++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) if (all.label(i) == c) members.add(i);
      int[] order = members.stream().mapToInt(Integer::intValue).toArray();
      shuffle(order, rng);
      int nVal = (int) Math.round(order.length * valFraction);
      for (int j = 0; j < order.length; j++) (j < nVal ? val : train).add(order[j]);
    }
    return new TrainVal(all.subset(sorted(train)), all.subset(sorted(val)));
  }

  /** A seeded random {@code n} images (all when {@code n} ≥ size), in their original order. */
  public static Dataset limit(Dataset all, int n, long seed) {
    if (n >= all.size()) return all;
    int[] order = new int[all.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    shuffle(order, new SplittableRandom(seed));
    int[] pick = java.util.Arrays.copyOf(order, n);
    java.util.Arrays.sort(pick);
    return all.subset(pick);
  }

  /** Fisher-Yates shuffle in place. */
  public static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static int[] sorted(List<Integer> idx) {
    return idx.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
