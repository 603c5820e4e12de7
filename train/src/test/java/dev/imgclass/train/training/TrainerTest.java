package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelCard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  static TrainConfig.Builder quick() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.epochs = 3;
    b.batchSize = 64;
    b.threads = 2;
    b.precision = "fp32";
    return b;
  }

  @Test
  void resnet20_learns_synthetic_patterns_above_90_percent_in_seconds() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainRun.Result r =
        TrainRun.run(quick().build(), "synthetic:1500", dir, false, new PrintStream(log, true));
    assertThat(r.test()).isPresent();
    assertThat(r.test().get().top1()).isGreaterThan(0.90);
    for (String f :
        new String[] {
          "model.json",
          "weights.safetensors",
          "eval.json",
          "metrics.csv",
          "metrics.jsonl",
          "checkpoints/last/weights.safetensors",
          "checkpoints/last/optimizer.safetensors",
          "checkpoints/best/state.json"
        }) {
      assertThat(dir.resolve(f)).as(f).isRegularFile();
    }
    assertThat(Files.readAllLines(dir.resolve("metrics.csv")))
        .hasSize(4)
        .first()
        .isEqualTo(MetricsLog.HEADER);
    ModelCard card = ModelCard.read(dir);
    assertThat(card.spec().classes()).hasSize(10);
    assertThat(card.provenance())
        .containsKeys("seed", "data_fingerprint", "imgclass_version", "imgclass_commit");
    assertThat(log.toString()).contains("epoch 3/3");
  }

  @Test
  void a_briefly_trained_mobilenet_predicts_well_in_eval_mode() {
    // guards the BN momentum: with torchvision's 0.01 the running statistics lagged the weights
    // and eval-mode accuracy stayed at chance while training accuracy climbed
    TrainConfig.Builder b = quick();
    b.model = "mobilenetv3_small_050";
    TrainRun.Result r =
        TrainRun.run(
            b.build(), "synthetic:1500", dir, false, new PrintStream(new ByteArrayOutputStream()));
    assertThat(r.test().orElseThrow().top1()).isGreaterThan(0.6);
  }

  @Test
  void a_huge_learning_rate_stops_at_the_first_non_finite_loss_with_a_clear_message() {
    TrainConfig.Builder b = quick();
    b.lr = 1e6;
    b.warmupEpochs = 0.0;
    assertThatThrownBy(
            () ->
                TrainRun.run(
                    b.build(),
                    "synthetic:600",
                    dir,
                    false,
                    new PrintStream(new ByteArrayOutputStream())))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("training diverged")
        .hasMessageContaining("lower --lr");
    assertThat(dir.resolve("checkpoints/last")).doesNotExist(); // nothing bad was saved
  }

  @Test
  void a_run_directory_in_use_is_not_overwritten() throws Exception {
    Files.writeString(dir.resolve("model.json"), "{}");
    assertThatThrownBy(
            () ->
                TrainRun.run(
                    quick().build(),
                    "synthetic:100",
                    dir,
                    false,
                    new PrintStream(new ByteArrayOutputStream())))
        .hasMessageContaining("is not empty");
    assertThat(Files.readString(dir.resolve("model.json"))).isEqualTo("{}");
  }

  @Test
  void bad_hyperparameters_are_refused_before_any_work() {
    TrainConfig.Builder b = quick();
    b.epochs = 0;
    assertThatThrownBy(b::build).hasMessageContaining("--epochs must be at least 1");
  }

  @Test
  void a_resume_may_change_threads_and_checkpoint_steps_and_runs_with_the_new_values() {
    TrainConfig.Builder b = quick();
    b.epochs = 1;
    b.threads = 1;
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    TrainRun.run(b.build(), "synthetic:100", dir, false, quiet);
    b.threads = 2;
    b.checkpointSteps = 3;
    TrainRun.Result r = TrainRun.run(b.build(), "synthetic:100", dir, true, quiet);
    assertThat(r.card().provenance()).containsEntry("threads", 2);
    assertThat(r.card().train()).containsEntry("checkpointSteps", 3);
  }
}
