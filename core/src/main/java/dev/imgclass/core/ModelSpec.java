package dev.imgclass.core;

import java.util.List;

/**
 * What a model is and what it expects as input: enough to rebuild it from the registry and to
 * preprocess an image exactly as during training. Stored in {@code model.json}.
 *
 * @param architecture registry name, e.g. {@code resnet20}
 * @param classes class names in index order (sorted when read from folders)
 * @param inChannels 1 (grayscale) or 3 (RGB)
 * @param inputSize square input side in pixels
 * @param mean per-channel mean subtracted after scaling pixels to [0, 1]
 * @param std per-channel standard deviation divided after subtracting the mean
 */
public record ModelSpec(
    String architecture,
    List<String> classes,
    int inChannels,
    int inputSize,
    List<Double> mean,
    List<Double> std) {

  public ModelSpec {
    if (architecture == null || architecture.isBlank()) {
      throw new ImgclassException("model spec has no architecture name");
    }
    classes = List.copyOf(classes);
    if (classes.size() < 2) {
      throw new ImgclassException("a classifier needs at least 2 classes, got " + classes.size());
    }
    if (inChannels != 1 && inChannels != 3) {
      throw new ImgclassException("input channels must be 1 or 3, got " + inChannels);
    }
    if (inputSize < 8) {
      throw new ImgclassException("input size must be at least 8 pixels, got " + inputSize);
    }
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.size() != inChannels || std.size() != inChannels) {
      throw new ImgclassException(
          "mean and std need one value per input channel (" + inChannels + ")");
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw new ImgclassException("std values must be positive, got " + std);
      }
    }
  }

  public int numClasses() {
    return classes.size();
  }

  /** The same spec with another class list (fine-tuning on new classes). */
  public ModelSpec withClasses(List<String> newClasses) {
    return new ModelSpec(architecture, newClasses, inChannels, inputSize, mean, std);
  }
}
