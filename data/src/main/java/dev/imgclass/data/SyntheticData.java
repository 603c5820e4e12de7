package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A deterministic toy dataset: each class is a pattern (stripes of an orientation, a shape) drawn
 * at a random offset, contrast and noise level, so a small network must learn it but can reach well
 * above 90% in seconds. The same arguments always give the same pixels.
 */
public final class SyntheticData {
  static final List<String> PATTERNS =
      List.of(
          "hstripes",
          "vstripes",
          "diagonal",
          "checker",
          "disc",
          "ring",
          "square",
          "plus",
          "cross",
          "gradient");
  private static final long DATA_SEED = 0x5eed_1234L;

  private SyntheticData() {}

  /** {@code n} training images and {@code n / 5} test images over {@code k} classes. */
  public static DataSplits splits(int n, int k, int size) {
    if (k < 2 || k > PATTERNS.size())
      throw new ImgclassException(
          "synthetic data has 2 to " + PATTERNS.size() + " classes, asked for " + k);
    if (n < k)
      throw new ImgclassException(
          "synthetic data needs at least one image per class, asked for " + n);
    Dataset train = generate(n, k, size, DATA_SEED);
    Dataset test = generate(Math.max(k, n / 5), k, size, DATA_SEED + 1);
    return new DataSplits(
        "synthetic patterns, " + k + " classes, " + size + "x" + size,
        train,
        Optional.empty(),
        Optional.of(test));
  }

  public static Dataset generate(int n, int k, int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    byte[] px = new byte[n * size * size];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % k;
      labels[i] = c;
      draw(PATTERNS.get(c), rng, px, i * size * size, size);
    }
    return new InMemoryDataset(PATTERNS.subList(0, k), 1, size, size, px, labels);
  }

  private static void draw(String pattern, SplittableRandom rng, byte[] out, int off, int s) {
    double contrast = 120 + rng.nextDouble() * 135;
    double noise = 20 + rng.nextDouble() * 25;
    int ox = rng.nextInt(-3, 4);
    int oy = rng.nextInt(-3, 4);
    int phase = rng.nextInt(6);
    double r = s * (0.22 + rng.nextDouble() * 0.1);
    double cx = s / 2.0 + ox;
    double cy = s / 2.0 + oy;
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        double dx = x - cx;
        double dy = y - cy;
        double d = Math.sqrt(dx * dx + dy * dy);
        boolean on =
            switch (pattern) {
              case "hstripes" -> ((y + phase) / 3) % 2 == 0;
              case "vstripes" -> ((x + phase) / 3) % 2 == 0;
              case "diagonal" -> ((x + y + phase) / 3) % 2 == 0;
              case "checker" -> (((x + phase) / 4) + ((y + phase) / 4)) % 2 == 0;
              case "disc" -> d < r;
              case "ring" -> Math.abs(d - r) < 2;
              case "square" -> Math.abs(dx) < r && Math.abs(dy) < r;
              case "plus" -> (Math.abs(dx) < 2.5 || Math.abs(dy) < 2.5) && d < r * 1.6;
              case "cross" -> (Math.abs(dx - dy) < 2.5 || Math.abs(dx + dy) < 2.5) && d < r * 1.6;
              case "gradient" -> rng.nextDouble() < (double) x / s;
              default -> throw new IllegalStateException(pattern);
            };
        double v = (on ? contrast : 0) + rng.nextGaussian() * noise;
        out[off + y * s + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}
