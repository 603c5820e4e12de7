package dev.imgclass.train.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Safetensors;
import dev.imgclass.train.training.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What a pretrained checkpoint says about its input: side length and per-channel mean/std, so that
 * fine-tuning feeds the pretrained layers what they were trained on rather than the new data's own
 * statistics. Read from, in order: the file's safetensors metadata (an {@code imgclass export
 * --format safetensors} file carries its spec), the {@code model.json} beside a run's {@code
 * weights.safetensors}, or a Hugging Face / timm {@code config.json} beside the file ({@code
 * pretrained_cfg.input_size}, {@code mean}, {@code std}, or the same keys at the top level).
 *
 * @param source where the values were read, for messages
 * @param inputSize square input side, 0 when the card does not say
 * @param mean per-channel mean of pixels scaled to [0, 1] (1 or 3 values)
 * @param std per-channel standard deviation, same length as {@code mean}
 * @param classes the checkpoint's class names in index order, empty when the card does not say
 */
public record WeightsCard(
    String source, int inputSize, List<Double> mean, List<Double> std, List<String> classes) {

  public WeightsCard {
    classes = List.copyOf(classes);
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.isEmpty() || mean.size() != std.size() || (mean.size() != 1 && mean.size() != 3))
      throw new ImgclassException(
          "model card " + source + ": mean and std need 1 or 3 values each, got " + mean + std);
    for (int i = 0; i < mean.size(); i++) {
      if (!Double.isFinite(mean.get(i)) || !(std.get(i) > 0) || !Double.isFinite(std.get(i)))
        throw new ImgclassException(
            "model card " + source + ": mean must be finite and std positive, got " + mean + std);
    }
    if (inputSize != 0 && (inputSize < 8 || inputSize > 1024))
      throw new ImgclassException(
          "model card " + source + ": input size must be in [8, 1024], got " + inputSize);
  }

  /** The card of {@code weights}, if any of the three places has one. */
  public static Optional<WeightsCard> read(Path weights) {
    return read(weights, Safetensors.metadata(weights)); // the header only, not the tensors
  }

  /** The card of {@code weights}, whose safetensors metadata is {@code metadata}. */
  public static Optional<WeightsCard> read(Path weights, java.util.Map<String, String> metadata) {
    String spec = metadata.get(OnnxMetadata.SPEC);
    if (spec != null) return Optional.of(fromSpec(parse(spec, weights + " metadata"), weights));
    Path dir = weights.toAbsolutePath().getParent();
    if (dir == null) return Optional.empty();
    Path modelJson = dir.resolve(ModelCard.FILE);
    if (weights.getFileName().toString().equals(ModelCard.WEIGHTS)
        && Files.isRegularFile(modelJson))
      return Optional.of(
          fromSpec(parse(text(modelJson), modelJson.toString()).get("spec"), modelJson));
    Path config = dir.resolve("config.json");
    if (Files.isRegularFile(config)) {
      JsonNode root = parse(text(config), config.toString());
      JsonNode cfg = root.has("pretrained_cfg") ? root.get("pretrained_cfg") : root;
      if (cfg.has("mean") && cfg.has("std")) {
        int size = 0;
        JsonNode in = cfg.get("input_size"); // [C, H, W]
        if (in != null && in.isArray() && in.size() == 3 && in.get(1).asInt() == in.get(2).asInt())
          size = in.get(1).asInt();
        return Optional.of(
            new WeightsCard(
                config.toString(),
                size,
                doubles(cfg.get("mean")),
                doubles(cfg.get("std")),
                List.of()));
      }
    }
    return Optional.empty();
  }

  /**
   * The card a run uses: that of its {@code --init-weights} file under the finetune recipe, else
   * none (a plain {@code --init-weights} run keeps its data's own input size and statistics).
   */
  public static Optional<WeightsCard> forRun(TrainConfig cfg) {
    if (!cfg.finetune()) return Optional.empty();
    Path init = Path.of(cfg.initWeights());
    if (!Files.isRegularFile(init))
      throw new ImgclassException(
          "--init-weights " + init + " is not a file: give a .safetensors file");
    return read(init);
  }

  /** The card's mean for {@code channels} inputs (averaged to gray, or repeated to RGB). */
  public List<Double> meanFor(int channels) {
    return fit(mean, channels);
  }

  /** The card's std for {@code channels} inputs (averaged to gray, or repeated to RGB). */
  public List<Double> stdFor(int channels) {
    return fit(std, channels);
  }

  /**
   * Gray data into an RGB checkpoint sums the stem over the channels, which is exact when the three
   * channels are normalised alike; the averages are the closest single pair. An RGB run from a gray
   * checkpoint repeats it.
   */
  private static List<Double> fit(List<Double> v, int channels) {
    if (v.size() == channels) return v;
    if (channels == 1)
      return List.of(v.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
    return Collections.nCopies(channels, v.get(0));
  }

  private static WeightsCard fromSpec(JsonNode spec, Path where) {
    if (spec == null || !spec.has("mean") || !spec.has("std"))
      throw new ImgclassException("model card " + where + " has no spec with mean and std");
    List<String> classes = new ArrayList<>();
    spec.path("classes").forEach(c -> classes.add(c.asText()));
    return new WeightsCard(
        where.toString(),
        spec.path("inputSize").asInt(0),
        doubles(spec.get("mean")),
        doubles(spec.get("std")),
        classes);
  }

  private static List<Double> doubles(JsonNode n) {
    List<Double> out = new ArrayList<>();
    if (n != null && n.isArray()) n.forEach(x -> out.add(x.isNumber() ? x.asDouble() : Double.NaN));
    return out;
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode parse(String json, String where) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      if (n == null || !n.isObject()) throw new IOException("not a JSON object");
      return n;
    } catch (IOException e) {
      String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw new ImgclassException("model card " + where + " is not valid JSON: " + why);
    }
  }
}
