package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When {@link CheckpointListener} saves, and what state it writes. */
class CheckpointListenerTest {
  @TempDir Path dir;
  int saves; // completed saves, of any name

  /** Checkpoints that count their completed saves. */
  Checkpoints counting() {
    return new Checkpoints(
        dir,
        s -> {
          if (s == Checkpoints.Step.DELETED_OLD) saves++;
        });
  }

  CheckpointListener listener(Checkpoints c, int everySteps, boolean haveVal) {
    return new CheckpointListener(c, CheckpointsTest.NET, CheckpointsTest.OPT, everySteps, haveVal);
  }

  static TrainListener.Step step(int epoch, int batch, long global) {
    return new TrainListener.Step(
        epoch, batch, 5, global, 0.1, new StepResult(1, 4, 8), 1, 0.5, 8L * (batch + 1), 2.0);
  }

  static TrainListener.Epoch epoch(int epoch, long global, double trainAcc, double valAcc) {
    return new TrainListener.Epoch(
        epoch, 3, global, 0.1, 1, trainAcc, 1, valAcc, 5.0, 100, 10, java.util.Map.of());
  }

  TrainState last(Checkpoints c) {
    return c.load("last").orElseThrow().state();
  }

  TrainState best(Checkpoints c) {
    return c.load("best").orElseThrow().state();
  }

  @Test
  void last_is_saved_every_n_steps_but_not_on_an_epochs_last_batch() {
    Checkpoints c = counting();
    CheckpointListener l = listener(c, 2, true);
    l.onStart(3, 5, TrainStateTest.checkpoint(TrainConfig.builder().build(), "fp32"));
    for (int b = 0; b < 4; b++) l.onStep(step(0, b, b + 1));
    assertThat(saves).isEqualTo(2); // after steps 2 and 4
    TrainState s = last(c);
    assertThat(s.epoch()).isZero();
    assertThat(s.batch()).isEqualTo(4); // the batch to run next
    assertThat(s.globalStep()).isEqualTo(4);
    assertThat(s.trainSeconds()).isEqualTo(2.0);
    l.onStep(step(1, 0, 6));
    l.onStep(step(1, 4, 10)); // a multiple of 2 too, but the epoch's last batch: onEpoch saves it
    assertThat(saves).isEqualTo(3);
  }

  @Test
  void with_no_step_interval_only_epoch_ends_save() {
    Checkpoints c = counting();
    CheckpointListener l = listener(c, 0, true);
    l.onStart(3, 5, TrainStateTest.checkpoint(TrainConfig.builder().build(), "fp32"));
    for (int b = 0; b < 5; b++) l.onStep(step(0, b, b + 1));
    assertThat(saves).isZero();
  }

  @Test
  void best_is_saved_only_when_the_validation_accuracy_improves() {
    Checkpoints c = new Checkpoints(dir);
    CheckpointListener l = listener(c, 0, true);
    l.onStart(3, 5, TrainStateTest.checkpoint(TrainConfig.builder().build(), "fp32"));
    l.onEpoch(epoch(0, 5, 0.9, 0.5));
    l.onEpoch(epoch(1, 10, 0.99, 0.4)); // better training accuracy, worse validation
    assertThat(best(c).bestEpoch()).isEqualTo(1);
    assertThat(best(c).globalStep()).isEqualTo(5);
    assertThat(last(c).epoch()).isEqualTo(2);
    assertThat(last(c).batch()).isZero();
    assertThat(last(c).bestScore()).isEqualTo(0.5);
    l.onEpoch(epoch(2, 15, 0.1, 0.7));
    assertThat(best(c).bestEpoch()).isEqualTo(3);
    assertThat(best(c).bestScore()).isEqualTo(0.7);
    assertThat(l.state().trainSeconds()).isEqualTo(15.0);
  }

  @Test
  void without_a_validation_split_the_training_accuracy_picks_the_best() {
    Checkpoints c = new Checkpoints(dir);
    CheckpointListener l = listener(c, 0, false);
    l.onStart(3, 5, TrainStateTest.checkpoint(TrainConfig.builder().build(), "fp32"));
    l.onEpoch(epoch(0, 5, 0.6, Double.NaN));
    l.onEpoch(epoch(1, 10, 0.8, Double.NaN));
    assertThat(best(c).bestEpoch()).isEqualTo(2);
    assertThat(best(c).bestScore()).isEqualTo(0.8);
  }

  @Test
  void a_resumed_run_keeps_counting_training_seconds_and_the_best_score() {
    Checkpoints c = new Checkpoints(dir);
    CheckpointListener l = listener(c, 0, true);
    TrainState from =
        new TrainState(1, 2, 7, 0.6, 1, 10.0, TrainConfig.builder().build(), "bf16", "data", null);
    l.onStart(3, 5, from);
    l.onEpoch(epoch(1, 10, 0.9, 0.55));
    TrainState s = last(c);
    assertThat(s.trainSeconds()).isEqualTo(15.0);
    assertThat(s.bestScore()).isEqualTo(0.6);
    assertThat(s.bestEpoch()).isEqualTo(1);
    assertThat(s.precision()).isEqualTo("bf16");
    assertThat(c.load("best")).isEmpty();
  }
}
