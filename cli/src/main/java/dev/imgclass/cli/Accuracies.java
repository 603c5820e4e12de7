package dev.imgclass.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code imgclass advise} takes each model's accuracy from: the Fashion-MNIST leaderboard
 * shipped as {@code leaderboard.json} (copied from bench/RESULTS-zoo.md), overridden per model by
 * the user's own run directories ({@code eval.json}'s test top-1). Accuracy is never measured here:
 * the models {@code advise} times have fresh weights.
 */
final class Accuracies {
  static final String RESOURCE = "leaderboard.json";

  /**
   * One model's accuracy and where it comes from.
   *
   * @param top1 test top-1 in [0, 1]
   * @param source {@code leaderboard} or the run directory
   * @param detail the data and recipe it was measured with
   */
  record Accuracy(double top1, String source, String detail) {}

  private final Map<String, Accuracy> byModel = new LinkedHashMap<>();
  private final JsonNode leaderboard;

  private Accuracies(JsonNode leaderboard) {
    this.leaderboard = leaderboard;
  }

  /** The shipped leaderboard, then each run in order (a later run of a model replaces earlier). */
  static Accuracies load(List<Path> runs) {
    Accuracies a = new Accuracies(readLeaderboard());
    for (JsonNode row : a.leaderboard.get("rows")) {
      String detail =
          a.leaderboard.get("dataset").asText()
              + " test split, recipe "
              + row.get("recipe").asText()
              + ", "
              + row.get("date").asText()
              + ", "
              + row.get("source").asText();
      a.byModel.put(
          row.get("model").asText(),
          new Accuracy(row.get("top1").asDouble(), "leaderboard", detail));
    }
    for (Path run : runs) a.addRun(run);
    return a;
  }

  Optional<Accuracy> of(String model) {
    return Optional.ofNullable(byModel.get(model));
  }

  /** The leaderboard's description, for the output's header and {@code --json}. */
  Map<String, Object> leaderboardInfo() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dataset", leaderboard.get("dataset").asText());
    m.put("input", leaderboard.get("input").asText());
    m.put("about", leaderboard.get("about").asText());
    m.put("recipe", leaderboard.get("rows").get(0).get("recipe").asText());
    m.put("date", leaderboard.get("rows").get(0).get("date").asText());
    m.put("source", leaderboard.get("rows").get(0).get("source").asText());
    return m;
  }

  /** A run written by {@code imgclass train}: its architecture and its test split's top-1. */
  private void addRun(Path run) {
    if (!Files.isDirectory(run))
      throw new ImgclassException(
          "run not found: " + run + " (pass run directories written by 'imgclass train')");
    ModelCard card = ModelCard.read(run);
    Path eval = run.resolve("eval.json");
    if (!Files.isRegularFile(eval))
      throw new ImgclassException(
          run
              + " has no eval.json (its data had no test split): evaluate it with 'imgclass eval"
              + " --model "
              + run
              + " --data DATA' on its own data, or leave it out of --runs");
    JsonNode top1 = Json.readFile(eval, JsonNode.class).get("top1");
    if (top1 == null || !top1.isNumber())
      throw new ImgclassException(eval + " has no numeric top1: is it an imgclass eval report?");
    Object data = card.provenance().getOrDefault("data", "unknown data");
    byModel.put(
        card.spec().architecture(),
        new Accuracy(top1.asDouble(), run.toString(), "test split of " + data + ", your run"));
  }

  private static JsonNode readLeaderboard() {
    try (InputStream in = Accuracies.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new ImgclassException(RESOURCE + " is missing from the imgclass jar");
      return Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
    }
  }
}
