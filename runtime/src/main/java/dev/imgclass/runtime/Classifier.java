package dev.imgclass.runtime;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ModelSpec;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A trained classifier, whatever runs it (libtorch in training, ONNX Runtime when deployed). Input
 * pictures go through the model's own {@link dev.imgclass.core.Preprocessor}.
 */
public interface Classifier extends AutoCloseable {
  ModelSpec spec();

  /** Softmax probabilities, one row per image, for images already at the model's input size. */
  float[][] probabilities(List<ImageU8> inputs);

  /** The top {@code k} classes of each picture, most probable first. */
  default List<List<Prediction>> classifyBatch(List<BufferedImage> pictures, int k) {
    var pre = new dev.imgclass.core.Preprocessor(spec());
    List<ImageU8> inputs = pictures.stream().map(pre::toInput).toList();
    float[][] probs = probabilities(inputs);
    return java.util.Arrays.stream(probs).map(p -> TopK.of(p, k, spec().classes())).toList();
  }

  default List<Prediction> classify(BufferedImage picture, int k) {
    return classifyBatch(List.of(picture), k).get(0);
  }

  @Override
  void close();
}
