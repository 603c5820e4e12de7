package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        .hasMessageContaining("none, flip, light, standard, strong");
    assertThatThrownBy(() -> Augmentation.parse("wild,hflip=0.5"))
        .hasMessageContaining("unknown augmentation 'wild'");
  }

  @Test
  void light_and_standard_keep_their_transforms_so_old_runs_repeat() {
    assertThat(Augmentation.parse("light").transforms())
        .containsExactly(new RandomCrop(2), new HorizontalFlip(0.5));
    assertThat(Augmentation.named("standard").transforms())
        .containsExactly(new RandomCrop(4), new HorizontalFlip(0.5));
    assertThat(Augmentation.parse("none").transforms()).isEmpty();
    assertThat(Augmentation.parse("none").apply(ramp(), new SplittableRandom(1)).data())
        .containsExactly(ramp().data());
  }

  @Test
  void strong_is_resized_crop_flip_trivial_augment_and_erasing_without_batch_mixing() {
    Augmentation strong = Augmentation.parse("strong");
    assertThat(strong.transforms())
        .containsExactly(
            new RandomResizedCrop(0.35, 1, 3.0 / 4, 4.0 / 3),
            new HorizontalFlip(0.5),
            new TrivialAugmentWide(31, false),
            new RandomErasing(0.25, 0.02, 0.33, 3.3));
    assertThat(strong.batchMix()).isEmpty();
    assertThat(strong.describe())
        .isEqualTo(
            "strong: random resized crop (scale 0.35-1), h-flip p=0.5, TrivialAugmentWide,"
                + " random erasing p=0.25");
  }

  @Test
  void overrides_change_only_their_keys_and_turn_on_batch_mixing() {
    Augmentation a = Augmentation.parse(" Strong , mixup=0.2,CUTMIX=1.0, erasing=0 ");
    assertThat(a.batchMix()).contains(new BatchMix(0.2, 1.0));
    assertThat(a.transforms()).hasSize(3).doesNotHaveAnyElementsOfTypes(RandomErasing.class);
    assertThat(a.spec())
        .isEqualTo(
            "strong,crop=0,rrc=0.35,hflip=0.5,vflip=0,jitter=0,auto=trivial,erasing=0,"
                + "mixup=0.2,cutmix=1");
    assertThat(a.describe()).startsWith("strong (customised): ").contains("one of the two");

    Augmentation b =
        Augmentation.parse("none,hflip=0.5,vflip=0.5,rrc=0.35,jitter=0.4,auto=trivial,crop=4");
    assertThat(b.transforms())
        .containsExactly(
            RandomResizedCrop.ofScale(0.35),
            new RandomCrop(4),
            new HorizontalFlip(0.5),
            new VerticalFlip(0.5),
            new TrivialAugmentWide(),
            new ColorJitter(0.4, 0.4, 0.4, 0));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "none",
        "light",
        "standard",
        "strong",
        "strong,mixup=0.2,cutmix=1.0,erasing=0.25",
        "none,hflip=0.5,vflip=0.5,rrc=0.35,jitter=0.4,auto=trivial,crop=4"
      })
  void the_canonical_spec_parses_back_to_the_same_augmentation(String spec) {
    Augmentation a = Augmentation.parse(spec);
    Augmentation again = Augmentation.parse(a.spec());
    assertThat(again).isEqualTo(a);
    assertThat(again.spec()).isEqualTo(a.spec());
    assertThat(again.transforms()).isEqualTo(a.transforms());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "light,zoom=2 | unknown augmentation key 'zoom' in 'light,zoom=2': allowed keys are crop,"
            + " rrc, hflip, vflip, jitter, auto, erasing, mixup, cutmix",
        "light,hflip=1.5 | augmentation hflip must be a probability in [0, 1], got 1.5",
        "light,hflip=often | augmentation hflip needs a number, got 'often'",
        "light,crop=2.5 | augmentation crop needs a whole number, got '2.5'",
        "light,crop=-1 | augmentation crop must be 0 to 64, got -1",
        "light,rrc=1.2 | augmentation rrc must be 0 (off) or an area fraction in (0, 1]",
        "light,auto=rand | augmentation auto must be one of none, trivial, got rand",
        "light,mixup=-0.2 | augmentation mixup must be 0 (off) or a Beta alpha",
        "light,hflip | augmentation key 'hflip' in 'light,hflip' needs a value",
        "light,hflip=0.5,hflip=0 | augmentation key 'hflip' appears twice",
        "hflip=0.5 | must start with a recipe name (none, flip, light, standard, strong)",
        "light,,hflip=0.5 | unknown augmentation key ''",
        "light,jitter=NaN | augmentation jitter needs a number, got 'NaN'"
      })
  void bad_specs_say_which_key_is_wrong_and_what_is_allowed(String spec, String message) {
    assertThatThrownBy(() -> Augmentation.parse(spec))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining(message);
  }

  @Test
  void an_empty_spec_asks_for_a_recipe() {
    assertThatThrownBy(() -> Augmentation.parse(" ")).hasMessageContaining("give a recipe");
  }
}
