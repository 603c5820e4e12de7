package dev.imgclass.train.training;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Batch;
import dev.imgclass.data.Dataset;
import dev.imgclass.train.engine.Tensors;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The teacher's logits for every un-augmented training image, computed once before training in
 * index order and fixed batches, so a resumed run holds the same values as an uninterrupted one.
 * Valid only when the batches are un-augmented (no transforms, no Mixup/CutMix): then a batch's
 * input rows are exactly these images, as {@link TrainConfig} requires for {@code kdCache}.
 */
final class TeacherCache {
  private static final int CHUNK = 256;
  private final float[] logits; // (N, K); NaN rows for images that could not be read
  private final int k;

  private TeacherCache(float[] logits, int k) {
    this.logits = logits;
    this.k = k;
  }

  /**
   * @param student the student's spec: images are preprocessed as its batches are
   * @param teacher the student's (B, C, S, S) input -> the teacher's (B, K) logits
   */
  static TeacherCache fill(Dataset train, ModelSpec student, int k, UnaryOperator<Tensor> teacher) {
    Preprocessor pre = new Preprocessor(student);
    int len = pre.inputLength();
    int s = student.inputSize();
    float[] out = new float[train.size() * k];
    Arrays.fill(out, Float.NaN);
    for (int start = 0; start < train.size(); start += CHUNK) {
      int n = Math.min(CHUNK, train.size() - start);
      float[] x = new float[n * len];
      int[] rows = new int[n];
      int used = 0;
      for (int i = start; i < start + n; i++) {
        ImageU8 img;
        try {
          img = train.image(i);
        } catch (ImgclassException e) {
          continue; // the batches record and replace it; its row stays NaN
        }
        pre.normalizeInto(pre.toInputSize(img), x, used * len);
        rows[used++] = i;
      }
      if (used == 0) continue;
      try (PointerScope scope = new PointerScope()) {
        float[] part =
            Tensors.toFloats(
                teacher.apply(
                    Tensors.floats(
                        Arrays.copyOf(x, used * len), used, student.inChannels(), s, s)));
        for (int j = 0; j < used; j++) System.arraycopy(part, j * k, out, rows[j] * k, k);
      }
    }
    return new TeacherCache(out, k);
  }

  /** The (B, K) logits of a batch's images, if all of them are cached. */
  Optional<Tensor> lookup(Batch batch) {
    int[] idx = batch.indices();
    if (idx == null) return Optional.empty();
    float[] rows = new float[batch.size() * k];
    for (int j = 0; j < batch.size(); j++) {
      if (Float.isNaN(logits[idx[j] * k])) return Optional.empty();
      System.arraycopy(logits, idx[j] * k, rows, j * k, k);
    }
    return Optional.of(Tensors.floats(rows, batch.size(), k));
  }
}
