package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code imgclass prune}: a real run pruned, reloaded, evaluated, fine-tuned and exported. */
class PruneCommandTest {
  @TempDir static Path shared;
  static Path base; // resnet20, one epoch on 200 generated images, with its model.onnx

  @BeforeAll
  static void trainBase() {
    base = shared.resolve("base");
    Cli.trainAndExport(base, "synthetic:200", 1);
  }

  static Cli.Run prune(Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "prune", "--model", base.toString(), "--threads", "2", "--out", out.toString()));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  @Test
  void half_the_macs_gives_a_smaller_model_that_evaluates_and_exports() throws Exception {
    byte[] weightsBefore = Files.readAllBytes(base.resolve("weights.safetensors"));
    Path out = shared.resolve("half");
    Cli.Run r = prune(out, "--target-macs", "0.5", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    JsonNode before = j.path("before");
    JsonNode after = j.path("pruned");
    assertThat(after.path("macs_per_image").asLong())
        .isLessThanOrEqualTo(before.path("macs_per_image").asLong() / 2);
    assertThat(after.path("parameters").asLong()).isLessThan(before.path("parameters").asLong());
    assertThat(after.path("weights_bytes").asLong())
        .isLessThan(before.path("weights_bytes").asLong());
    // the run records its data (synthetic:200), so both accuracies are measured
    assertThat(before.path("test_top1").isNumber()).isTrue();
    assertThat(after.path("test_top1").isNumber()).isTrue();
    assertThat(j.path("groups").path("layer1.0.conv1").get(0).asInt()).isEqualTo(16);
    assertThat(Json.MAPPER.readTree(out.resolve("prune.json").toFile())).isEqualTo(j);
    ModelCard card = ModelCard.read(out);
    assertThat(card.spec().widths()).containsKey("layer1.0.conv1");
    assertThat(card.provenance().get("macs_per_image"))
        .isEqualTo(after.path("macs_per_image").asInt());
    // the source run is untouched
    assertThat(Files.readAllBytes(base.resolve("weights.safetensors"))).isEqualTo(weightsBefore);

    Cli.Run eval = Cli.run("eval", "--model", out.toString(), "--data", "synthetic:200", "--json");
    assertThat(eval.code()).as(eval.err()).isZero();
    assertThat(Json.MAPPER.readTree(eval.out()).path("top1").asDouble())
        .isEqualTo(after.path("test_top1").asDouble());

    Cli.Run export = Cli.run("export", "--model", out.toString(), "--threads", "2", "--json");
    assertThat(export.code()).as(export.err()).isZero();
    JsonNode onnx = Json.MAPPER.readTree(export.out()).path("onnx");
    assertThat(onnx.path("parity_max_abs_diff").asDouble()).isLessThanOrEqualTo(1e-4);
    assertThat(onnx.path("bytes").asLong()).isLessThan(Files.size(base.resolve("model.onnx")));
  }

  @Test
  void a_fine_tuned_pruned_model_is_an_ordinary_run_that_records_its_pruning() throws Exception {
    Path out = shared.resolve("tuned");
    Cli.Run r =
        prune(out, "--target-macs", "0.7", "--criterion", "bn-gamma", "--finetune-epochs", "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("before: ").contains("pruned: ").contains("after:  ");
    JsonNode j = Json.MAPPER.readTree(out.resolve("prune.json").toFile());
    assertThat(j.path("finetuned").path("test_top1").isNumber()).isTrue();
    assertThat(j.path("finetuned").path("macs_per_image").asLong())
        .isEqualTo(j.path("pruned").path("macs_per_image").asLong());
    ModelCard card = ModelCard.read(out);
    assertThat(card.spec().widths()).isNotEmpty();
    assertThat(card.train().get("widths")).isEqualTo(card.spec().widths());
    assertThat(card.provenance()).containsKey("pruned");
    assertThat(Files.isRegularFile(out.resolve("report.html"))).isTrue();
  }

  @Test
  void the_taylor_criterion_scores_on_the_runs_training_data() throws Exception {
    Path out = shared.resolve("taylor");
    Cli.Run r = prune(out, "--target-macs", "0.5", "--criterion", "taylor");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("taylor: channels scored on");
    JsonNode j = Json.MAPPER.readTree(out.resolve("prune.json").toFile());
    assertThat(j.path("criterion").asText()).isEqualTo("taylor");
    assertThat(j.path("pruned").path("macs_per_image").asLong())
        .isLessThanOrEqualTo(j.path("before").path("macs_per_image").asLong() / 2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1.5", "-0.2", "1"})
  void a_target_outside_zero_one_is_one_error_line(String target) {
    Cli.Run r = prune(shared.resolve("bad-" + target), "--target-macs", target);
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).startsWith("error: --target-macs must be a fraction in (0, 1)");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(shared.resolve("bad-" + target)).doesNotExist();
  }

  @Test
  void a_target_that_is_not_a_number_is_a_usage_error() {
    Cli.Run r = prune(shared.resolve("nan"), "--target-macs", "half");
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err()).contains("error: Invalid value for option '--target-macs'");
    assertThat(r.err()).doesNotContain("Exception");
  }

  @Test
  void an_unknown_criterion_is_one_error_line() {
    Cli.Run r = prune(shared.resolve("random"), "--target-macs", "0.5", "--criterion", "random");
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip())
        .isEqualTo("error: unknown --criterion 'random': choose l1, bn-gamma or taylor");
  }

  @Test
  void a_directory_without_model_json_is_one_error_line() throws Exception {
    Path empty = Files.createDirectories(shared.resolve("empty"));
    Cli.Run r =
        Cli.run(
            "prune",
            "--model",
            empty.toString(),
            "--target-macs",
            "0.5",
            "--out",
            shared.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).startsWith("error: no model.json in " + empty);
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void an_output_directory_that_is_not_empty_is_refused_and_left_alone() throws Exception {
    Path out = Files.createDirectories(shared.resolve("taken"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    Cli.Run r = prune(out, "--target-macs", "0.5");
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).contains("is not empty");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
    assertThat(out.resolve("model.json")).doesNotExist();
  }
}
