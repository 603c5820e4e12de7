package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The default recipe by run length (bench/RESULTS-short-runs.md, bench/RESULTS-recipe.md). */
class DefaultAugmentTest {
  private static String resolved(int epochs, String given) {
    TrainConfig.Builder b = TrainConfig.builder();
    b.epochs = epochs;
    b.augment = given;
    return b.build().augment();
  }

  @Test
  void none_below_three_epochs_flips_up_to_ten_translation_beyond() {
    assertThat(resolved(1, null)).isEqualTo("none");
    assertThat(resolved(2, null)).isEqualTo("none");
    assertThat(resolved(3, null)).isEqualTo("flip");
    assertThat(resolved(10, null)).isEqualTo("flip");
    assertThat(resolved(11, null)).isEqualTo("light");
  }

  @Test
  void a_given_recipe_always_wins() {
    assertThat(resolved(5, "light")).isEqualTo("light");
    assertThat(resolved(1, "strong")).isEqualTo("strong");
  }

  @Test
  void the_flip_recipe_is_horizontal_flips_only() {
    var a = dev.imgclass.data.augment.Augmentation.parse("flip");
    assertThat(a.describe()).isEqualTo("flip: h-flip p=0.5");
    assertThat(a.transforms()).hasSize(1);
  }
}
