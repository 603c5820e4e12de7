package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.SplittableRandom;

/** Images for the augmentation tests: random content, so that any moved pixel shows. */
final class TestImages {
  private TestImages() {}

  static ImageU8 noise(int channels, int height, int width, long seed) {
    byte[] d = new byte[channels * height * width];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < d.length; i++) d[i] = (byte) r.nextInt(256);
    return new ImageU8(channels, height, width, d);
  }

  /** A Fashion-MNIST-shaped image. */
  static ImageU8 gray28() {
    return noise(1, 28, 28, 1);
  }

  /** A small non-square colour image. */
  static ImageU8 rgb() {
    return noise(3, 20, 24, 2);
  }
}
