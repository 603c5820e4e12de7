package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --teacher}: distillation from a run directory or an ONNX file, end to end. */
class DistillCommandTest {
  @TempDir static Path shared;
  static Path teacher; // a run directory, with its model.onnx
  static Path otherTeacher; // the same classes, another seed

  @BeforeAll
  static void trainTeachers() {
    teacher = shared.resolve("teacher");
    Cli.trainAndExport(teacher, "synthetic:300", 1);
    otherTeacher = shared.resolve("other");
    Cli.Run r = distil(otherTeacher, "--seed", "7");
    assertThat(r.code()).as(r.err()).isZero();
  }

  /** A one-epoch run on 300 generated images, FP32, with {@code extra} flags. */
  static Cli.Run distil(Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "train",
                "--data",
                "synthetic:300",
                "--epochs",
                "1",
                "--batch-size",
                "50",
                "--threads",
                "2",
                "--precision",
                "fp32",
                "--out",
                out.toString()));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  static String sha256(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) md.update(p);
    return HexFormat.of().formatHex(md.digest());
  }

  static JsonNode teacherOf(Path run) throws Exception {
    return Json.MAPPER
        .readTree(run.resolve("model.json").toFile())
        .path("provenance")
        .path("teacher");
  }

  @Test
  void a_run_directory_teacher_distils_and_model_json_and_metrics_record_it() throws Exception {
    Path out = shared.resolve("student");
    Cli.Run r = distil(out, "--teacher", teacher.toString(), "--kd-temperature", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("distillation: teacher " + teacher + " (run directory, resnet20, SHA-256 ")
        .contains("alpha 0.9, temperature 2.0")
        .containsPattern("epoch 1/1  train loss [0-9.]+ \\(ce [0-9.]+ kd [0-9.]+\\) acc");
    JsonNode t = teacherOf(out);
    String spec = Json.write(ModelCard.read(teacher).spec());
    assertThat(t.path("sha256").asText())
        .isEqualTo(
            sha256(
                Files.readAllBytes(teacher.resolve("weights.safetensors")),
                spec.getBytes(StandardCharsets.UTF_8)));
    assertThat(t.path("path").asText()).isEqualTo(teacher.toString());
    assertThat(t.path("kind").asText()).isEqualTo("run");
    assertThat(t.path("alpha").asDouble()).isEqualTo(0.9);
    assertThat(t.path("temperature").asDouble()).isEqualTo(2.0);
    JsonNode row = Json.MAPPER.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
    assertThat(row.path("train_ce").asDouble()).isPositive();
    assertThat(row.path("train_kd").asDouble()).isPositive();
    double mixed = 0.1 * row.path("train_ce").asDouble() + 0.9 * row.path("train_kd").asDouble();
    assertThat(row.path("train_loss").asDouble())
        .isCloseTo(mixed, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void an_onnx_teacher_distils_through_cutmix_and_class_weights() throws Exception {
    Path onnx = teacher.resolve("model.onnx");
    Path out = shared.resolve("from-onnx");
    Cli.Run r =
        distil(
            out,
            "--teacher",
            onnx.toString(),
            "--kd-alpha",
            "0.5",
            "--augment",
            "light,cutmix=1.0",
            "--class-weights",
            "inverse");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("(ONNX file, resnet20, SHA-256 ").contains("cutmix");
    JsonNode t = teacherOf(out);
    assertThat(t.path("sha256").asText()).isEqualTo(sha256(Files.readAllBytes(onnx)));
    assertThat(t.path("kind").asText()).isEqualTo("onnx");
    assertThat(t.path("alpha").asDouble()).isEqualTo(0.5);
  }

  @Test
  void the_cache_serves_an_unaugmented_run() {
    Cli.Run r =
        distil(
            shared.resolve("cached"),
            "--teacher",
            teacher.toString(),
            "--augment",
            "none",
            "--kd-cache");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("teacher logits cached for 280 un-augmented training images");
  }

  @Test
  void a_teacher_trained_on_other_classes_is_refused_naming_the_difference(@TempDir Path dir) {
    ErrorsTest.assertOneLineError(
        Cli.run(
            "train",
            "--data",
            "synthetic:300:5",
            "--epochs",
            "1",
            "--teacher",
            teacher.toString(),
            "--out",
            dir.resolve("o").toString()),
        "was trained on other classes than the data: 10 classes against 5, first difference at"
            + " class 5");
  }

  @Test
  void bad_distillation_settings_are_one_line_errors(@TempDir Path dir) {
    String t = teacher.toString();
    ErrorsTest.assertOneLineError(
        distil(dir.resolve("a"), "--teacher", t, "--kd-alpha", "1.5"),
        "--kd-alpha must be in [0, 1], got 1.5");
    ErrorsTest.assertOneLineError(
        distil(dir.resolve("b"), "--teacher", t, "--kd-temperature", "0"),
        "--kd-temperature must be a positive number, got 0.0");
    ErrorsTest.assertOneLineError(
        distil(dir.resolve("c"), "--teacher", dir.resolve("absent").toString()),
        "teacher not found: " + dir.resolve("absent"));
    ErrorsTest.assertOneLineError(
        distil(dir.resolve("d"), "--kd-alpha", "0.5"), "give --teacher MODEL too");
    ErrorsTest.assertOneLineError(
        distil(dir.resolve("e"), "--teacher", t, "--kd-cache", "--augment", "light"),
        "use --augment none with --kd-cache");
    assertThat(dir.resolve("c")).doesNotExist(); // refused before any data was read
  }

  @Test
  void resume_refuses_another_teacher_and_accepts_the_same_one_moved(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("r");
    Cli.Run first = distil(out, "--teacher", teacher.toString());
    assertThat(first.code()).as(first.err()).isZero();
    Cli.Run other = distil(out, "--teacher", otherTeacher.toString(), "--resume");
    ErrorsTest.assertOneLineError(other, "resume needs the same teacher: the checkpoint's (");
    assertThat(other.err()).contains(otherTeacher + " has ");

    Path moved = dir.resolve("moved-teacher");
    Files.createDirectories(moved);
    for (String f : new String[] {"model.json", "weights.safetensors"})
      Files.copy(teacher.resolve(f), moved.resolve(f));
    Cli.Run same = distil(out, "--teacher", moved.toString(), "--resume");
    assertThat(same.code()).as(same.err()).isZero();
    assertThat(teacherOf(out).path("path").asText()).isEqualTo(moved.toString());
    ErrorsTest.assertOneLineError(
        distil(out, "--resume"), "resume needs the original run's teacher");
  }

  @Test
  @Tag("slow") // two 3-epoch runs and a SIGKILL: ~30 s on 2 busy cores
  void a_distilled_run_killed_mid_epoch_resumes_to_the_uninterrupted_weights(@TempDir Path dir)
      throws Exception {
    ResumeTest.assertResumedEqualsWhole(dir, "--teacher", teacher.toString());
  }
}
