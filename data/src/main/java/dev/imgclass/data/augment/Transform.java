package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;
import java.util.random.RandomGenerator;

/**
 * One augmentation: a pure function of the image and a random generator. Implementations never
 * touch global state and never modify their input; the result is always the image to use.
 */
public interface Transform {
  ImageU8 apply(ImageU8 in, RandomGenerator rng);
}
