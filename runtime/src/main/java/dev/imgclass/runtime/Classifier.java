package dev.imgclass.runtime;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

/**
 * A trained classifier, whatever runs it (libtorch in training, ONNX Runtime when deployed). Input
 * pictures go through the model's own {@link Preprocessor}, so every backend sees the same input.
 */
public interface Classifier extends AutoCloseable {
  ModelSpec spec();

  /** Raw logits for {@code n} preprocessed inputs laid out (n, C, S, S), one row per input. */
  float[][] logits(float[] inputs, int n);

  /** Softmax probabilities for 8-bit images (any size and channels; brought to the input size). */
  default float[][] probabilities(List<ImageU8> images) {
    Preprocessor pre = new Preprocessor(spec());
    int len = pre.inputLength();
    float[] x = new float[images.size() * len];
    for (int i = 0; i < images.size(); i++)
      pre.normalizeInto(pre.toInputSize(images.get(i)), x, i * len);
    float[][] out = logits(x, images.size());
    for (float[] row : out) softmaxInPlace(row);
    return out;
  }

  /** The top {@code k} classes of each picture, most probable first. */
  default List<List<Prediction>> classifyBatch(List<BufferedImage> pictures, int k) {
    Preprocessor pre = new Preprocessor(spec());
    List<ImageU8> inputs = pictures.stream().map(pre::toInput).toList();
    return Arrays.stream(probabilities(inputs)).map(p -> TopK.of(p, k, spec().classes())).toList();
  }

  default List<Prediction> classify(BufferedImage picture, int k) {
    return classifyBatch(List.of(picture), k).get(0);
  }

  /** Numerically stable softmax, in place. */
  static void softmaxInPlace(float[] v) {
    float max = Float.NEGATIVE_INFINITY;
    for (float x : v) max = Math.max(max, x);
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.exp(v[i] - max);
      sum += v[i];
    }
    for (int i = 0; i < v.length; i++) v[i] /= (float) sum;
  }

  @Override
  void close();
}
