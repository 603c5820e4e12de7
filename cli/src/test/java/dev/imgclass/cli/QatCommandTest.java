package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code imgclass qat}: a real run trained through fake quantizers and written as INT8. */
class QatCommandTest {
  @TempDir static Path shared;
  static Path base; // resnet20, one epoch on 200 generated images, with its model.onnx

  @BeforeAll
  static void trainBase() {
    base = shared.resolve("base");
    Cli.trainAndExport(base, "synthetic:200", 1);
  }

  @Test
  void qat_writes_an_int8_file_that_agrees_with_its_fake_quantized_graph() throws Exception {
    Path out = shared.resolve("qat");
    Cli.Run r =
        Cli.run(
            "qat",
            "--model",
            base.toString(),
            "--threads",
            "2",
            "--calibration-size",
            "64",
            "--out",
            out.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(Json.MAPPER.readTree(out.resolve("qat.json").toFile())).isEqualTo(j);
    assertThat(j.path("calibration_method").asText()).isEqualTo("percentile");
    assertThat(j.path("int8_bytes").asLong()).isLessThan(j.path("fp32_bytes").asLong() / 2);
    assertThat(j.path("test_images").asInt()).isPositive();
    // integer kernels and fake quant differ by accumulation rounding only
    // without VNNI ONNX Runtime's u8s8 convolutions can saturate (docs/COMPRESSION.md): 0.95 on
    // an AVX2 Zen 3, 1.0 on an AVX512-VNNI Zen 5
    assertThat(j.path("qat_int8_vs_fake_quant_agreement").asDouble())
        .isGreaterThanOrEqualTo(dev.imgclass.core.CpuFlags.vnni() ? 0.98 : 0.9);
    for (String k : new String[] {"fp32_top1", "ptq_int8_top1", "qat_int8_top1"})
      assertThat(j.path(k).asDouble()).as(k).isBetween(0.0, 1.0);
    // the file is an ordinary model: it evaluates
    Cli.Run e =
        Cli.run(
            "eval",
            "--model",
            out.resolve("model.int8.onnx").toString(),
            "--data",
            "synthetic:200");
    assertThat(e.code()).as(e.err()).isZero();
  }

  @Test
  void qat_on_an_onnx_file_is_refused_in_one_line() throws Exception {
    Path onnx = base.resolve("model.onnx");
    Cli.Run r = Cli.run("qat", "--model", onnx.toString(), "--out", shared.resolve("x").toString());
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip())
        .startsWith("error: QAT trains weights, so it needs a run directory");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(shared.resolve("x")).doesNotExist();
  }

  @Test
  void bad_settings_are_refused_in_one_line() {
    for (String[] bad :
        new String[][] {
          {"--epochs", "0"}, {"--lr", "-1"}, {"--observer", "lsq"}, {"--calibration-method", "mse"}
        }) {
      Cli.Run r =
          Cli.run(
              "qat",
              "--model",
              base.toString(),
              "--out",
              shared.resolve("y").toString(),
              bad[0],
              bad[1]);
      assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(Main.FAILED);
      assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
    }
  }

  @Test
  void an_output_directory_that_is_not_empty_is_refused_and_left_alone() throws Exception {
    Path out = Files.createDirectories(shared.resolve("taken"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    Cli.Run r = Cli.run("qat", "--model", base.toString(), "--out", out.toString());
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).contains("is not empty");
    assertThat(Files.readString(out.resolve("keep.txt"))).isEqualTo("mine");
  }
}
