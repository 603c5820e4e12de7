package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** export, then eval / predict / bench on the .onnx file, as a user would run them. */
class OnnxCommandsTest {
  @TempDir static Path dir;
  static Path run;
  static Path onnx;

  @BeforeAll
  static void trainAndExport() {
    run = dir.resolve("run");
    Cli.Run e = Cli.trainAndExport(run, "synthetic:600", 2);
    assertThat(e.out()).contains("ONNX opset 17").contains("parity with libtorch on 64 inputs");
    onnx = run.resolve("model.onnx");
  }

  @Test
  void the_onnx_model_evaluates_exactly_as_the_trained_one() throws Exception {
    Cli.Run a = Cli.run("eval", "--model", run.toString(), "--data", "synthetic:600", "--json");
    Cli.Run b = Cli.run("eval", "--model", onnx.toString(), "--data", "synthetic:600", "--json");
    assertThat(b.code()).as(b.err()).isZero();
    JsonNode ja = Json.MAPPER.readTree(a.out());
    JsonNode jb = Json.MAPPER.readTree(b.out());
    assertThat(jb.get("top1").asDouble()).isEqualTo(ja.get("top1").asDouble());
    assertThat(jb.get("confusion")).isEqualTo(ja.get("confusion"));
    assertThat(run.resolve("model.eval.json")).isRegularFile();
  }

  @Test
  void eval_on_other_data_keeps_the_runs_own_eval_json_and_writes_one_named_after_the_data()
      throws Exception {
    byte[] own = Files.readAllBytes(run.resolve("eval.json"));
    Cli.Run r = Cli.run("eval", "--model", run.toString(), "--data", "synthetic:300");
    assertThat(r.code()).as(r.err()).isZero();
    Path other = run.resolve("eval-synthetic-300.json");
    assertThat(r.out()).contains("wrote " + other);
    assertThat(Files.readAllBytes(run.resolve("eval.json"))).isEqualTo(own);
    assertThat(Json.MAPPER.readTree(other.toFile()).get("images").asInt()).isEqualTo(60);

    Cli.Run same = Cli.run("eval", "--model", run.toString(), "--data", "synthetic:600");
    assertThat(same.out()).contains("wrote " + run.resolve("eval.json"));
  }

  @Test
  void a_trained_run_records_the_imgclass_version_and_commit_it_was_built_from() throws Exception {
    JsonNode provenance =
        Json.MAPPER.readTree(run.resolve("model.json").toFile()).get("provenance");
    assertThat(provenance.get("imgclass_version").asText())
        .isEqualTo(dev.imgclass.core.BuildInfo.version())
        .doesNotContain("${");
    assertThat(provenance.get("imgclass_commit").asText())
        .isEqualTo(dev.imgclass.core.BuildInfo.commit())
        .doesNotContain("${");
    assertThat(provenance.has("git_commit")).isFalse();
    Cli.Run v = Cli.run("--version");
    assertThat(v.out().strip())
        .isEqualTo(
            "imgclass "
                + dev.imgclass.core.BuildInfo.version()
                + " ("
                + dev.imgclass.core.BuildInfo.commit()
                + ")");
  }

