package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/**
 * Random photometric changes as torchvision's {@code ColorJitter} makes them: brightness, contrast
 * and saturation factors drawn uniformly from {@code [max(0, 1 - v), 1 + v]}, a hue shift from
 * {@code [-hue, hue]} turns, applied in a random order drawn for every image. A parameter of 0
 * turns that adjustment off. Saturation and hue act only on 3-channel images; a 1-channel image
 * gets brightness and contrast alone.
 *
 * @param brightness 0 to 1; 0.4 is timm's and the ResNet recipes' usual value
 * @param contrast 0 to 1
 * @param saturation 0 to 1
 * @param hue 0 to 0.5 (half a turn of the colour wheel)
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hue)
    implements Transform {
  public ColorJitter {
    Checks.range("color jitter brightness", 0, 1, brightness);
    Checks.range("color jitter contrast", 0, 1, contrast);
    Checks.range("color jitter saturation", 0, 1, saturation);
    Checks.range("color jitter hue", 0, 0.5, hue);
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    int[] order = {0, 1, 2, 3};
    for (int i = order.length - 1; i > 0; i--) { // Fisher-Yates: a uniform random order
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    // factors are drawn before any is applied, in a fixed order, like torchvision's get_params
    double b = brightness > 0 ? factor(rng, brightness) : 1;
    double c = contrast > 0 ? factor(rng, contrast) : 1;
    double s = saturation > 0 ? factor(rng, saturation) : 1;
    double h = hue > 0 ? RandomResizedCrop.uniform(rng, -hue, hue) : 0;
    ImageU8 x = in;
    for (int op : order) {
      x =
          switch (op) {
            case 0 -> ColorOps.brightness(x, b);
            case 1 -> ColorOps.contrast(x, c);
            case 2 -> ColorOps.saturation(x, s);
            default -> ColorOps.hue(x, h);
          };
    }
    return x;
  }

  private static double factor(RandomGenerator rng, double v) {
    return RandomResizedCrop.uniform(rng, Math.max(0, 1 - v), 1 + v);
  }
}
