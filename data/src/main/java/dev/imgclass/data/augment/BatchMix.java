package dev.imgclass.data.augment;

import dev.imgclass.core.ImgclassException;
import java.util.random.RandomGenerator;

/**
 * Mixes whole batches as timm's {@code Mixup} does in its default batch mode: Mixup (Zhang et al.
 * 2018) blends each image with a partner, CutMix (Yun et al. 2019) pastes a rectangle of the
 * partner into it, and the targets are mixed in the same proportion. Image {@code i} is paired with
 * image {@code n - 1 - i} (the batch reversed), and λ is drawn once per batch from Beta(α, α). With
 * both on, each batch uses one of the two with probability 0.5. CutMix's λ is corrected to the area
 * actually pasted after the box is clipped at the border.
 *
 * <p>Pure Java on the normalized float batch; the soft targets it returns need a soft-target
 * cross-entropy. Use it for longer runs (hundreds of epochs on small data): it slows early
 * progress.
 *
 * @param mixupAlpha Beta parameter for Mixup, 0 (off) or positive; 0.2 to 0.8 is usual
 * @param cutmixAlpha Beta parameter for CutMix, 0 (off) or positive; 1.0 is usual
 */
public record BatchMix(double mixupAlpha, double cutmixAlpha) {
  /** Probability of CutMix for a batch when both are on (timm's {@code switch_prob}). */
  public static final double SWITCH_PROB = 0.5;

  public enum Kind {
    MIXUP,
    CUTMIX
  }

  /**
   * What one call did.
   *
   * @param targets soft targets, (n, numClasses) flattened; each row sums to 1
   * @param lambda weight of each image's own content and label (1 - λ goes to its partner)
   * @param kind which mix this batch got
   */
  public record Mixed(float[] targets, double lambda, Kind kind) {}

  public BatchMix {
    Checks.require(
        mixupAlpha >= 0 && Double.isFinite(mixupAlpha),
        "mixup alpha must be 0 (off) or positive, got " + mixupAlpha);
    Checks.require(
        cutmixAlpha >= 0 && Double.isFinite(cutmixAlpha),
        "cutmix alpha must be 0 (off) or positive, got " + cutmixAlpha);
    Checks.require(
        mixupAlpha > 0 || cutmixAlpha > 0, "batch mixing needs a positive mixup or cutmix alpha");
  }

  /**
   * Mixes {@code inputs}, (n, channels, height, width) flattened, in place and returns the soft
   * targets, (n, numClasses) flattened, each row summing to 1. {@code labelSmoothing} (0 to <1) is
   * applied to both one-hot targets before they are mixed.
   */
  public float[] apply(
      float[] inputs,
      long[] labels,
      int n,
      int channels,
      int height,
      int width,
      int numClasses,
      double labelSmoothing,
      RandomGenerator rng) {
    return mix(inputs, labels, n, channels, height, width, numClasses, labelSmoothing, rng)
        .targets();
  }

  /** {@link #apply}, also reporting λ and the kind of mix. */
  public Mixed mix(
      float[] inputs,
      long[] labels,
      int n,
      int channels,
      int height,
      int width,
      int numClasses,
      double labelSmoothing,
      RandomGenerator rng) {
    int len = channels * height * width;
    if (n < 1 || inputs.length < n * len || labels.length < n) {
      throw new ImgclassException(
          "batch mixing got "
              + inputs.length
              + " inputs and "
              + labels.length
              + " labels for "
              + n
              + " images of "
              + channels
              + "x"
              + height
              + "x"
              + width);
    }
    boolean cutmix = cutmixAlpha > 0 && (mixupAlpha == 0 || rng.nextDouble() < SWITCH_PROB);
    double lambda = beta(rng, cutmix ? cutmixAlpha : mixupAlpha);
    float[] original = java.util.Arrays.copyOf(inputs, n * len); // the partners, before mixing
    if (cutmix) {
      lambda = pasteBox(inputs, original, n, channels, height, width, lambda, rng);
    } else {
      float keep = (float) lambda;
      for (int i = 0; i < n; i++) {
        int a = i * len;
        int b = (n - 1 - i) * len;
        for (int k = 0; k < len; k++) {
          inputs[a + k] = keep * original[a + k] + (1 - keep) * original[b + k];
        }
      }
    }
    float[] own = oneHot(labels, n, numClasses, labelSmoothing);
    float[] targets = new float[n * numClasses];
    for (int i = 0; i < n; i++) {
      int a = i * numClasses;
      int b = (n - 1 - i) * numClasses;
      for (int k = 0; k < numClasses; k++) {
        targets[a + k] = (float) (lambda * own[a + k] + (1 - lambda) * own[b + k]);
      }
    }
    return new Mixed(targets, lambda, cutmix ? Kind.CUTMIX : Kind.MIXUP);
  }

