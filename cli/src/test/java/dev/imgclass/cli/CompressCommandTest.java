package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imgclass compress}: a recipe run end to end, its table, and what it refuses. */
class CompressCommandTest {
  @TempDir static Path shared;
  static Path base; // resnet20, one epoch on 200 generated images

  @BeforeAll
  static void trainBase() {
    base = shared.resolve("base");
    Cli.trainAndExport(base, "synthetic:200", 1);
  }

  @Test
  void prune_distill_qat_writes_every_step_and_a_table_measured_against_the_original()
      throws Exception {
    Path out = shared.resolve("c1");
    Cli.Run r =
        Cli.run(
            "compress",
            "--model",
            base.toString(),
            "--recipe",
            "prune:0.5,distill:1,qat",
            "--threads",
            "2",
            "--bench-seconds",
            "0.2",
            "--out",
            out.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(Json.MAPPER.readTree(out.resolve("compress.json").toFile())).isEqualTo(j);
    assertThat(j.path("recipe").asText()).isEqualTo("prune:0.5,distill:1,qat:1");
    JsonNode s = j.path("steps");
    assertThat(s.size()).isEqualTo(4);
    assertThat(s.get(0).path("step").asText()).isEqualTo("original");
    assertThat(s.get(1).path("step").asText()).isEqualTo("prune:0.5");
    assertThat(s.get(2).path("step").asText()).isEqualTo("distill:1");
    assertThat(s.get(3).path("precision").asText()).isEqualTo("int8");
    // the original against itself: full agreement, no test
    assertThat(s.get(0).path("agreement_with_original").asDouble()).isEqualTo(1.0);
    assertThat(s.get(0).path("mcnemar_p_vs_original").asDouble()).isEqualTo(1.0);
    // pruning really shrinks, at most half the MACs; INT8 shrinks the file again
    long macs0 = s.get(0).path("macs_per_image").asLong();
    assertThat(s.get(1).path("macs_per_image").asLong()).isLessThanOrEqualTo(macs0 / 2);
    assertThat(s.get(1).path("parameters").asLong())
        .isLessThan(s.get(0).path("parameters").asLong());
    assertThat(s.get(3).path("file_bytes").asLong())
        .isLessThan(s.get(2).path("file_bytes").asLong() / 2);
    assertThat(s.get(3).path("size_ratio").asDouble()).isGreaterThan(4);
    for (JsonNode row : s) {
      assertThat(row.path("test_top1").asDouble()).isBetween(0.0, 1.0);
      assertThat(row.path("batch1_ms").asDouble()).isPositive();
      assertThat(row.path("batch64_ms").asDouble()).isPositive();
      assertThat(row.path("mcnemar_p_vs_original").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(s.get(1).path("onnx_parity_max_abs_diff").asDouble()).isLessThan(1e-3);
    // the distilled step learned from the original, recorded in its run
    JsonNode card = Json.MAPPER.readTree(out.resolve("steps/2-distill/model.json").toFile());
    assertThat(card.path("train").path("teacher").asText()).contains("base");
    assertThat(card.path("provenance").path("pruned").isObject()).isTrue();
    // the final model is an ordinary file, and the page holds the same table
    assertThat(j.path("final_file").asText()).isEqualTo("model.int8.onnx");
    Cli.Run e =
        Cli.run(
            "eval",
            "--model",
            out.resolve("model.int8.onnx").toString(),
            "--data",
            "synthetic:200");
    assertThat(e.code()).as(e.err()).isZero();
    String html = Files.readString(out.resolve("compress.html"));
    assertThat(html).contains("<table>", "prune:0.5", "distill:1", "qat:1", "McNemar p");
    assertThat(r.err()).contains("× smaller");
  }

  @Test
  void finetune_then_post_training_int8() throws Exception {
    Path out = shared.resolve("c2");
    Cli.Run r =
        Cli.run(
            "compress",
            "--model",
            base.toString(),
            "--recipe",
            "finetune:1,int8",
            "--threads",
            "2",
            "--bench-seconds",
            "0.1",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(out.resolve("compress.json").toFile());
    assertThat(j.path("steps").size()).isEqualTo(3);
    assertThat(j.path("steps").get(1).path("macs_per_image").asLong())
        .isEqualTo(j.path("steps").get(0).path("macs_per_image").asLong());
    assertThat(j.path("steps").get(2).path("precision").asText()).isEqualTo("int8");
    assertThat(r.out()).contains("original", "finetune:1", "int8");
  }

  @Test
  void recipes_are_parsed_with_defaults_and_bad_ones_refused() {
    assertThat(Recipe.parse("prune:0.5,distill,qat").toString())
        .isEqualTo("prune:0.5,distill:5,qat:1");
    assertThat(Recipe.parse(" Prune:0.3 , finetune:2 ,int8").toString())
        .isEqualTo("prune:0.3,finetune:2,int8");
    assertThat(Recipe.parse("qat:3").quantizes()).isTrue();
    assertThat(Recipe.parse("prune:0.5").quantizes()).isFalse();
    // a prune step followed by training prunes to widths libtorch trains correctly
    assertThat(Recipe.parse("prune:0.5,distill,qat").trainsAfter(0)).isTrue();
    assertThat(Recipe.parse("prune:0.5,int8").trainsAfter(0)).isFalse();
    assertThat(Recipe.parse("prune:0.5,finetune:1").trainsAfter(1)).isFalse();
    assertThat(Recipe.parse("prune:0.7,qat").trainsAfter(0)).isTrue();
    String[][] bad = {
      {"", "--recipe is empty"},
      {"prune:0.5,shrink", "unknown step 'shrink'"},
      {"prune", "needs the share of MACs"},
      {"prune:1.5", "must be in (0, 1)"},
      {"prune:0", "must be in (0, 1)"},
      {"prune:abc", "must be in (0, 1)"},
      {"distill:0", "at least 1"},
      {"qat:x", "at least 1"},
      {"int8:2", "int8 takes no value"},
      {"distill,prune:0.5", "prune comes first"},
      {"qat,distill", "nothing can follow it"},
      {"int8,qat", "nothing can follow it"},
      {"prune:0.5,,qat", "unknown step ''"},
    };
    for (String[] b : bad)
      assertThatThrownBy(() -> Recipe.parse(b[0]))
          .as(b[0])
          .isInstanceOf(ImgclassException.class)
          .hasMessageContaining(b[1]);
  }

  @Test
  void bad_input_is_refused_in_one_line_and_nothing_is_written() throws Exception {
    Path onnx = base.resolve("model.onnx");
    String[][] cases = {
      {"--model", onnx.toString(), "--recipe", "prune:0.5"},
      {"--model", base.toString(), "--recipe", "prune:2"},
      {"--model", base.toString(), "--recipe", "prune:0.5", "--criterion", "random"},
      {"--model", base.toString(), "--recipe", "prune:0.5", "--bench-seconds", "0"},
      {"--model", shared.resolve("nope").toString(), "--recipe", "prune:0.5"},
      {"--model", base.toString(), "--recipe", "prune:0.5,finetune:1", "--weight-bits", "7"},
      {"--model", base.toString(), "--recipe", "int8", "--weight-bits", "6"},
    };
    for (String[] c : cases) {
      Path out = shared.resolve("bad");
      String[] args = new String[c.length + 3];
      args[0] = "compress";
      System.arraycopy(c, 0, args, 1, c.length);
      args[c.length + 1] = "--out";
      args[c.length + 2] = out.toString();
      Cli.Run r = Cli.run(args);
      assertThat(r.code()).as(String.join(" ", c)).isEqualTo(Main.FAILED);
      assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
      assertThat(out).doesNotExist();
    }
    Path taken = Files.createDirectories(shared.resolve("taken"));
    Files.writeString(taken.resolve("keep.txt"), "mine");
    Cli.Run r =
        Cli.run(
            "compress", "--model", base.toString(), "--recipe", "int8", "--out", taken.toString());
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err()).contains("is not empty");
    assertThat(Files.readString(taken.resolve("keep.txt"))).isEqualTo("mine");
  }
}
