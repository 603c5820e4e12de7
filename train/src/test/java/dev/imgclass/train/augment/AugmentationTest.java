package dev.imgclass.train.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  static ImageU8 ramp() {
    byte[] d = new byte[2 * 4 * 5];
    for (int i = 0; i < d.length; i++) d[i] = (byte) (i + 1);
    return new ImageU8(2, 4, 5, d);
  }

  @Test
  void a_flip_mirrors_each_row_and_two_flips_restore_the_image() {
    ImageU8 img = ramp();
    HorizontalFlip always = new HorizontalFlip(1.0);
    ImageU8 once = always.apply(img, new SplittableRandom(1));
    assertThat(once.get(0, 0, 0)).isEqualTo(img.get(0, 0, 4));
    assertThat(once.get(1, 3, 1)).isEqualTo(img.get(1, 3, 3));
    assertThat(always.apply(once, new SplittableRandom(2)).data()).containsExactly(img.data());
    assertThat(img.data()[0]).isEqualTo((byte) 1); // input untouched
  }

  @Test
  void a_random_crop_shifts_content_and_fills_the_border_with_zeros() {
    ImageU8 img = ramp();
    boolean sawShift = false;
    for (int seed = 0; seed < 20; seed++) {
      ImageU8 out = new RandomCrop(1).apply(img, new SplittableRandom(seed));
      assertThat(out.height()).isEqualTo(4);
      if (!java.util.Arrays.equals(out.data(), img.data())) {
        sawShift = true;
        int zeros = 0;
        for (byte b : out.data()) if (b == 0) zeros++;
        assertThat(zeros).isGreaterThan(0);
      }
    }
    assertThat(sawShift).isTrue();
  }

  @Test
  void the_same_seed_gives_the_same_augmentation() {
    Augmentation a = Augmentation.named("standard");
    ImageU8 x = a.apply(ramp(), new SplittableRandom(7));
    ImageU8 y = a.apply(ramp(), new SplittableRandom(7));
    assertThat(x.data()).containsExactly(y.data());
  }

  @Test
  void an_unknown_recipe_names_the_known_ones() {
    assertThatThrownBy(() -> Augmentation.named("wild"))
        .hasMessageContaining("none, light, standard");
  }
}
