package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GeometricTransformsTest {
  @Test
  void a_vertical_flip_mirrors_rows_and_two_flips_restore_the_image() {
    ImageU8 img = TestImages.rgb();
    VerticalFlip always = new VerticalFlip(1);
    ImageU8 once = always.apply(img, new SplittableRandom(1));
    assertThat(once.get(2, 0, 5)).isEqualTo(img.get(2, 19, 5));
    assertThat(once.get(0, 7, 0)).isEqualTo(img.get(0, 12, 0));
    assertThat(always.apply(once, new SplittableRandom(2)).data()).containsExactly(img.data());
  }

  @Test
  void flips_with_p_zero_return_the_input() {
    ImageU8 img = TestImages.gray28();
    assertThat(new VerticalFlip(0).apply(img, new SplittableRandom(3))).isSameAs(img);
    assertThat(new HorizontalFlip(0).apply(img, new SplittableRandom(3))).isSameAs(img);
  }

  @Test
  void a_resized_crop_of_the_whole_area_at_ratio_one_is_the_identity() {
    ImageU8 img = TestImages.noise(3, 28, 28, 5);
    RandomResizedCrop whole = new RandomResizedCrop(1, 1, 1, 1);
    for (long seed = 0; seed < 10; seed++) {
      assertThat(whole.apply(img, new SplittableRandom(seed)).data()).containsExactly(img.data());
    }
  }

  @Test
  void resized_crop_windows_lie_inside_the_image_and_cover_the_requested_area() {
    RandomResizedCrop rrc = RandomResizedCrop.ofScale(0.35);
    for (long seed = 0; seed < 500; seed++) {
      int[] box = rrc.window(28, 28, new SplittableRandom(seed));
      int top = box[0];
      int left = box[1];
      int h = box[2];
      int w = box[3];
      assertThat(top).isBetween(0, 28 - h);
      assertThat(left).isBetween(0, 28 - w);
      double area = h * w / 784.0;
      assertThat(area).isBetween(0.3, 1.0); // 0.35 less rounding of both sides
      assertThat((double) w / h).isBetween(0.6, 1.5);
    }
  }

  @Test
  void an_impossible_ratio_falls_back_to_the_centred_window_of_the_nearest_ratio() {
    // at full area, ratio 3 needs a 17-pixel-wide window on a 10x10 image: every draw fails
    RandomResizedCrop wide = new RandomResizedCrop(1, 1, 3, 3);
    assertThat(wide.window(10, 10, new SplittableRandom(1))).containsExactly(3, 0, 3, 10);
    RandomResizedCrop tall = new RandomResizedCrop(1, 1, 1.0 / 3, 1.0 / 3);
    assertThat(tall.window(10, 10, new SplittableRandom(1))).containsExactly(0, 3, 10, 3);
  }

  @Test
  void resized_crop_parameters_are_checked() {
    assertThatThrownBy(() -> new RandomResizedCrop(0, 1, 0.75, 1.33))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("scale");
    assertThatThrownBy(() -> new RandomResizedCrop(0.5, 0.4, 0.75, 1.33))
        .hasMessageContaining("scale");
    assertThatThrownBy(() -> new RandomResizedCrop(0.5, 1, 2, 1)).hasMessageContaining("ratio");
    assertThatThrownBy(() -> new RandomCrop(-1)).hasMessageContaining("padding");
    assertThatThrownBy(() -> new HorizontalFlip(1.5)).hasMessageContaining("[0, 1]");
  }

  @Test
  void a_quarter_turn_moves_the_top_right_corner_to_the_top_left() {
    ImageU8 img = TestImages.noise(1, 6, 6, 9);
    ImageU8 r = Warp.rotate(img, 90, false);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 6; x++) assertThat(r.get(0, y, x)).isEqualTo(img.get(0, x, 5 - y));
    }
  }

  @Test
  void a_translation_moves_content_and_fills_with_zero() {
    ImageU8 img = TestImages.noise(1, 8, 8, 4);
    for (boolean bilinear : new boolean[] {false, true}) {
      ImageU8 t = Warp.translate(img, 3, -2, bilinear);
      assertThat(t.get(0, 0, 3)).isEqualTo(img.get(0, 2, 0));
      assertThat(t.get(0, 5, 7)).isEqualTo(img.get(0, 7, 4));
      assertThat(t.get(0, 4, 2)).isZero(); // came from x = -1
      assertThat(t.get(0, 6, 5)).isZero(); // came from y = 8
    }
  }
}
