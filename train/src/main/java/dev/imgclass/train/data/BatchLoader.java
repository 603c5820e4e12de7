package dev.imgclass.train.data;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.train.augment.Transform;
import java.util.SplittableRandom;

/**
 * Cuts an epoch into batches. The order of epoch {@code e} and the augmentation of batch {@code b}
 * depend only on (seed, e, b), so a run resumed mid-epoch sees exactly the batches an uninterrupted
 * run would.
 */
public final class BatchLoader {
  private final Dataset data;
  private final Preprocessor pre;
  private final Transform augment;
  private final int batchSize;
  private final long seed;
  private final boolean dropLast;

  public BatchLoader(
      Dataset data,
      Preprocessor pre,
      Transform augment,
      int batchSize,
      long seed,
      boolean dropLast) {
    this.data = data;
    this.pre = pre;
    this.augment = augment;
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropLast = dropLast && data.size() >= batchSize;
  }

  public int batchesPerEpoch() {
    return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
  }

  /** The image order of one epoch. */
  public int[] order(int epoch) {
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Splits.shuffle(order, new SplittableRandom(Seeds.mix(seed, -1L, epoch)));
    return order;
  }

  /** Batch {@code b} of an epoch whose order is {@code order}. */
  public Batch batch(int[] order, int epoch, int b) {
    int start = b * batchSize;
    int n = Math.min(batchSize, order.length - start);
    int len = pre.inputLength();
    float[] x = new float[n * len];
    long[] y = new long[n];
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, b));
    for (int j = 0; j < n; j++) {
      int idx = order[start + j];
      ImageU8 img = augment.apply(data.image(idx), rng);
      pre.normalizeInto(img, x, j * len);
      y[j] = data.label(idx);
    }
    return new Batch(x, y, n, Seeds.mix(seed, epoch, b) ^ 0x6a09e667f3bcc908L);
  }
}
