package dev.imgclass.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of {@code model.json}: what the model is, how it was made, how well it did.
 *
 * @param format file format tag, {@value #FORMAT}
 * @param spec architecture, classes and preprocessing
 * @param provenance seed, data fingerprint, git commit, tool version, creation time
 * @param train the training configuration, as recorded by the trainer
 * @param metrics final metrics (test accuracy, wall time, ...)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
    String format,
    ModelSpec spec,
    Map<String, Object> provenance,
    Map<String, Object> train,
    Map<String, Object> metrics) {
  public static final String FORMAT = "imgclass-model/1";
  public static final String FILE = "model.json";
  public static final String WEIGHTS = "weights.safetensors";

  public ModelCard {
    if (spec == null) throw new ImgclassException("model.json has no spec");
    provenance = provenance == null ? Map.of() : new LinkedHashMap<>(provenance);
    train = train == null ? Map.of() : new LinkedHashMap<>(train);
    metrics = metrics == null ? Map.of() : new LinkedHashMap<>(metrics);
  }

  public ModelCard withMetrics(Map<String, Object> newMetrics) {
    return new ModelCard(format, spec, provenance, train, newMetrics);
  }

  /** Reads {@code dir/model.json}, with a message that says what is missing. */
  public static ModelCard read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new ImgclassException(
          "no " + FILE + " in " + dir + ": pass a run directory written by 'imgclass train'");
    }
    ModelCard card = Json.readFile(file, ModelCard.class);
    if (card.format() == null || !card.format().startsWith("imgclass-model/")) {
      throw new ImgclassException(
          file + " is not an imgclass model description (format " + card.format() + ")");
    }
    return card;
  }

  public void write(Path dir) {
    Json.writeFile(dir.resolve(FILE), this);
  }
}
