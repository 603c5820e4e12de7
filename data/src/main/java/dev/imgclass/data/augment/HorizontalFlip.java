package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/** Mirrors the image left to right with probability {@code p} (0 to 1). */
public record HorizontalFlip(double p) implements Transform {
  public HorizontalFlip {
    Checks.probability("horizontal flip p", p);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    if (rng.nextDouble() >= p) return in;
    int h = in.height();
    int w = in.width();
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int row = 0; row < in.channels() * h; row++) {
      int base = row * w;
      for (int x = 0; x < w; x++) out[base + x] = src[base + w - 1 - x];
    }
    return new ImageU8(in.channels(), h, w, out);
  }
}
