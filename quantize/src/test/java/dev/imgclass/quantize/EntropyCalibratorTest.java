package dev.imgclass.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class EntropyCalibratorTest {
  private static final int N = 1_000_000;

  @Test
  void a_gaussian_with_a_few_huge_outliers_loses_the_outliers_and_keeps_four_sigma() {
    float[] v = values(N, 1, SplittableRandom::nextGaussian);
    for (int i = 0; i < 20; i++) v[i * 1000] = i % 2 == 0 ? 12f : -12f;
    float[] r = entropyRange(v, EntropyCalibrator.MAX_CLIPPED);
    // the cap alone would allow 3.3 sigma (1e-3 of the values beyond); the divergence keeps more
    assertThat(r[1]).isBetween(4f, 6f);
    assertThat(r[0]).isBetween(-6f, -4f);
  }

  @Test
  void a_relu_output_keeps_its_range_however_many_exact_zeros_it_has() {
    float[] positive = values(N / 2, 2, g -> Math.abs(g.nextGaussian()));
    positive[0] = 0; // one zero, so that min is 0 in every variant
    float max = 0;
    for (float x : positive) max = Math.max(max, x);
    float[] one = entropyRange(positive, EntropyCalibrator.MAX_CLIPPED);
    assertThat(one[0]).isZero();
    assertThat(one[1]).isBetween(4f, max); // the spike at zero used to pull it to max / 3
    for (int zeros : new int[] {N / 2, 9 * N / 2}) {
      float[] withZeros = java.util.Arrays.copyOf(positive, positive.length + zeros);
      assertThat(entropyRange(withZeros, EntropyCalibrator.MAX_CLIPPED)).containsExactly(one);
    }
  }

  @Test
  void point_masses_from_a_constant_background_do_not_pull_the_range_in() {
    double[] spikes = {0.3, 0.7, 1.1, 1.6, 2.2, 2.9}; // one value per channel on the background
    float[] v =
        values(
            N, 8, g -> g.nextBoolean() ? spikes[g.nextInt(6)] : Math.abs(1.5 * g.nextGaussian()));
    assertThat(entropyRange(v, 1.0)[1]).as("uncapped").isLessThan(2.5f);
    assertThat(entropyRange(v, EntropyCalibrator.MAX_CLIPPED)[1]).isGreaterThan(4.5f);
  }

  @Test
  void bounded_distributions_keep_their_whole_range() {
    float[] uniform = values(N, 3, g -> g.nextDouble(-1, 1));
    assertThat(entropyRange(uniform, EntropyCalibrator.MAX_CLIPPED))
        .containsExactly(new float[] {-1f, 1f}, within(0.01f));
    // normalized 8-bit pixels: 256 values, each on its own uint8 level over the full range
    float[] pixels = values(N, 5, g -> (g.nextInt(256) / 255.0 - 0.2863) / 0.354);
    assertThat(entropyRange(pixels, EntropyCalibrator.MAX_CLIPPED))
        .containsExactly((float) (-0.2863 / 0.354), (float) ((1 - 0.2863) / 0.354));
  }

  @Test
  void a_hard_swish_output_keeps_its_small_negative_side_while_the_long_positive_tail_is_cut() {
    float[] v =
        values(
            N,
            6,
            g -> {
              double x = 2 * g.nextGaussian();
              return x * Math.min(Math.max(x + 3, 0), 6) / 6;
            });
    float max = 0;
    for (float x : v) max = Math.max(max, x);
    float[] r = entropyRange(v, EntropyCalibrator.MAX_CLIPPED);
    assertThat(r[0]).isEqualTo(-0.375f, within(1e-3f));
    assertThat(r[1]).isBetween(5f, max - 0.5f);
  }

  @Test
  void a_tensor_of_zeros_keeps_its_min_max() {
    EntropyCalibrator c = new EntropyCalibrator(0f, 0f);
    c.add(FloatBuffer.wrap(new float[100]));
    assertThat(c.range()).containsExactly(0f, 0f);
  }

  private static float[] entropyRange(float[] v, double maxClipped) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    EntropyCalibrator c = new EntropyCalibrator(min, max, maxClipped);
    // in batches, as calibration feeds it
    for (int start = 0; start < v.length; start += 100_000)
      c.add(FloatBuffer.wrap(v, start, Math.min(100_000, v.length - start)));
    return c.range();
  }

  private static float[] values(int n, long seed, ToDoubleFunction<SplittableRandom> draw) {
    SplittableRandom g = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) draw.applyAsDouble(g);
    return v;
  }
}
