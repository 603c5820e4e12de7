package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColorTransformsTest {
  @Test
  void color_jitter_with_all_zero_is_the_identity() {
    ColorJitter none = new ColorJitter(0, 0, 0, 0);
    for (ImageU8 img : new ImageU8[] {TestImages.gray28(), TestImages.rgb()}) {
      for (long seed = 0; seed < 10; seed++) {
        assertThat(none.apply(img, new SplittableRandom(seed)).data()).containsExactly(img.data());
      }
    }
  }

  @Test
  void saturation_and_hue_leave_gray_images_alone_but_change_colour_ones() {
    ColorJitter colourOnly = new ColorJitter(0, 0, 0.9, 0.5);
    ImageU8 gray = TestImages.gray28();
    ImageU8 rgb = TestImages.rgb();
    assertThat(colourOnly.apply(gray, new SplittableRandom(1)).data()).containsExactly(gray.data());
    assertThat(colourOnly.apply(rgb, new SplittableRandom(1)).data()).isNotEqualTo(rgb.data());
  }

  @Test
  void brightness_jitter_scales_values_within_its_range() {
    ImageU8 img = new ImageU8(1, 1, 2, new byte[] {100, 50});
    ColorJitter b = new ColorJitter(0.5, 0, 0, 0);
    for (long seed = 0; seed < 50; seed++) {
      ImageU8 out = b.apply(img, new SplittableRandom(seed));
      assertThat(out.get(0, 0, 0)).isBetween(50, 150);
      // both pixels are scaled by the same factor
      assertThat((double) out.get(0, 0, 0) / out.get(0, 0, 1)).isCloseTo(2.0, within(0.05));
    }
  }

  @Test
  void a_third_of_a_turn_of_hue_makes_red_green() {
    ImageU8 red = new ImageU8(3, 1, 1, new byte[] {(byte) 255, 0, 0});
    ImageU8 green = ColorOps.hue(red, 1.0 / 3);
    assertThat(new int[] {green.get(0, 0, 0), green.get(1, 0, 0), green.get(2, 0, 0)})
        .containsExactly(0, 255, 0);
  }

  @Test
  void zero_contrast_gives_the_mean_and_zero_saturation_gives_gray() {
    ImageU8 img = new ImageU8(1, 1, 4, new byte[] {0, 100, 100, (byte) 200});
    assertThat(ColorOps.contrast(img, 0).data()).containsOnly((byte) 100);
    ImageU8 rgb = TestImages.rgb();
    ImageU8 gray = ColorOps.saturation(rgb, 0);
    for (int y = 0; y < 20; y++) {
      assertThat(gray.get(0, y, 3)).isEqualTo(gray.get(1, y, 3)).isEqualTo(gray.get(2, y, 3));
    }
  }

  @Test
  void posterize_solarize_autocontrast_and_equalize_do_what_their_names_say() {
    ImageU8 img = new ImageU8(1, 1, 4, new byte[] {10, 60, (byte) 130, (byte) 250});
    assertThat(ColorOps.posterize(img, 2).data())
        .containsExactly((byte) 0, (byte) 0, (byte) 128, (byte) 192);
    assertThat(ColorOps.solarize(img, 128).data())
        .containsExactly((byte) 10, (byte) 60, (byte) 125, (byte) 5);
    assertThat(ColorOps.autocontrast(img).data()).startsWith((byte) 0).endsWith((byte) 255);
    byte[] thirds = new byte[900]; // 300 pixels each of 10, 20 and 30
    for (int i = 0; i < 900; i++) thirds[i] = (byte) (10 * (1 + i / 300));
    ImageU8 eq = ColorOps.equalize(new ImageU8(1, 30, 30, thirds));
    assertThat(new int[] {eq.data()[0], eq.data()[300] & 0xff, eq.data()[600] & 0xff})
        .containsExactly(0, 150, 255); // spread over the range by the cumulative histogram
  }

  @Test
  void random_erasing_with_p_one_fills_one_rectangle_with_noise_and_nothing_else() {
    ImageU8 img = TestImages.noise(3, 32, 32, 11);
    RandomErasing erase = RandomErasing.of(1);
    for (long seed = 0; seed < 30; seed++) {
      ImageU8 out = erase.apply(img, new SplittableRandom(seed));
      int top = 32;
      int left = 32;
      int bottom = -1;
      int right = -1;
      boolean[][] changed = new boolean[32][32];
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          for (int c = 0; c < 3; c++) changed[y][x] |= out.get(c, y, x) != img.get(c, y, x);
          if (changed[y][x]) {
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
            left = Math.min(left, x);
            right = Math.max(right, x);
          }
        }
      }
      assertThat(bottom).as("seed %d erased nothing", seed).isGreaterThanOrEqualTo(0);
      for (int y = top; y <= bottom; y++) {
        for (int x = left; x <= right; x++) assertThat(changed[y][x]).isTrue(); // a full rectangle
      }
      double area = (bottom - top + 1) * (right - left + 1) / 1024.0;
      assertThat(area).isBetween(0.01, 0.36); // 0.02 to 0.33, less rounding of both sides
    }
  }

  @Test
  void random_erasing_with_p_zero_is_the_identity_and_bad_parameters_are_refused() {
    ImageU8 img = TestImages.rgb();
    assertThat(RandomErasing.of(0).apply(img, new SplittableRandom(1))).isSameAs(img);
    assertThatThrownBy(() -> new RandomErasing(0.5, 0.4, 0.2, 3)).hasMessageContaining("scale");
    assertThatThrownBy(() -> new RandomErasing(0.5, 0.02, 0.33, 0.5)).hasMessageContaining("ratio");
    assertThatThrownBy(() -> new ColorJitter(0, 0, 0, 0.7)).hasMessageContaining("hue");
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
