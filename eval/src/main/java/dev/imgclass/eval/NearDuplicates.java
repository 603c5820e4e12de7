package dev.imgclass.eval;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Finds pairs of images that look the same but carry different labels: the same photo filed twice,
 * a resized or re-encoded copy, a burst of near-identical shots labelled by different people. At
 * most one label of such a pair can be right (or the classes overlap), so each pair is a second
 * kind of label issue beside the ones {@link ConfidentLearning} finds, and it needs no model.
 *
 * <p>Two measurements, both on the image in grey: a 64-bit perceptual hash (the signs of the lowest
 * 8 × 8 cosine-transform coefficients of a 32 × 32 box-filtered copy, against their median, so
 * brightness, contrast, resizing and mild compression leave it nearly unchanged) proposes
 * candidates within {@code maxDistance} differing bits, found by multi-index hashing (split the
 * hash into {@code maxDistance + 1} blocks: two hashes that close agree exactly on at least one
 * block) rather than comparing every pair; the Pearson correlation of the two grey images (at up to
 * 32 × 32) then confirms them, since different objects of one silhouette can share a hash but not
 * their pixels. Brightness and contrast changes leave the correlation at 1. On Fashion-MNIST's
 * training set the closest differently labelled pairs (different garments of one shape) correlate
 * at most 0.987 at 28 × 28, and a 16 × 16 thumbnail would have put them above 0.99: hence the
 * default of 0.99 at up to 32 × 32. Six bits by default: mild sensor noise on a low-contrast photo
 * flips up to 6 of the coefficients nearest the median. Only the images of a candidate pair are
 * read a second time.
 */
public final class NearDuplicates {
  /** Differing hash bits at most, by default. */
  public static final int DEFAULT_MAX_DISTANCE = 6;

  /** Thumbnail correlation at least, by default. */
  public static final double DEFAULT_MIN_CORRELATION = 0.99;

  private static final int HASH_SIZE = 32;
  private static final int LOW = 8;
  private static final int THUMB = 32;

  private NearDuplicates() {}

  /**
   * Two images that look alike and have different labels.
   *
   * @param a index of one image ({@code a < b})
   * @param b index of the other
   * @param distance differing bits of their perceptual hashes (0-64)
   * @param correlation Pearson correlation of their grey images at up to 32 × 32 (1 for equal
   *     images)
   */
  public record Pair(int a, int b, int distance, double correlation) {}

  /**
   * What a search found.
   *
   * @param pairs the pairs, most alike first (highest correlation, then fewest differing bits)
   * @param candidates pairs the hash proposed (different labels, within the distance)
   * @param images images hashed (unreadable ones are left out)
   */
  public record Result(List<Pair> pairs, int candidates, int images) {}

