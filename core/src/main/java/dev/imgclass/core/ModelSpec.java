package dev.imgclass.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param widths channel counts that differ from the architecture's, by the name of the layer whose
 *     output they size ({@code layer1.0.conv1}, {@code features.4.block.0}): what structured
 *     pruning left. Empty for an unpruned model, and then left out of {@code model.json}, so files
 *     written before pruning existed read as they are.
 */
public record ModelSpec(
    String architecture,
    List<String> classes,
    int inChannels,
    int inputSize,
    List<Double> mean,
    List<Double> std,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Integer> widths) {

  /** The architecture at its registered widths (every model that was not pruned). */
  public ModelSpec(
      String architecture,
      List<String> classes,
      int inChannels,
      int inputSize,
      List<Double> mean,
      List<Double> std) {
    this(architecture, classes, inChannels, inputSize, mean, std, Map.of());
  }

  @JsonCreator
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
    widths =
        widths == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(widths));
    for (Map.Entry<String, Integer> w : widths.entrySet()) {
      if (w.getValue() == null || w.getValue() < 1) {
        throw new ImgclassException(
            "width of " + w.getKey() + " must be at least 1 channel, got " + w.getValue());
      }
    }
  }

  public int numClasses() {
    return classes.size();
  }

  /** The same spec with another class list (fine-tuning on new classes). */
  public ModelSpec withClasses(List<String> newClasses) {
    return new ModelSpec(architecture, newClasses, inChannels, inputSize, mean, std, widths);
  }

  /** The same spec with other layer widths (what pruning leaves). */
  public ModelSpec withWidths(Map<String, Integer> newWidths) {
    return new ModelSpec(architecture, classes, inChannels, inputSize, mean, std, newWidths);
  }

  /** Whether some layer has another width than the architecture's (a pruned model). */
  public boolean pruned() {
    return !widths.isEmpty();
  }
}
