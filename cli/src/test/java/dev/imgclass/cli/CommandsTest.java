package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.data.SyntheticData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {
  @TempDir static Path dir;
  static Path run;

  @BeforeAll
  static void train() {
    run = dir.resolve("run");
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            "synthetic:1200",
            "--epochs",
            "3",
            "--batch-size",
            "64",
            "--threads",
            "2",
            "--out",
            run.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("test: top-1").contains("written to " + run);
  }

  @Test
  void help_lists_every_command() {
    Cli.Run r = Cli.run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("demo", "train", "eval", "predict", "models");
  }

  @Test
  void models_json_is_one_document_listing_the_registry() throws Exception {
    Cli.Run r = Cli.run("models", "--json");
    assertThat(r.code()).isZero();
    JsonNode rows = Json.MAPPER.readTree(r.out());
    assertThat(rows.size()).isEqualTo(14);
    assertThat(rows.get(0).get("name").asText()).isEqualTo("resnet20");
    assertThat(rows.get(3).get("params").asLong()).isEqualTo(11_689_512L);
    assertThat(rows.get(6).get("name").asText()).isEqualTo("mobilenetv3_large_100");
    assertThat(rows.get(6).get("params").asLong()).isEqualTo(5_483_032L);
    assertThat(rows.get(6).get("smallInput").asText()).contains("stride 1");
  }

  @Test
  void eval_reports_accuracy_per_class_metrics_and_confusion_as_json() throws Exception {
    Cli.Run r = Cli.run("eval", "--model", run.toString(), "--data", "synthetic:1200", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("top1").asDouble()).isGreaterThan(0.9);
    assertThat(j.get("images").asInt()).isEqualTo(240);
    assertThat(j.get("perClass").size()).isEqualTo(10);
    assertThat(j.get("confusion").size()).isEqualTo(10);
    assertThat(j.has("ece")).isTrue();
    assertThat(run.resolve("eval.json")).isRegularFile();
  }

  @Test
  void eval_prints_a_table_by_default() {
    Cli.Run r = Cli.run("eval", "--model", run.toString(), "--data", "synthetic:1200");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("top-1").contains("precision").contains("confusion matrix");
  }

  @Test
  void predict_classifies_png_files_and_reports_a_broken_one_without_stopping() throws Exception {
    Path images = Files.createDirectories(dir.resolve("pngs"));
    var data = SyntheticData.generate(20, 10, 28, 99); // fresh images of the same patterns
    for (int i = 0; i < 10; i++) {
      BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      img.getRaster().setDataElements(0, 0, 28, 28, data.image(i).data());
      ImageIO.write(
          img,
          "png",
          images
              .resolve(String.format("%02d-%s.png", i, data.classes().get(data.label(i))))
              .toFile());
    }
    Files.writeString(images.resolve("zz-broken.png"), "this is not a png");
    Cli.Run r =
        Cli.run("predict", "--model", run.toString(), "--json", "--top-k", "2", images.toString());
    assertThat(r.code()).isEqualTo(1); // one file failed
    assertThat(r.errLines()).hasSize(1).first().asString().contains("zz-broken.png");
    JsonNode results = Json.MAPPER.readTree(r.out()).get("results");
    assertThat(results.size()).isEqualTo(11);
    int right = 0;
    for (int i = 0; i < 10; i++) {
      JsonNode preds = results.get(i).get("predictions");
      assertThat(preds.size()).isEqualTo(2);
      assertThat(preds.get(0).get("probability").asDouble())
          .isGreaterThanOrEqualTo(preds.get(1).get("probability").asDouble());
      if (results
          .get(i)
          .get("file")
          .asText()
          .endsWith("-" + preds.get(0).get("label").asText() + ".png")) right++;
    }
    assertThat(right).isGreaterThanOrEqualTo(8);
    assertThat(results.get(10).get("error").asText())
        .contains("not an image (unrecognised format)");
  }

  @Test
  void a_separate_process_trains_and_exits_cleanly_with_code_0() throws Exception {
    Path log = dir.resolve("child.log");
    int code =
        Cli.runProcess(
            log,
            "train",
            "--data",
            "synthetic:200",
            "--epochs",
            "1",
            "--threads",
            "1",
            "--out",
            dir.resolve("child").toString());
    assertThat(code).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("test: top-1").doesNotContain("fatal error");
  }
}
