package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import dev.imgclass.data.augment.TrivialAugmentWide.Choice;
import dev.imgclass.data.augment.TrivialAugmentWide.Op;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrivialAugmentWideTest {
  private final TrivialAugmentWide ta = new TrivialAugmentWide();

  @Test
  void over_many_seeds_every_operation_is_used_about_equally_often() {
    Map<Op, Integer> counts = new EnumMap<>(Op.class);
    int draws = 14_000;
    for (long seed = 0; seed < draws; seed++) {
      counts.merge(ta.choose(28, 28, new SplittableRandom(seed)).op(), 1, Integer::sum);
    }
    assertThat(counts.keySet()).isEqualTo(EnumSet.allOf(Op.class));
    // 1000 expected each; 5 standard deviations is about 160
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(840, 1160));
  }

  @Test
  void magnitudes_stay_in_torchvision_ranges_with_translation_capped_at_half_the_side() {
    for (long seed = 0; seed < 5000; seed++) {
      Choice c = ta.choose(28, 28, new SplittableRandom(seed));
      double m = c.magnitude();
      switch (c.op()) {
        case SHEAR_X, SHEAR_Y, BRIGHTNESS, COLOR, CONTRAST, SHARPNESS ->
            assertThat(Math.abs(m)).isLessThanOrEqualTo(0.99);
        case TRANSLATE_X, TRANSLATE_Y -> {
          assertThat(Math.abs(m)).isLessThanOrEqualTo(14);
          assertThat(m).isEqualTo(Math.rint(m));
        }
        case ROTATE -> assertThat(Math.abs(m)).isLessThanOrEqualTo(135);
        case POSTERIZE -> assertThat(m).isIn(2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
        case SOLARIZE -> assertThat(m).isBetween(0.0, 255.0);
        default -> assertThat(m).isZero();
      }
    }
  }

  @Test
  void every_operation_at_its_neutral_magnitude_is_the_identity() {
    ImageU8 img = TestImages.rgb();
    Map<Op, Double> neutral = new EnumMap<>(Op.class);
    for (Op op : Op.values()) neutral.put(op, 0.0);
    neutral.put(Op.POSTERIZE, 8.0);
    neutral.put(Op.SOLARIZE, 256.0);
    neutral.remove(Op.AUTOCONTRAST);
    neutral.remove(Op.EQUALIZE);
    neutral.forEach(
        (op, m) ->
            assertThat(ta.apply(img, new Choice(op, m)).data())
                .as("%s", op)
                .containsExactly(img.data()));
  }

  @Test
  void applying_with_a_generator_is_choosing_then_applying() {
    ImageU8 img = TestImages.gray28();
    for (long seed = 0; seed < 100; seed++) {
      Choice c = ta.choose(28, 28, new SplittableRandom(seed));
      assertThat(ta.apply(img, new SplittableRandom(seed)).data())
          .containsExactly(ta.apply(img, c).data());
    }
  }

  @Test
  void fewer_than_two_bins_are_refused() {
    assertThatThrownBy(() -> new TrivialAugmentWide(1, false)).hasMessageContaining("bins");
  }
}
