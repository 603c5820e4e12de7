package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a deployed system runs on an {@code .onnx} file never needs libtorch: each command runs in a
 * child JVM whose classpath is this test's without any {@code org.bytedeco} jar (libtorch, JavaCPP,
 * OpenBLAS), so touching the engine would fail with NoClassDefFoundError.
 */
class EngineFreeCommandsTest {
  @TempDir static Path dir;
  static Path run;
  static Path onnx;
  static Path image;

  @BeforeAll
  static void trainAndExport() throws Exception {
    run = dir.resolve("run");
    Cli.trainAndExport(run, "synthetic:300", 1);
    onnx = run.resolve("model.onnx");
    image = dir.resolve("x.png");
    ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", image.toFile());
  }

  /** This test's classpath without the engine's jars. */
  static String engineFreeClasspath() {
    List<String> kept =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !e.replace('\\', '/').contains("/org/bytedeco/"))
            .toList();
    assertThat(kept)
        .hasSizeLessThan(System.getProperty("java.class.path").split(File.pathSeparator).length);
    return kept.stream().collect(Collectors.joining(File.pathSeparator));
  }

  static Cli.Run runWithoutEngine(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(engineFreeClasspath());
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("imgclass " + String.join(" ", args) + " did not finish");
    }
    return new Cli.Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void the_engine_is_really_absent_from_the_child_classpath() throws Exception {
    // training, and a run directory's libtorch weights, fail there: proof the engine is gone
    Cli.Run r = runWithoutEngine("eval", "--model", run.toString(), "--data", "synthetic:300");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("NoClassDefFoundError").contains("bytedeco");
    Cli.Run t =
        runWithoutEngine(
            "train",
            "--data",
            "synthetic:100",
            "--epochs",
            "1",
            "--out",
            dir.resolve("t").toString());
    assertThat(t.code()).as(t.err()).isNotZero();
    assertThat(t.err()).contains("NoClassDefFoundError").contains("bytedeco");
  }

  @Test
  void eval_on_an_onnx_file_runs_without_libtorch() throws Exception {
    Cli.Run r =
        runWithoutEngine("eval", "--model", onnx.toString(), "--data", "synthetic:300", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Json.MAPPER.readTree(r.out()).get("images").asInt()).isPositive();
  }

  @Test
  void predict_on_an_onnx_file_runs_without_libtorch() throws Exception {
    Cli.Run r = runWithoutEngine("predict", "--model", onnx.toString(), "--json", image.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode results = Json.MAPPER.readTree(r.out()).get("results");
    assertThat(results.get(0).get("predictions").size()).isEqualTo(3);
  }

  @Test
  void compare_of_two_onnx_files_runs_without_libtorch() throws Exception {
    Path copy = dir.resolve("copy.onnx");
    Files.copy(onnx, copy);
    Cli.Run r =
        runWithoutEngine(
            "compare", onnx.toString(), copy.toString(), "--data", "synthetic:300", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Json.MAPPER.readTree(r.out()).get("pValue").asDouble()).isEqualTo(1.0);
  }

  @Test
  void int8_export_of_an_onnx_file_runs_without_libtorch() throws Exception {
    Path fp32 = dir.resolve("q/model.onnx");
    Files.createDirectories(fp32.getParent());
    Files.copy(onnx, fp32);
    Cli.Run r =
        runWithoutEngine(
            "export",
            "--model",
            fp32.toString(),
            "--int8",
            "--calibration",
            "synthetic:300",
            "--calibration-size",
            "64",
            "--threads",
            "2");
    assertThat(r.code()).as(r.err()).isZero();
    Path q = dir.resolve("q/model.int8.onnx");
    assertThat(q).isRegularFile();
    assertThat(Files.size(q)).isLessThan(Files.size(fp32));
    assertThat(r.out()).contains("top-1 agreement");
    Cli.Run c =
        runWithoutEngine(
            "compare", fp32.toString(), q.toString(), "--data", "synthetic:300", "--json");
    assertThat(c.code()).as(c.err()).isZero();
  }

  @Test
  void an_onnx_file_without_int8_is_refused_in_one_line() throws Exception {
    Cli.Run r = runWithoutEngine("export", "--model", onnx.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("error: ").contains("already an ONNX file");
  }
}
