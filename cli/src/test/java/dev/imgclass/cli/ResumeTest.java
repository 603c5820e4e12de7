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
    assertResumedEqualsWhole(dir);
  }

  @Test
  void a_run_with_a_weight_average_killed_mid_epoch_resumes_to_the_same_average(@TempDir Path dir)
      throws Exception {
    // the saved weights are the average: equal only if the average itself was restored
    Cli.Run whole = assertResumedEqualsWhole(dir, "--ema", "0.9");
    assertThat(whole.out()).contains("weight average: EMA decay 0.9");
  }

  @Test
  void a_finetune_run_killed_in_its_head_warmup_resumes_into_the_same_phases(@TempDir Path dir)
      throws Exception {
    Path source = dir.resolve("source");
    Cli.Run pre =
        Cli.run(
            "train",
            "--data",
            "synthetic:640",
            "--epochs",
            "1",
            "--threads",
            "1",
            "--out",
            source.toString());
    assertThat(pre.code()).as(pre.err()).isZero();
    // 19 steps an epoch: the head-only phase ends at step 29, after the kill (step >= 25), so the
    // resumed run must thaw the body at the same step; AdamW's per-parameter counts are restored
    Cli.Run whole =
        assertResumedEqualsWhole(
            dir,
            "--init-weights",
            source.resolve("weights.safetensors").toString(),
            "--recipe",
            "finetune",
            "--head-epochs",
            "1.5",
            "--optimizer",
            "adamw");
    assertThat(whole.out())
        .contains("finetune: mean [")
        .contains("head warm-up: the first 29 steps (1.5 epochs) train only the head")
        .contains("body learning rate: 0.1 × the head's");
  }

  /** Runs {@code extra} whole and killed-then-resumed; returns the whole run. */
  static Cli.Run assertResumedEqualsWhole(Path dir, String... extra) throws Exception {
    Path whole = dir.resolve("whole");
    Cli.Run wholeRun = Cli.run(args(whole, extra));
    assertThat(wholeRun.code()).as(wholeRun.err()).isZero();

    Path killed = dir.resolve("killed");
    Process p = Cli.start(dir.resolve("killed.log"), args(killed, extra));
    Path state = killed.resolve("checkpoints/last/state.json");
    long deadline = System.nanoTime() + 120_000_000_000L;
    // 19 steps per epoch (608 training images / 32): wait until the run is inside epoch 2
    while (p.isAlive() && System.nanoTime() < deadline && stepOf(state) < 25) Thread.sleep(20);
    assertThat(p.isAlive()).as("the run ended before it could be killed").isTrue();
    p.destroyForcibly().waitFor(); // SIGKILL: no shutdown hooks, no chance to tidy up
    JsonNode s = Json.MAPPER.readTree(state.toFile());
    assertThat(s.get("batch").asInt()).as("killed mid-epoch").isGreaterThan(0);
    assertThat(killed.resolve("model.json")).doesNotExist();

    String[] again = java.util.Arrays.copyOf(extra, extra.length + 1);
    again[extra.length] = "--resume";
    Cli.Run resumed = Cli.run(args(killed, again));
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
    return wholeRun;
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
