package dev.imgclass.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlipAveragingTest {
  /** Two logits per input: the sum of its left column and of its right column (3 x 3 planes). */
  static final class Columns implements Classifier {
    final List<Integer> batches = new ArrayList<>();
    boolean closed;

    @Override
    public ModelSpec spec() {
      return new ModelSpec("fake", List.of("left", "right"), 1, 8, List.of(0.5), List.of(0.5));
    }

    @Override
    public float[][] logits(float[] inputs, int n) {
      batches.add(n);
      int s = 8;
      float[][] out = new float[n][2];
      for (int i = 0; i < n; i++)
        for (int y = 0; y < s; y++) {
          out[i][0] += inputs[i * s * s + y * s];
          out[i][1] += inputs[i * s * s + y * s + s - 1];
        }
      return out;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void averages_each_image_with_its_mirror_in_one_batch() {
    Columns inner = new Columns();
    float[] x = new float[2 * 64];
    for (int y = 0; y < 8; y++) {
      x[y * 8] = 1; // image 0: left column lit
      x[64 + y * 8 + 7] = 3; // image 1: right column lit
    }
    try (Classifier c = FlipAveraging.wrap(inner, "flip")) {
      float[][] l = c.logits(x, 2);
      assertThat(l[0]).containsExactly(4f, 4f); // (8 + 0) / 2 each way
      assertThat(l[1]).containsExactly(12f, 12f);
      assertThat(c.spec().classes()).containsExactly("left", "right");
    }
    assertThat(inner.batches).containsExactly(4);
    assertThat(inner.closed).isTrue();
    assertThat(x[0]).as("the caller's inputs are left alone").isEqualTo(1f);
  }

  @Test
  void mirrors_every_row_of_every_plane() {
    float[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
    float[] dst = new float[src.length + 1];
    FlipAveraging.mirrorInto(src, dst, 1, 2, 3);
    assertThat(dst)
        .containsExactly(0, 3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10, 15, 14, 13, 18, 17, 16);
  }

  @Test
  void none_is_the_classifier_itself_and_unknown_names_are_refused() {
    Columns inner = new Columns();
    assertThat(FlipAveraging.wrap(inner, "none")).isSameAs(inner);
    assertThat(FlipAveraging.check(" FLIP ")).isEqualTo("flip");
    assertThatThrownBy(() -> FlipAveraging.check("rotate"))
        .isInstanceOf(ImgclassException.class)
        .hasMessage("unknown test-time augmentation 'rotate': use none or flip");
  }
}
