package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Images;
import java.util.random.RandomGenerator;

/**
 * Crops a random window and resizes it back to the input size with bilinear interpolation: the
 * scale-and-aspect augmentation of Inception (Szegedy et al. 2015) with torchvision's sampling. The
 * window covers a fraction of the image area drawn uniformly from [scaleMin, scaleMax] and has a
 * width/height ratio drawn log-uniformly from [ratioMin, ratioMax]; after 10 draws that do not fit
 * it falls back to the largest centred window whose ratio is within range.
 *
 * <p>torchvision's default scale (0.08, 1) is for 224-pixel photos; on 28×28 or 32×32 inputs a
 * minimum of 0.25 to 0.5 keeps the object recognisable.
 *
 * @param scaleMin smallest area fraction, in (0, 1]
 * @param scaleMax largest area fraction, in [scaleMin, 1]
 * @param ratioMin smallest width/height ratio, positive (typically 3/4)
 * @param ratioMax largest width/height ratio, at least ratioMin (typically 4/3)
 */
public record RandomResizedCrop(double scaleMin, double scaleMax, double ratioMin, double ratioMax)
    implements Transform {
  private static final int ATTEMPTS = 10;

  public RandomResizedCrop {
    Checks.require(
        scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1,
        "random resized crop scale must satisfy 0 < min <= max <= 1, got ("
            + scaleMin
            + ", "
            + scaleMax
            + ")");
    Checks.require(
        ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax),
        "random resized crop ratio must satisfy 0 < min <= max, got ("
            + ratioMin
            + ", "
            + ratioMax
            + ")");
  }

  /** Area fraction from {@code scaleMin} to 1 and ratio from 3/4 to 4/3, torchvision's range. */
  public static RandomResizedCrop ofScale(double scaleMin) {
    return new RandomResizedCrop(scaleMin, 1, 3.0 / 4, 4.0 / 3);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    int[] box = window(in.height(), in.width(), rng);
    ImageU8 crop = Warp.crop(in, box[0], box[1], box[2], box[3]);
    return Images.resize(crop, in.height(), in.width());
  }

  /** {top, left, height, width} of the window to crop from an {@code height × width} image. */
  int[] window(int height, int width, RandomGenerator rng) {
    double area = (double) height * width;
    double logMin = Math.log(ratioMin);
    double logMax = Math.log(ratioMax);
    for (int i = 0; i < ATTEMPTS; i++) {
      double target = area * uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(uniform(rng, logMin, logMax));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new int[] {top, left, h, w};
      }
    }
    double inRatio = (double) width / height; // fallback: centred, ratio clipped into range
    int w = width;
    int h = height;
    if (inRatio < ratioMin) h = Math.max(1, Math.min(height, (int) Math.round(w / ratioMin)));
    else if (inRatio > ratioMax) w = Math.max(1, Math.min(width, (int) Math.round(h * ratioMax)));
    return new int[] {(height - h) / 2, (width - w) / 2, h, w};
  }

  static double uniform(RandomGenerator rng, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
  }
}
