package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The images INT8 calibration runs on: a seeded sample of the training split, preprocessed for the
 * model and laid out (n, C, S, S). {@code export --int8} and {@code qat} take the same sample.
 */
public final class CalibrationImages {
  private static final long SEED = 17;

  private CalibrationImages() {}

  /**
   * Up to {@code size} preprocessed images of {@code train}; an unreadable one is handed to {@code
   * skipped} and left out, so the result may be shorter, or empty.
   */
  public static float[] load(Dataset train, ModelSpec spec, int size, Consumer<String> skipped) {
    Dataset calib = Splits.limit(train, size, SEED);
    Preprocessor pre = new Preprocessor(spec);
    int len = pre.inputLength();
    float[] x = new float[calib.size() * len];
    int used = 0;
    for (int i = 0; i < calib.size(); i++) {
      try {
        pre.normalizeInto(pre.toInputSize(calib.image(i)), x, used * len);
        used++;
      } catch (ImgclassException e) {
        skipped.accept(e.getMessage());
      }
    }
    return Arrays.copyOf(x, used * len);
  }
}
