package dev.imgclass.quantize;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Exact min/max of one tensor over the calibration images, plus a uniform reservoir sample of its
 * values for the percentile method.
 */
final class RangeSampler {
  private final float[] sample;
  private final SplittableRandom rng;
  private long seen;
  private float min = Float.POSITIVE_INFINITY;
  private float max = Float.NEGATIVE_INFINITY;

  /** {@code size} 0 keeps only min and max. */
  RangeSampler(int size, long seed) {
    sample = new float[size];
    rng = new SplittableRandom(seed);
  }

  void add(FloatBuffer b) {
    FloatBuffer d = b.duplicate();
    while (d.hasRemaining()) {
      float v = d.get();
      if (v < min) min = v;
      if (v > max) max = v;
      if (sample.length == 0) continue;
      if (seen < sample.length) {
        sample[(int) seen] = v;
      } else {
        long j = rng.nextLong(seen + 1);
        if (j < sample.length) sample[(int) j] = v;
      }
      seen++;
    }
  }

  float min() {
    return min;
  }

  float max() {
    return max;
  }

  /** The exact [min, max]. */
  float[] minMax() {
    return new float[] {min, max};
  }

  /** The 0.01th and 99.99th percentiles of the sample (min/max while it is empty). */
  float[] percentiles() {
    if (seen == 0) return minMax();
    int k = (int) Math.min(seen, sample.length);
    float[] s = Arrays.copyOf(sample, k);
    Arrays.sort(s);
    return new float[] {
      s[(int) Math.floor(0.0001 * (k - 1))], s[(int) Math.ceil(0.9999 * (k - 1))]
    };
  }
}
