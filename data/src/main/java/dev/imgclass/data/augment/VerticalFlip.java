package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/**
 * Mirrors the image top to bottom with probability {@code p} (0 to 1). Useful where up and down
 * carry no meaning (aerial, microscope and texture images), harmful for objects and digits.
 */
public record VerticalFlip(double p) implements Transform {
  public VerticalFlip {
    Checks.probability("vertical flip p", p);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    if (rng.nextDouble() >= p) return in;
    int h = in.height();
    int w = in.width();
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int c = 0; c < in.channels(); c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(src, (c * h + y) * w, out, (c * h + h - 1 - y) * w, w);
      }
    }
    return new ImageU8(in.channels(), h, w, out);
  }
}
