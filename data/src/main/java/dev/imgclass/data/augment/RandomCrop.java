package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/**
 * Pads the image with zeros by {@code padding} on every side, then crops a window of the original
 * size at a random position: small translations, as in the CIFAR ResNet recipe. {@code padding} is
 * 0 (the identity) to 64 pixels; 2 to 4 suits 28×28 and 32×32 inputs.
 */
public record RandomCrop(int padding) implements Transform {
  public static final int MAX_PADDING = 64;

  public RandomCrop {
    Checks.require(
        padding >= 0 && padding <= MAX_PADDING,
        "random crop padding must be 0 to " + MAX_PADDING + " pixels, got " + padding);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    int dy = rng.nextInt(2 * padding + 1) - padding;
    int dx = rng.nextInt(2 * padding + 1) - padding;
    if (dx == 0 && dy == 0) return in;
    int c = in.channels();
    int h = in.height();
    int w = in.width();
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        if (sy < 0 || sy >= h) continue;
        int x0 = Math.max(0, -dx);
        int x1 = Math.min(w, w - dx);
        if (x1 > x0)
          System.arraycopy(src, (ch * h + sy) * w + x0 + dx, out, (ch * h + y) * w + x0, x1 - x0);
      }
    }
    return new ImageU8(c, h, w, out);
  }
}