  @Test
  void compare_pairs_a_run_with_its_onnx_file_image_by_image() throws Exception {
    Cli.Run r =
        Cli.run("compare", run.toString(), onnx.toString(), "--data", "synthetic:600", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode c = Json.MAPPER.readTree(r.out());
    assertThat(c.get("onlyA").asInt() + c.get("onlyB").asInt()).isZero();
    assertThat(c.get("pValue").asDouble()).isEqualTo(1.0);
    assertThat(c.get("modelB").asText()).endsWith("model.onnx");
  }

  @Test
  void predict_accepts_the_onnx_model() throws Exception {
    Path img = dir.resolve("x.png");
    javax.imageio.ImageIO.write(
        new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
        "png",
        img.toFile());
    Cli.Run r = Cli.run("predict", "--model", onnx.toString(), "--json", img.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Json.MAPPER.readTree(r.out()).get("results").get(0).get("predictions").size())
        .isEqualTo(3);
  }

  @Test
  void bench_reports_latency_and_throughput_per_backend_and_batch() throws Exception {
    Cli.Run r =
        Cli.run(
            "bench",
            "--model",
            run.toString(),
            "--batch-size",
            "1,4",
            "--iters",
            "3",
            "--warmup",
            "1",
            "--threads",
            "1",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode doc = Json.MAPPER.readTree(r.out());
    // the eager backend's speed depends on its memory layout and allocator: both are recorded
    assertThat(doc.get("channels_last").asBoolean(true)).isFalse();
    assertThat(doc.get("native_allocator").asText()).isNotBlank();
    JsonNode rows = doc.get("results");
    assertThat(rows.size()).isEqualTo(4);
    for (JsonNode row : rows) {
      assertThat(row.get("p99_ms").asDouble()).isGreaterThanOrEqualTo(row.get("p50_ms").asDouble());
      assertThat(row.get("img_per_s").asDouble()).isPositive();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"percentile", "entropy"})
  void int8_export_is_calibrated_smaller_and_agrees_with_fp32(String method) throws Exception {
    Path out = dir.resolve("int8-" + method);
    Files.createDirectories(out);
    for (String f : new String[] {"model.json", "weights.safetensors"})
      Files.copy(run.resolve(f), out.resolve(f));
    Cli.Run r =
        Cli.run(
            "export",
            "--model",
            out.toString(),
            "--int8",
            "--calibration",
            "synthetic:600",
            "--calibration-size",
            "128",
            "--calibration-method",
            method,
            "--threads",
            "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains(method + " ranges");
    Path q = out.resolve("model.int8.onnx");
    assertThat(Files.size(out.resolve("model.onnx"))).isGreaterThan(3 * Files.size(q));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("top-1 agreement ([0-9.]+)%").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(95.0);
    Cli.Run e = Cli.run("eval", "--model", q.toString(), "--data", "synthetic:600", "--json");
    Cli.Run f =
        Cli.run(
            "eval",
            "--model",
            out.resolve("model.onnx").toString(),
            "--data",
            "synthetic:600",
            "--json");
    assertThat(e.code()).as(e.err()).isZero();
    double int8 = Json.MAPPER.readTree(e.out()).get("top1").asDouble();
    double fp32 = Json.MAPPER.readTree(f.out()).get("top1").asDouble();
    assertThat(int8)
        .as("INT8 vs FP32 top-1 (%s)", r.out())
        .isCloseTo(fp32, org.assertj.core.api.Assertions.within(0.05));
  }

  /** A run directory holding a copy of the trained run's model, for tests that export into it. */
  static Path copyOfRun(String name) throws Exception {
    Path copy = Files.createDirectories(dir.resolve(name));
    for (String f : new String[] {"model.json", "weights.safetensors"})
      Files.copy(run.resolve(f), copy.resolve(f));
    return copy;
  }

  @Test
  void a_failing_parity_check_leaves_the_previous_model_byte_identical() throws Exception {
    Path copy = copyOfRun("parity-fails");
    Path previous = copy.resolve("model.onnx");
    Files.copy(onnx, previous);
    byte[] before = Files.readAllBytes(previous);
    Cli.Run r;
    ExportCommand.parityLimit = -1; // every difference, even 0, is now too large
    try {
      r = Cli.run("export", "--model", copy.toString(), "--threads", "2");
    } finally {
      ExportCommand.parityLimit = ExportCommand.PARITY_LIMIT;
    }
    ErrorsTest.assertOneLineError(r, "the exported graph disagrees with the model");
    assertThat(Files.readAllBytes(previous)).isEqualTo(before);
    try (var files = Files.list(copy)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("model.json", "weights.safetensors", "model.onnx");
    }
  }

  @Test
  void export_with_int8_and_out_writes_exactly_the_named_int8_file() throws Exception {
    Path copy = copyOfRun("int8-out");
    Path target = Files.createDirectories(dir.resolve("int8-target")).resolve("x.int8.onnx");
    Cli.Run r =
        Cli.run(
            "export",
            "--model",
            copy.toString(),
            "--int8",
            "--calibration",
            "synthetic:600",
            "--calibration-size",
            "64",
            "--out",
            target.toString(),
            "--threads",
            "2");
    assertThat(r.code()).as(r.err()).isZero();
    try (var files = Files.list(target.getParent())) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("x.int8.onnx");
    }
    try (var files = Files.list(copy)) { // nothing written into the run
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrder("model.json", "weights.safetensors");
    }
    var meta = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(target));
    assertThat(meta.getMetadataPropsList())
        .extracting(ai.onnx.proto.OnnxMl.StringStringEntryProto::getKey)
        .contains(dev.imgclass.core.OnnxMetadata.QUANTIZATION);
    assertThat(r.out()).contains("wrote " + target, "top-1 agreement");
  }

  @Test
  void seven_bit_weights_are_written_recorded_and_measured() throws Exception {
    Path target = dir.resolve("w7.int8.onnx");
    Cli.Run r =
        Cli.run(
            "export",
            "--model",
            onnx.toString(),
            "--int8",
            "--weight-bits",
            "7",
            "--calibration",
            "synthetic:600",
            "--calibration-size",
            "64",
            "--out",
            target.toString(),
            "--threads",
            "2",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("int8");
    assertThat(json.get("weight_bits").asInt()).isEqualTo(7);
    assertThat(json.get("top1_agreement").asDouble()).isGreaterThan(0.9);
    assertThat(r.err()).contains("7-bit weights");
    var g = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(target)).getGraph();
    int max = 0;
    for (var t : g.getInitializerList())
      if (t.getDataType() == ai.onnx.proto.OnnxMl.TensorProto.DataType.INT8.getNumber())
        for (byte b : t.getRawData().toByteArray()) max = Math.max(max, Math.abs(b));
    assertThat(max).isEqualTo(63);
  }

  @Test
  void weight_bits_other_than_7_or_8_or_without_int8_are_one_clear_error() {
    ErrorsTest.assertOneLineError(
        Cli.run(
            "export",
            "--model",
            onnx.toString(),
            "--int8",
            "--weight-bits",
            "4",
            "--calibration",
            "synthetic:600",
            "--out",
            dir.resolve("w4.onnx").toString()),
        "--weight-bits must be 7 or 8, got 4");
    assertThat(dir.resolve("w4.onnx")).doesNotExist();
    ErrorsTest.assertOneLineError(
        Cli.run(
            "export",
            "--model",
            run.toString(),
            "--weight-bits",
            "7",
            "--out",
            dir.resolve("w7.onnx").toString()),
        "--weight-bits applies to --int8 only");
  }

  @Test
  void an_unknown_calibration_method_is_one_clear_error_naming_the_known_ones() {
    ErrorsTest.assertOneLineError(
        Cli.run(
            "export",
            "--model",
            run.toString(),
            "--int8",
            "--calibration",
            "synthetic:600",
            "--calibration-method",
            "kl",
            "--out",
            dir.resolve("kl.onnx").toString()),
        "unknown --calibration-method 'kl': use minmax, percentile or entropy");
    assertThat(dir.resolve("kl.onnx")).doesNotExist();
  }

  @Test
  void int8_without_calibration_data_is_refused() {
    ErrorsTest.assertOneLineError(
        Cli.run(
            "export",
            "--model",
            run.toString(),
            "--int8",
            "--out",
            dir.resolve("x.onnx").toString()),
        "--int8 needs --calibration");
  }

  @Test
  void a_corrupt_onnx_file_is_one_clear_error() throws Exception {
    Path bad = dir.resolve("bad.onnx");
    Files.write(bad, new byte[] {1, 2, 3, 4, 5});
    Cli.Run r = Cli.run("eval", "--model", bad.toString(), "--data", "synthetic:600");
    ErrorsTest.assertOneLineError(r, "cannot load ONNX model");
  }

  @Test
  void an_unavailable_execution_provider_is_one_clear_error() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        ai.onnxruntime.OrtEnvironment.getAvailableProviders()
            .contains(ai.onnxruntime.OrtProvider.TENSOR_RT),
        "TensorRT is available here: the missing-provider error cannot happen");
    Cli.Run r =
        Cli.run("predict", "--model", onnx.toString(), "--provider", "tensorrt", onnx.toString());
    ErrorsTest.assertOneLineError(r, "execution provider 'tensorrt' is not available");
  }
}
