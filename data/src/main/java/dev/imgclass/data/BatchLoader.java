package dev.imgclass.data;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.augment.Transform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;

/**
 * Cuts an epoch into batches. The order of epoch {@code e} and the augmentation of batch {@code b}
 * depend only on (seed, e, b), so a run resumed mid-epoch sees exactly the batches an uninterrupted
 * run would, and batches can be built on a worker pool ({@link #epoch}) in any order and still come
 * out identical.
 *
 * <p>A file that fails to decode during an epoch is recorded in the {@link DataIssues} and replaced
 * by the next image of the epoch's order, so one bad file never stops training.
 */
public final class BatchLoader implements AutoCloseable {
  /** Mixes a whole batch (Mixup, CutMix): rewrites the inputs, returns soft targets or null. */
  @FunctionalInterface
  public interface Mixer {
    float[] mix(float[] inputs, long[] labels, int n, RandomGenerator rng);
  }

  private static final int MAX_SUBSTITUTES = 64;
  private final Dataset data;
  private final Preprocessor pre;
  private final Transform augment;
  private final Mixer mixer;
  private final int batchSize;
  private final long seed;
  private final boolean dropLast;
  private final boolean balanced;
  private final DataIssues issues;
  private final int workers;
  private ExecutorService pool;

  public BatchLoader(
      Dataset data,
      Preprocessor pre,
      Transform augment,
      int batchSize,
      long seed,
      boolean dropLast) {
    this(data, pre, augment, null, batchSize, seed, dropLast, false, 0, new DataIssues());
  }

  /**
   * @param mixer batch-level augmentation, or null
   * @param balanced draw classes uniformly (images with replacement) instead of each image once
   * @param workers threads building batches ahead of the trainer; 0 builds them on the caller
   * @param issues where files that fail to decode are recorded
   */
  public BatchLoader(
      Dataset data,
      Preprocessor pre,
      Transform augment,
      Mixer mixer,
      int batchSize,
      long seed,
      boolean dropLast,
      boolean balanced,
      int workers,
      DataIssues issues) {
    this.data = data;
    this.pre = pre;
    this.augment = augment;
    this.mixer = mixer;
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropLast = dropLast && data.size() >= batchSize;
    this.balanced = balanced;
    this.workers = workers;
    this.issues = issues;
  }

  public int batchesPerEpoch() {
    return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
  }

  /**
   * The image order of one epoch: a permutation, or for the balanced sampler {@code size} draws of
   * a uniformly chosen class and a uniformly chosen image of it.
   */
  public int[] order(int epoch) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, -1L, epoch));
    int[] order = new int[data.size()];
    if (balanced) {
      int[][] members = membersByClass();
      for (int i = 0; i < order.length; i++) {
        int[] m = members[rng.nextInt(members.length)];
        order[i] = m[rng.nextInt(m.length)];
      }
      return order;
    }
    for (int i = 0; i < order.length; i++) order[i] = i;
    Splits.shuffle(order, rng);
    return order;
  }

  private int[][] membersByClass() {
    int[] counts = data.classCounts();
    List<int[]> out = new ArrayList<>();
    int[][] byClass = new int[counts.length][];
    int[] fill = new int[counts.length];
    for (int c = 0; c < counts.length; c++) byClass[c] = new int[counts[c]];
    for (int i = 0; i < data.size(); i++) {
      int l = data.label(i);
      byClass[l][fill[l]++] = i;
    }
    for (int[] m : byClass) if (m.length > 0) out.add(m);
    return out.toArray(new int[0][]);
  }

  /** Batch {@code b} of an epoch whose order is {@code order}, built on the calling thread. */
  public Batch batch(int[] order, int epoch, int b) {
    int start = b * batchSize;
    int n = Math.min(batchSize, order.length - start);
    int len = pre.inputLength();
    float[] x = new float[n * len];
    long[] y = new long[n];
    int[] from = new int[n];
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch, b));
    for (int j = 0; j < n; j++) {
      int pos = start + j;
      int idx = order[pos];
      ImageU8 img = null;
      for (int k = 0; img == null; k++) {
        try {
          img = data.image(idx);
        } catch (ImgclassException e) {
          issues.bad(data.name(idx), DataSources.kindOf(e), e.getMessage());
          if (k >= MAX_SUBSTITUTES) {
            throw new ImgclassException(
                "more than "
                    + MAX_SUBSTITUTES
                    + " unreadable images in a row; last: "
                    + e.getMessage());
          }
          idx = order[(pos + k + 1) % order.length];
        }
      }
      pre.normalizeInto(augment.apply(pre.toInputSize(img), rng), x, j * len);
      y[j] = data.label(idx);
      from[j] = idx;
    }
    long stepSeed = Seeds.mix(seed, epoch, b) ^ 0x6a09e667f3bcc908L;
    float[] targets = mixer == null ? null : mixer.mix(x, y, n, rng);
    return new Batch(x, y, n, stepSeed, targets, from);
  }

  /**
   * Batches {@code from ..} of an epoch, in order, built ahead on the worker pool (at most twice as
   * many batches as workers wait in memory).
   */
  public Iterator<Batch> epoch(int[] order, int epoch, int from) {
    int end = batchesPerEpoch();
    if (workers <= 0) {
      return new Iterator<>() {
        int b = from;

        @Override
        public boolean hasNext() {
          return b < end;
        }

        @Override
        public Batch next() {
          if (b >= end) throw new NoSuchElementException();
          return batch(order, epoch, b++);
        }
      };
    }
    if (pool == null) pool = Executors.newFixedThreadPool(workers, DataThreads.daemon("batch"));
    ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    int depth = Math.max(2, 2 * workers);
    return new Iterator<>() {
      int submitted = from;

      {
        fill();
      }

      private void fill() {
        while (submitted < end && ahead.size() < depth) {
          int b = submitted++;
          ahead.add(pool.submit(() -> batch(order, epoch, b)));
        }
      }

      @Override
      public boolean hasNext() {
        return !ahead.isEmpty();
      }

      @Override
      public Batch next() {
        if (ahead.isEmpty()) throw new NoSuchElementException();
        Batch out = DataThreads.await(ahead.poll());
        fill();
        return out;
      }
    };
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
  }
}
