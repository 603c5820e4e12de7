package dev.imgclass.runtime;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import java.util.List;
import java.util.Locale;

/**
 * Test-time augmentation by horizontal flip: each input is classified as given and mirrored left to
 * right, and the two rows of logits are averaged. Both views go through the wrapped classifier as
 * one batch of {@code 2n}. It suits models trained with horizontal flips (the {@code light}, {@code
 * standard} and {@code strong} augmentations): the mirrored image is one the model has learned
 * from. It doubles the work per image.
 */
public final class FlipAveraging implements Classifier {
  /** The test-time augmentations there are, by the name {@code --tta} takes. */
  public static final List<String> NAMES = List.of("none", "flip");

  private final Classifier inner;

  private FlipAveraging(Classifier inner) {
    this.inner = inner;
  }

  /** {@code c} itself for {@code none}, else {@code c} with flip averaging. */
  public static Classifier wrap(Classifier c, String tta) {
    return switch (check(tta)) {
      case "flip" -> new FlipAveraging(c);
      default -> c;
    };
  }

  /** The normalised name, or a clear error for an unknown one. */
  public static String check(String tta) {
    String t = tta == null ? "none" : tta.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(t))
      throw new ImgclassException(
          "unknown test-time augmentation '" + tta + "': use " + String.join(" or ", NAMES));
    return t;
  }

  @Override
  public ModelSpec spec() {
    return inner.spec();
  }

  @Override
  public float[][] logits(float[] inputs, int n) {
    int s = inner.spec().inputSize();
    int len = inner.spec().inChannels() * s * s;
    float[] both = new float[2 * n * len];
    System.arraycopy(inputs, 0, both, 0, n * len);
    mirrorInto(inputs, both, n * len, n * inner.spec().inChannels(), s);
    float[][] out = inner.logits(both, 2 * n);
    float[][] avg = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] a = out[i];
      float[] b = out[n + i];
      float[] r = new float[a.length];
      for (int k = 0; k < a.length; k++) r[k] = 0.5f * (a[k] + b[k]);
      avg[i] = r;
    }
    return avg;
  }

  /** Writes {@code planes} square planes of side {@code s} from {@code src}, each row reversed. */
  static void mirrorInto(float[] src, float[] dst, int offset, int planes, int s) {
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < s; y++) {
        int row = (p * s + y) * s;
        for (int x = 0; x < s; x++) dst[offset + row + x] = src[row + s - 1 - x];
      }
    }
  }

  @Override
  public void close() {
    inner.close();
  }
}