  /**
   * Pastes the same box of each partner into every image and returns the share of the area not
   * pasted: the corrected λ. The box has sides {@code sqrt(1 - λ)} of the image's, centred at a
   * uniform random pixel and clipped at the border (timm's {@code rand_bbox}).
   */
  private static double pasteBox(
      float[] inputs,
      float[] original,
      int n,
      int channels,
      int height,
      int width,
      double lambda,
      RandomGenerator rng) {
    double side = Math.sqrt(1 - lambda);
    int cutH = (int) (height * side);
    int cutW = (int) (width * side);
    int cy = rng.nextInt(height);
    int cx = rng.nextInt(width);
    int y0 = Math.max(0, cy - cutH / 2);
    int y1 = Math.min(height, cy + cutH / 2);
    int x0 = Math.max(0, cx - cutW / 2);
    int x1 = Math.min(width, cx + cutW / 2);
    int plane = height * width;
    int len = channels * plane;
    for (int i = 0; i < n; i++) {
      int partner = (n - 1 - i) * len;
      for (int c = 0; c < channels; c++) {
        for (int y = y0; y < y1; y++) {
          int row = c * plane + y * width;
          System.arraycopy(original, partner + row + x0, inputs, i * len + row + x0, x1 - x0);
        }
      }
    }
    return 1 - (double) (y1 - y0) * (x1 - x0) / plane;
  }

  /**
   * One-hot targets, (n, k) flattened, with label smoothing: the true class gets {@code 1 -
   * smoothing + smoothing / k}, every other class {@code smoothing / k} (timm's convention, equal
   * to PyTorch's {@code label_smoothing}).
   */
  public static float[] oneHot(long[] labels, int n, int k, double smoothing) {
    Checks.require(k >= 1, "one-hot targets need at least 1 class, got " + k);
    Checks.require(
        smoothing >= 0 && smoothing < 1, "label smoothing must be in [0, 1), got " + smoothing);
    float off = (float) (smoothing / k);
    float on = (float) (1 - smoothing + smoothing / k);
    float[] t = new float[n * k];
    for (int i = 0; i < n; i++) {
      long y = labels[i];
      if (y < 0 || y >= k) {
        throw new ImgclassException("label " + y + " of image " + i + " is not in 0.." + (k - 1));
      }
      java.util.Arrays.fill(t, i * k, (i + 1) * k, off);
      t[i * k + (int) y] = on;
    }
    return t;
  }

  /** A Beta(α, α) draw as X / (X + Y) with X, Y ~ Gamma(α). */
  static double beta(RandomGenerator rng, double alpha) {
    double x = gamma(rng, alpha);
    double y = gamma(rng, alpha);
    if (x + y == 0) return rng.nextBoolean() ? 1 : 0; // both underflowed: α is tiny, Beta ≈ {0, 1}
    return x / (x + y);
  }

  /** Gamma(α, 1) by Marsaglia and Tsang (2000), boosted by U^(1/α) for α below 1. */
  static double gamma(RandomGenerator rng, double alpha) {
    if (alpha < 1) {
      double u = rng.nextDouble();
      return gamma(rng, alpha + 1) * Math.pow(u, 1 / alpha);
    }
    double d = alpha - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double z = rng.nextGaussian();
      double v = 1 + c * z;
      if (v <= 0) continue;
      v = v * v * v;
      double u = rng.nextDouble();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  }
}
