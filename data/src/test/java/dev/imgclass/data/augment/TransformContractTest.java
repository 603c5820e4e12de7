package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.core.ImageU8;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every transform promises: seeded, pure, and the output has the input's shape. */
class TransformContractTest {
  static Stream<Arguments> transforms() {
    List<Transform> all =
        List.of(
            new RandomCrop(4),
            new HorizontalFlip(0.5),
            new VerticalFlip(0.5),
            new RandomResizedCrop(0.08, 1, 3.0 / 4, 4.0 / 3),
            new ColorJitter(0.4, 0.4, 0.4, 0.1),
            new RandomErasing(1, 0.02, 0.33, 3.3),
            new TrivialAugmentWide(),
            new TrivialAugmentWide(31, true),
            Augmentation.parse("strong"),
            Augmentation.parse("none,hflip=0.5,vflip=0.5,rrc=0.35,jitter=0.4,auto=trivial,crop=4"));
    return all.stream()
        .flatMap(
            t -> Stream.of(TestImages.gray28(), TestImages.rgb()).map(img -> Arguments.of(t, img)));
  }

  @ParameterizedTest
  @MethodSource("transforms")
  void the_same_seed_gives_the_same_bytes(Transform t, ImageU8 img) {
    for (long seed = 0; seed < 40; seed++) {
      ImageU8 a = t.apply(img, new SplittableRandom(seed));
      ImageU8 b = t.apply(img, new SplittableRandom(seed));
      assertThat(a.data()).as("seed %d", seed).containsExactly(b.data());
    }
  }

  @ParameterizedTest
  @MethodSource("transforms")
  void the_input_is_never_modified_and_the_shape_is_kept(Transform t, ImageU8 img) {
    byte[] before = img.data().clone();
    boolean changedSome = false;
    for (long seed = 0; seed < 40; seed++) {
      ImageU8 out = t.apply(img, new SplittableRandom(seed));
      assertThat(img.data()).containsExactly(before);
      assertThat(out.channels()).isEqualTo(img.channels());
      assertThat(out.height()).isEqualTo(img.height());
      assertThat(out.width()).isEqualTo(img.width());
      changedSome |= !java.util.Arrays.equals(out.data(), before);
    }
    assertThat(changedSome).as("%s changed nothing in 40 draws", t).isTrue();
  }
}
