package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * TrivialAugment in its "wide" search space (Müller and Hutter 2021, "TrivialAugment: Tuning-free
 * Yet State-of-the-Art Data Augmentation", arXiv:2103.10158): each image gets one operation chosen
 * uniformly from {@link Op}, at a strength drawn uniformly from {@code bins} evenly spaced
 * magnitudes, with a random sign where the operation has one. No parameters to tune; a strong
 * default for training from scratch.
 *
 * <p>The magnitude ranges are torchvision's ({@code TrivialAugmentWide._augmentation_space} in
 * torchvision/transforms/autoaugment.py): shear 0 to 0.99, rotation 0 to 135 degrees, brightness,
 * colour, contrast and sharpness factors 1 ± 0 to 0.99, posterize 8 down to 2 bits, solarize
 * threshold 255 down to 0. Translation is the one change: torchvision moves up to 32 pixels
 * whatever the image size, which on a 28×28 image can push the whole object out of view; here the
 * limit is {@code min(32, side / 2)} pixels, so it equals torchvision's from 64-pixel images up.
 * Geometric operations fill uncovered pixels with 0; colour (saturation) leaves 1-channel images as
 * they are.
 *
 * @param bins number of magnitudes, at least 2 (31 in the paper and torchvision)
 * @param bilinear bilinear sampling for the geometric operations; false gives nearest, the default
 *     of torchvision and the paper
 */
public record TrivialAugmentWide(int bins, boolean bilinear) implements Transform {
  public static final int DEFAULT_BINS = 31;

  /** The operations of the wide space, with the largest magnitude of each (0: none). */
  public enum Op {
    IDENTITY(0, false),
    SHEAR_X(0.99, true),
    SHEAR_Y(0.99, true),
    TRANSLATE_X(32, true),
    TRANSLATE_Y(32, true),
    ROTATE(135, true),
    BRIGHTNESS(0.99, true),
    COLOR(0.99, true),
    CONTRAST(0.99, true),
    SHARPNESS(0.99, true),
    POSTERIZE(6, false), // bits removed: 8 - round(bin / ((bins - 1) / 6)) bits kept
    SOLARIZE(255, false), // threshold 255 - 255 * bin / (bins - 1)
    AUTOCONTRAST(0, false),
    EQUALIZE(0, false);

    final double max;
    final boolean signed;

    Op(double max, boolean signed) {
      this.max = max;
      this.signed = signed;
    }
  }

  private static final List<Op> OPS = List.of(Op.values());

  /**
   * One draw: the operation and its magnitude in the operation's own unit (shear factor, pixels,
   * degrees, enhancement factor minus 1, bits kept, solarize threshold; 0 where there is none).
   */
  public record Choice(Op op, double magnitude) {}

  public TrivialAugmentWide {
    Checks.require(bins >= 2, "TrivialAugmentWide needs at least 2 magnitude bins, got " + bins);
  }

  /** 31 bins and nearest sampling, as in the paper and torchvision. */
  public TrivialAugmentWide() {
    this(DEFAULT_BINS, false);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    return apply(in, choose(in.height(), in.width(), rng));
  }

  /** Draws the operation and magnitude for an image of {@code height × width}. */
  public Choice choose(int height, int width, RandomGenerator rng) {
    Op op = OPS.get(rng.nextInt(OPS.size()));
    if (op.max == 0) return new Choice(op, 0);
    int bin = rng.nextInt(bins);
    double t = (double) bin / (bins - 1);
    double m =
        switch (op) {
          case TRANSLATE_X -> (int) (t * maxTranslate(width)); // whole pixels, as torchvision
          case TRANSLATE_Y -> (int) (t * maxTranslate(height));
          case POSTERIZE -> 8 - Math.rint(bin / ((bins - 1) / 6.0)); // rint: torch's half-even
          case SOLARIZE -> 255 - 255 * t;
          default -> op.max * t;
        };
    if (op.signed && rng.nextBoolean()) m = -m;
    return new Choice(op, m);
  }

  private static double maxTranslate(int side) {
    return Math.min(32, side / 2.0);
  }

  /** Applies one chosen operation; deterministic. */
  public ImageU8 apply(ImageU8 in, Choice choice) {
    double m = choice.magnitude();
    return switch (choice.op()) {
      case IDENTITY -> in;
      case SHEAR_X -> Warp.shearX(in, m, bilinear);
      case SHEAR_Y -> Warp.shearY(in, m, bilinear);
      case TRANSLATE_X -> Warp.translate(in, m, 0, bilinear);
      case TRANSLATE_Y -> Warp.translate(in, 0, m, bilinear);
      case ROTATE -> Warp.rotate(in, m, bilinear);
      case BRIGHTNESS -> ColorOps.brightness(in, 1 + m);
      case COLOR -> ColorOps.saturation(in, 1 + m);
      case CONTRAST -> ColorOps.contrast(in, 1 + m);
      case SHARPNESS -> ColorOps.sharpness(in, 1 + m);
      case POSTERIZE -> ColorOps.posterize(in, (int) m);
      case SOLARIZE -> ColorOps.solarize(in, m);
      case AUTOCONTRAST -> ColorOps.autocontrast(in);
      case EQUALIZE -> ColorOps.equalize(in);
    };
  }
}