  /**
   * Pairs of {@code data} with different labels within {@code maxDistance} hash bits whose grey
   * images correlate at least {@code minCorrelation}. Images that cannot be read are skipped (the
   * data check lists them).
   */
  public static Result find(Dataset data, int maxDistance, double minCorrelation) {
    if (maxDistance < 0 || maxDistance > 16)
      throw new ImgclassException(
          "the near-duplicate distance must be in [0, 16] hash bits, got " + maxDistance);
    if (!(minCorrelation >= -1 && minCorrelation <= 1))
      throw new ImgclassException(
          "the near-duplicate correlation must be in [-1, 1], got " + minCorrelation);
    int n = data.size();
    long[] hash = new long[n];
    boolean[] read = new boolean[n];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              try {
                hash[i] = hash(data.image(i));
                read[i] = true;
              } catch (ImgclassException e) {
                // unreadable: no hash, never a candidate
              }
            });
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = data.label(i);
    List<int[]> candidates = candidates(hash, read, labels, maxDistance);
    // the second look, at up to 32 x 32, only for the images in a candidate pair
    Map<Integer, Thumb> thumbs = new ConcurrentHashMap<>();
    candidates.stream()
        .flatMapToInt(c -> IntStream.of(c[0], c[1]))
        .distinct()
        .parallel()
        .forEach(
            i -> {
              try {
                thumbs.put(i, thumb(data.image(i)));
              } catch (ImgclassException e) {
                // broke since it was hashed
              }
            });
    List<Pair> pairs = new ArrayList<>();
    for (int[] c : candidates) {
      Thumb a = thumbs.get(c[0]);
      Thumb b = thumbs.get(c[1]);
      if (a == null || b == null) continue;
      double r = correlation(a, b);
      if (r >= minCorrelation) pairs.add(new Pair(c[0], c[1], c[2], r));
    }
    pairs.sort(
        Comparator.comparingDouble(Pair::correlation)
            .reversed()
            .thenComparingInt(Pair::distance)
            .thenComparingInt(Pair::a)
            .thenComparingInt(Pair::b));
    int images = 0;
    for (boolean r : read) if (r) images++;
    return new Result(List.copyOf(pairs), candidates.size(), images);
  }

  /** Pairs {a, b, distance} (a < b) of readable images with different labels and close hashes. */
  static List<int[]> candidates(long[] hash, boolean[] read, int[] labels, int maxDistance) {
    int n = hash.length;
    int blocks = maxDistance + 1;
    List<int[]> found = new ArrayList<>();
    for (int blk = 0; blk < blocks; blk++) {
      int lo = blk * 64 / blocks;
      int hi = (blk + 1) * 64 / blocks;
      Map<Long, List<Integer>> buckets = new HashMap<>();
      for (int i = 0; i < n; i++)
        if (read[i]) buckets.computeIfAbsent(bits(hash[i], lo, hi), x -> new ArrayList<>()).add(i);
      for (List<Integer> bucket : buckets.values()) {
        int m = bucket.size();
        for (int x = 0; x < m; x++) {
          int i = bucket.get(x);
          for (int y = x + 1; y < m; y++) {
            int j = bucket.get(y);
            if (labels[i] == labels[j]) continue;
            int d = Long.bitCount(hash[i] ^ hash[j]);
            // a pair agreeing on several blocks is counted at its first one only
            if (d > maxDistance || firstEqualBlock(hash[i], hash[j], blocks) != blk) continue;
            found.add(new int[] {Math.min(i, j), Math.max(i, j), d});
          }
        }
      }
    }
    return found;
  }

  private static long bits(long h, int lo, int hi) {
    long mask = hi - lo == 64 ? -1L : ((1L << (hi - lo)) - 1);
    return (h >>> lo) & mask;
  }

  /** The first block (of {@code blocks}) on which the two hashes agree, or -1. */
  private static int firstEqualBlock(long h1, long h2, int blocks) {
    for (int b = 0; b < blocks; b++) {
      int lo = b * 64 / blocks;
      int hi = (b + 1) * 64 / blocks;
      if (bits(h1, lo, hi) == bits(h2, lo, hi)) return b;
    }
    return -1;
  }

  /**
   * A grey copy at up to 32 x 32 (1 KB, so even a candidate set of every image stays small), with
   * its mean and the root of its sum of squares about it.
   */
  record Thumb(byte[] px, double mean, double norm) {}

  static Thumb thumb(ImageU8 img) {
    int size = Math.min(THUMB, Math.min(img.height(), img.width()));
    float[] grey = resize(grey(img), img.height(), img.width(), size);
    byte[] px = new byte[grey.length];
    double sum = 0;
    for (int i = 0; i < px.length; i++) {
      int v = Math.max(0, Math.min(255, Math.round(grey[i])));
      px[i] = (byte) v;
      sum += v;
    }
    double mean = sum / px.length;
    double ss = 0;
    for (byte v : px) ss += ((v & 0xff) - mean) * ((v & 0xff) - mean);
    return new Thumb(px, mean, Math.sqrt(ss));
  }

  /** The 64-bit perceptual hash of {@code img}. */
  public static long hash(ImageU8 img) {
    return hash(resize(grey(img), img.height(), img.width(), HASH_SIZE));
  }

  /** Differing bits of two hashes. */
  public static int distance(long h1, long h2) {
    return Long.bitCount(h1 ^ h2);
  }

  /**
   * Bit {@code v * 8 + u} is set when coefficient (v, u) of the 2-D cosine transform exceeds the
   * median of the 63 non-constant low coefficients; the constant term's bit is always 0.
   */
  private static long hash(float[] px) {
    int s = HASH_SIZE;
    double[][] cos = COS;
    double[] rows = new double[s * LOW]; // rows[y][u] = sum_x px[y][x] cos(x, u)
    for (int y = 0; y < s; y++)
      for (int u = 0; u < LOW; u++) {
        double acc = 0;
        for (int x = 0; x < s; x++) acc += px[y * s + x] * cos[u][x];
        rows[y * LOW + u] = acc;
      }
    double[] coef = new double[LOW * LOW];
    for (int v = 0; v < LOW; v++)
      for (int u = 0; u < LOW; u++) {
        double acc = 0;
        for (int y = 0; y < s; y++) acc += rows[y * LOW + u] * cos[v][y];
        coef[v * LOW + u] = acc;
      }
    double[] ac = Arrays.copyOfRange(coef, 1, coef.length);
    Arrays.sort(ac);
    double median = ac[ac.length / 2];
    long h = 0;
    for (int i = 1; i < coef.length; i++) if (coef[i] > median) h |= 1L << i;
    return h;
  }

  private static final double[][] COS = new double[LOW][HASH_SIZE];

  static {
    for (int u = 0; u < LOW; u++)
      for (int x = 0; x < HASH_SIZE; x++)
        COS[u][x] = Math.cos((2 * x + 1) * u * Math.PI / (2.0 * HASH_SIZE));
  }

  /** Mean over channels, 0-255. */
  private static float[] grey(ImageU8 img) {
    int hw = img.height() * img.width();
    float[] g = new float[hw];
    byte[] d = img.data();
    for (int c = 0; c < img.channels(); c++)
      for (int i = 0; i < hw; i++) g[i] += d[c * hw + i] & 0xff;
    if (img.channels() > 1) for (int i = 0; i < hw; i++) g[i] /= img.channels();
    return g;
  }

  /** A box-filtered (area-average) resize of an h × w plane to size × size. */
  static float[] resize(float[] src, int h, int w, int size) {
    float[][] wy = boxWeights(h, size);
    float[][] wx = boxWeights(w, size);
    float[] tmp = new float[h * size]; // columns resized
    for (int y = 0; y < h; y++)
      for (int ox = 0; ox < size; ox++) {
        float acc = 0;
        float[] k = wx[ox];
        for (int x = 0; x < w; x++) if (k[x] != 0) acc += k[x] * src[y * w + x];
        tmp[y * size + ox] = acc;
      }
    float[] out = new float[size * size];
    for (int oy = 0; oy < size; oy++) {
      float[] k = wy[oy];
      for (int y = 0; y < h; y++) {
        if (k[y] == 0) continue;
        for (int ox = 0; ox < size; ox++) out[oy * size + ox] += k[y] * tmp[y * size + ox];
      }
    }
    return out;
  }

  /** For each output cell, the share of each source cell it covers, normalised to sum 1. */
  private static float[][] boxWeights(int src, int dst) {
    float[][] w = new float[dst][src];
    for (int o = 0; o < dst; o++) {
      double lo = (double) o * src / dst;
      double hi = (double) (o + 1) * src / dst;
      double total = 0;
      for (int s = (int) Math.floor(lo); s < Math.min(src, (int) Math.ceil(hi)); s++) {
        double cover = Math.min(hi, s + 1) - Math.max(lo, s);
        if (cover > 0) {
          w[o][s] = (float) cover;
          total += cover;
        }
      }
      for (int s = 0; s < src; s++) w[o][s] /= (float) total;
    }
    return w;
  }

  /** Pearson correlation of two thumbnails; for flat ones 1 when equal, else 0. */
  static double correlation(Thumb a, Thumb b) {
    if (a.px.length != b.px.length) return 0;
    if (a.norm < 1e-6 || b.norm < 1e-6)
      return a.norm < 1e-6 && b.norm < 1e-6 && a.mean == b.mean ? 1 : 0;
    double acc = 0;
    for (int i = 0; i < a.px.length; i++)
      acc += ((a.px[i] & 0xff) - a.mean) * ((b.px[i] & 0xff) - b.mean);
    return acc / (a.norm * b.norm);
  }
}
