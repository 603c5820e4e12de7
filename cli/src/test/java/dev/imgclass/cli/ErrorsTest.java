package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gives one clear line on stderr and exit code 1 (2 for bad usage), never a trace. */
class ErrorsTest {
  @TempDir static Path shared;
  static Path run;

  @BeforeAll
  static void trainTinyRun() {
    run = shared.resolve("tiny");
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            "synthetic:200",
            "--epochs",
            "1",
            "--batch-size",
            "50",
            "--threads",
            "2",
            "--precision",
            "fp32",
            "--out",
            run.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  static void assertOneLineError(Cli.Run r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: ").contains(expected);
  }

  @Test
  void a_missing_data_directory() {
    assertOneLineError(
        Cli.run(
            "train",
            "--data",
            shared.resolve("absent").toString(),
            "--out",
            shared.resolve("o1").toString()),
        "data not found");
  }

  @Test
  void idx_files_with_a_wrong_magic_number(@TempDir Path dir) throws Exception {
    writeIdx(dir, 0x00000804, 10, 0);
    assertOneLineError(
        Cli.run("train", "--data", dir.toString(), "--out", dir.resolve("o").toString()),
        "wrong IDX magic number");
  }

  @Test
  void a_truncated_idx_file(@TempDir Path dir) throws Exception {
    writeIdx(dir, 0x00000803, 10, 50);
    assertOneLineError(
        Cli.run("train", "--data", dir.toString(), "--out", dir.resolve("o").toString()),
        "is truncated");
  }

  @Test
  void an_unknown_model_name() {
    assertOneLineError(
        Cli.run(
            "train",
            "--data",
            "synthetic:100",
            "--model",
            "resnet7",
            "--out",
            shared.resolve("o2").toString()),
        "unknown model 'resnet7'");
  }

  @Test
  void weights_whose_class_count_differs_from_model_json(@TempDir Path dir) throws Exception {
    Path bad = copyRun(dir);
    String json = Files.readString(bad.resolve("model.json"));
    Files.writeString(
        bad.resolve("model.json"), json.replace("\"gradient\"", "\"gradient\", \"extra\""));
    assertOneLineError(
        Cli.run("eval", "--model", bad.toString(), "--data", "synthetic:100"),
        "fc.weight is [10, 64] in the file, the model needs [11, 64]");
  }

  @Test
  void a_corrupt_safetensors_file(@TempDir Path dir) throws Exception {
    Path bad = copyRun(dir);
    Path w = bad.resolve("weights.safetensors");
    byte[] all = Files.readAllBytes(w);
    Files.write(w, Arrays.copyOf(all, all.length - 1000));
    assertOneLineError(
        Cli.run("predict", "--model", bad.toString(), w.toString()), "corrupt safetensors");
  }

  @Test
  void a_nan_loss_from_a_huge_learning_rate() {
    assertOneLineError(
        Cli.run(
            "train",
            "--data",
            "synthetic:300",
            "--lr",
            "1e6",
            "--warmup-epochs",
            "0",
            "--epochs",
            "2",
            "--threads",
            "2",
            "--out",
            shared.resolve("nan").toString()),
        "training diverged");
  }

  @Test
  void an_evaluation_on_data_with_other_classes() {
    assertOneLineError(
        Cli.run("eval", "--model", run.toString(), "--data", "synthetic:100:5"), "classes differ");
  }

  @Test
  void an_unknown_option_is_a_usage_error_with_exit_code_2() {
    Cli.Run r = Cli.run("train", "--data", "synthetic", "--epoch", "3");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option").contains("'--epoch'").doesNotContain("\tat ");
  }

  @Test
  void verbose_adds_the_stack_trace() {
    Cli.Run r =
        Cli.run(
            "train",
            "--verbose",
            "--data",
            "synthetic:100",
            "--model",
            "resnet7",
            "--out",
            shared.resolve("o3").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown model").contains("\tat ");
  }

  private static Path copyRun(Path dir) throws Exception {
    Path copy = dir.resolve("run");
    Files.createDirectories(copy);
    for (String f : new String[] {"model.json", "weights.safetensors"})
      Files.copy(run.resolve(f), copy.resolve(f));
    return copy;
  }

  /** IDX files with the given image magic; {@code cut} bytes removed from the image file's end. */
  private static void writeIdx(Path dir, int magic, int n, int cut) throws Exception {
    ByteBuffer img =
        ByteBuffer.allocate(16 + n * 784).putInt(magic).putInt(n).putInt(28).putInt(28);
    ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    try (OutputStream o = Files.newOutputStream(dir.resolve("train-images-idx3-ubyte"))) {
      o.write(img.array(), 0, img.capacity() - cut);
    }
    Files.write(dir.resolve("train-labels-idx1-ubyte"), lab.array());
  }
}
