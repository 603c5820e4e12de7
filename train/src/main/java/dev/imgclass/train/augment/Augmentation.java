package dev.imgclass.train.augment;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A named training-time recipe: transforms applied in order. {@code none} trains on the images as
 * they are; {@code light} adds random 2-pixel translations and horizontal flips; {@code standard}
 * uses 4-pixel translations.
 */
public record Augmentation(String name, List<Transform> transforms) implements Transform {
  public static final List<String> NAMES = List.of("none", "light", "standard");

  public static Augmentation named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "none" -> new Augmentation("none", List.of());
      case "light" ->
          new Augmentation("light", List.of(new RandomCrop(2), new HorizontalFlip(0.5)));
      case "standard" ->
          new Augmentation("standard", List.of(new RandomCrop(4), new HorizontalFlip(0.5)));
      default ->
          throw new ImgclassException(
              "unknown augmentation '" + name + "': choose one of " + String.join(", ", NAMES));
    };
  }

  @Override
  public ImageU8 apply(ImageU8 in, RandomGenerator rng) {
    ImageU8 x = in;
    for (Transform t : transforms) x = t.apply(x, rng);
    return x;
  }
}
