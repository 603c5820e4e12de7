package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL mid-epoch and resumed ends with the weights of an uninterrupted run.
 */
class ResumeTest {
  static final String[] RECIPE = {
    "--data",
    "synthetic:640",
    "--epochs",
    "3",
    "--batch-size",
    "32",
    "--threads",
    "1",
    "--precision",
    "fp32",
    "--checkpoint-steps",
    "5"
  };

  static String[] args(Path out, String... extra) {
    String[] a = new String[RECIPE.length + 3 + extra.length];
    a[0] = "train";
    System.arraycopy(RECIPE, 0, a, 1, RECIPE.length);
    a[RECIPE.length + 1] = "--out";
    a[RECIPE.length + 2] = out.toString();
    System.arraycopy(extra, 0, a, RECIPE.length + 3, extra.length);
    return a;
  }

  @Test
  void killed_mid_epoch_and_resumed_equals_uninterrupted_within_1e_6(@TempDir Path dir)
      throws Exception {
    Path whole = dir.resolve("whole");
    assertThat(Cli.run(args(whole)).code()).isZero();

    Path killed = dir.resolve("killed");
    Process p = Cli.start(dir.resolve("killed.log"), args(killed));
    Path state = killed.resolve("checkpoints/last/state.json");
    long deadline = System.nanoTime() + 120_000_000_000L;
    // 19 steps per epoch (608 training images / 32): wait until the run is inside epoch 2
    while (p.isAlive() && System.nanoTime() < deadline && stepOf(state) < 25) Thread.sleep(20);
    assertThat(p.isAlive()).as("the run ended before it could be killed").isTrue();
    p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no chance to tidy up
    JsonNode s = Json.MAPPER.readTree(state.toFile());
    assertThat(s.get("batch").asInt()).as("killed mid-epoch").isGreaterThan(0);
    assertThat(killed.resolve("model.json")).doesNotExist();

    Cli.Run resumed = Cli.run(args(killed, "--resume"));
    assertThat(resumed.code()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("resuming at epoch 2");

    Map<String, TensorData> a = Safetensors.read(whole.resolve("weights.safetensors")).tensors();
    Map<String, TensorData> b = Safetensors.read(killed.resolve("weights.safetensors")).tensors();
    assertThat(b.keySet()).isEqualTo(a.keySet());
    double maxDiff = 0;
    for (String k : a.keySet()) {
      float[] x = a.get(k).toFloats();
      float[] y = b.get(k).toFloats();
      for (int i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
    }
    assertThat(maxDiff).isLessThanOrEqualTo(1e-6);
    assertThat(Files.readAllLines(killed.resolve("metrics.csv")))
        .hasSize(4); // header + 3 epochs, none twice
  }

  @Test
  void resume_refuses_different_settings(@TempDir Path dir) {
    Path out = dir.resolve("r");
    assertThat(
            Cli.run(
                    "train",
                    "--data",
                    "synthetic:100",
                    "--epochs",
                    "1",
                    "--threads",
                    "2",
                    "--out",
                    out.toString())
                .code())
        .isZero();
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            "synthetic:100",
            "--epochs",
            "1",
            "--threads",
            "2",
            "--lr",
            "0.5",
            "--out",
            out.toString(),
            "--resume");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("resume needs the settings of the original run")
        .contains("lr 0.1 in the checkpoint, 0.5 now");
  }

  @Test
  void resume_without_a_checkpoint_says_so(@TempDir Path dir) {
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            "synthetic:100",
            "--out",
            dir.resolve("none").toString(),
            "--resume");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("nothing to resume");
  }

  private static long stepOf(Path state) {
    try {
      return Files.exists(state)
          ? Json.MAPPER.readTree(state.toFile()).get("globalStep").asLong()
          : -1;
    } catch (Exception e) {
      return -1; // being replaced right now
    }
  }
}
