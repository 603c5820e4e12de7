package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/**
 * With probability {@code p}, replaces a random rectangle with uniform random noise (Zhong et al.
 * 2017, "Random Erasing Data Augmentation"), so the model cannot rely on any one part of the
 * object. The rectangle covers a fraction of the area drawn uniformly from [scaleMin, scaleMax] and
 * has a height/width ratio drawn log-uniformly from [1/ratio, ratio]; after 10 draws that do not
 * fit, the image is left as it is (torchvision's sampling).
 *
 * <p>It works in pixel space, on the uint8 image before normalization: the noise is uniform over
 * 0..255 in every channel, which after normalization is roughly timm's per-pixel random fill. It
 * should come last in a recipe so that no later transform moves or recolours the rectangle.
 *
 * @param p probability of erasing, 0 to 1 (0.25 in timm's ImageNet recipes)
 * @param scaleMin smallest area fraction, in (0, 1) (torchvision: 0.02)
 * @param scaleMax largest area fraction, in [scaleMin, 1) (torchvision: 0.33)
 * @param ratio largest height/width ratio, at least 1 (torchvision: 3.3)
 */
public record RandomErasing(double p, double scaleMin, double scaleMax, double ratio)
    implements Transform {
  private static final int ATTEMPTS = 10;

  public RandomErasing {
    Checks.probability("random erasing p", p);
    Checks.require(
        scaleMin > 0 && scaleMin <= scaleMax && scaleMax < 1,
        "random erasing scale must satisfy 0 < min <= max < 1, got ("
            + scaleMin
            + ", "
            + scaleMax
            + ")");
    Checks.require(
        ratio >= 1 && Double.isFinite(ratio),
        "random erasing ratio must be at least 1, got " + ratio);
  }

  /** Erasing with probability {@code p} and torchvision's rectangle sizes (0.02 to 0.33, 3.3). */
  public static RandomErasing of(double p) {
    return new RandomErasing(p, 0.02, 0.33, 3.3);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    if (rng.nextDouble() >= p) return in;
    int height = in.height();
    int width = in.width();
    double area = (double) height * width;
    double logRatio = Math.log(ratio);
    for (int i = 0; i < ATTEMPTS; i++) {
      double target = area * RandomResizedCrop.uniform(rng, scaleMin, scaleMax);
      double aspect = Math.exp(RandomResizedCrop.uniform(rng, -logRatio, logRatio));
      int h = (int) Math.round(Math.sqrt(target * aspect));
      int w = (int) Math.round(Math.sqrt(target / aspect));
      if (h < 1 || w < 1 || h >= height || w >= width) continue;
      int top = rng.nextInt(height - h + 1);
      int left = rng.nextInt(width - w + 1);
      byte[] out = in.data().clone();
      for (int c = 0; c < in.channels(); c++) {
        for (int y = top; y < top + h; y++) {
          int row = (c * height + y) * width;
          for (int x = left; x < left + w; x++) out[row + x] = (byte) rng.nextInt(256);
        }
      }
      return new ImageU8(in.channels(), height, width, out);
    }
    return in;
  }
}
