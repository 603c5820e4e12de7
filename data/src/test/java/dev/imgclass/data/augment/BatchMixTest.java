package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.data.augment.BatchMix.Kind;
import dev.imgclass.data.augment.BatchMix.Mixed;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchMixTest {
  static final int N = 4;
  static final int C = 2;
  static final int H = 8;
  static final int W = 10;
  static final int K = 5;
  static final int LEN = C * H * W;
  static final long[] LABELS = {0, 1, 2, 3};

  /** Image i is the constant i + 1, so every mixed value tells where it came from. */
  static float[] batch() {
    float[] x = new float[N * LEN];
    for (int i = 0; i < N; i++) java.util.Arrays.fill(x, i * LEN, (i + 1) * LEN, i + 1);
    return x;
  }

  @Test
  void mixup_blends_each_image_with_its_mirror_and_the_targets_carry_the_same_lambda() {
    for (long seed = 0; seed < 20; seed++) {
      float[] x = batch();
      Mixed m = new BatchMix(0.4, 0).mix(x, LABELS, N, C, H, W, K, 0, new SplittableRandom(seed));
      double lam = m.lambda();
      assertThat(m.kind()).isEqualTo(Kind.MIXUP);
      assertThat(lam).isBetween(0.0, 1.0);
      for (int i = 0; i < N; i++) {
        double expected = lam * (i + 1) + (1 - lam) * (N - i);
        assertThat((double) x[i * LEN + 7]).isCloseTo(expected, within(1e-5));
        assertThat(m.targets()[i * K + i]).isCloseTo((float) lam, within(1e-6f));
        assertThat(m.targets()[i * K + (N - 1 - i)]).isCloseTo((float) (1 - lam), within(1e-6f));
      }
      assertRowsSumToOne(m.targets(), N, K);
    }
  }

  @Test
  void cutmix_lambda_is_the_share_of_each_image_that_was_not_pasted_over() {
    boolean sawPaste = false;
    for (long seed = 0; seed < 50; seed++) {
      float[] x = batch();
      Mixed m = new BatchMix(0, 1.0).mix(x, LABELS, N, C, H, W, K, 0, new SplittableRandom(seed));
      assertThat(m.kind()).isEqualTo(Kind.CUTMIX);
      for (int i = 0; i < N; i++) {
        int own = 0;
        int partner = 0;
        for (int k = 0; k < LEN; k++) {
          float v = x[i * LEN + k];
          if (v == i + 1) own++;
          else if (v == N - i) partner++;
        }
        assertThat(own + partner).isEqualTo(LEN); // pasted, never blended
        double kept = (double) own / LEN;
        assertThat(m.lambda()).isCloseTo(kept, within(1e-9));
        assertThat(m.targets()[i * K + i]).isCloseTo((float) m.lambda(), within(1e-6f));
      }
      assertRowsSumToOne(m.targets(), N, K);
      sawPaste |= m.lambda() > 0 && m.lambda() < 1;
    }
    assertThat(sawPaste).isTrue();
  }

  @Test
  void with_both_on_each_batch_gets_one_of_the_two() {
    Set<Kind> seen = EnumSet.noneOf(Kind.class);
    for (long seed = 0; seed < 40; seed++) {
      seen.add(
          new BatchMix(0.2, 1.0)
              .mix(batch(), LABELS, N, C, H, W, K, 0.1, new SplittableRandom(seed))
              .kind());
    }
    assertThat(seen).containsExactlyInAnyOrder(Kind.MIXUP, Kind.CUTMIX);
  }

  @Test
  void the_same_seed_mixes_the_same_way() {
    float[] a = batch();
    float[] b = batch();
    BatchMix mix = new BatchMix(0.2, 1.0);
    float[] ta = mix.apply(a, LABELS, N, C, H, W, K, 0.1, new SplittableRandom(3));
    float[] tb = mix.apply(b, LABELS, N, C, H, W, K, 0.1, new SplittableRandom(3));
    assertThat(a).containsExactly(b);
    assertThat(ta).containsExactly(tb);
  }

  @Test
  void smoothed_targets_sum_to_one_with_the_smoothing_spread_over_all_classes() {
    float[] t = BatchMix.oneHot(new long[] {2, 0}, 2, 4, 0.1);
    assertThat(t).containsExactly(0.025f, 0.025f, 0.925f, 0.025f, 0.925f, 0.025f, 0.025f, 0.025f);
    float[] mixed =
        new BatchMix(0.2, 0).apply(batch(), LABELS, N, C, H, W, K, 0.1, new SplittableRandom(1));
    assertRowsSumToOne(mixed, N, K);
  }

  @Test
  void beta_draws_have_the_right_mean_and_spread() {
    SplittableRandom r = new SplittableRandom(7);
    double sum = 0;
    double sq = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      double b = BatchMix.beta(r, 0.4);
      assertThat(b).isBetween(0.0, 1.0);
      sum += b;
      sq += b * b;
    }
    double mean = sum / n;
    double var = sq / n - mean * mean;
    assertThat(mean).isCloseTo(0.5, within(0.01));
    assertThat(var).isCloseTo(1 / (4 * (2 * 0.4 + 1)), within(0.005)); // 1 / (4 (2α + 1))
  }

  @Test
  void bad_arguments_are_refused() {
    assertThatThrownBy(() -> new BatchMix(0, 0)).hasMessageContaining("mixup or cutmix");
    assertThatThrownBy(() -> new BatchMix(-1, 0)).hasMessageContaining("mixup alpha");
    assertThatThrownBy(() -> BatchMix.oneHot(new long[] {5}, 1, 5, 0))
        .hasMessageContaining("label 5");
    assertThatThrownBy(
            () ->
                new BatchMix(0.2, 0)
                    .apply(new float[3], LABELS, N, C, H, W, K, 0, new SplittableRandom(1)))
        .hasMessageContaining("batch mixing got 3 inputs");
  }

  private static void assertRowsSumToOne(float[] t, int n, int k) {
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < k; j++) {
        assertThat(t[i * k + j]).isBetween(0f, 1f);
        s += t[i * k + j];
      }
      assertThat(s).isCloseTo(1.0, within(1e-5));
    }
  }
}
