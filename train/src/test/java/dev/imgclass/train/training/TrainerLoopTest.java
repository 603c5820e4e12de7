package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.LrSchedule;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.InMemoryDataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.runtime.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** {@link Trainer} with a fake task: which listener calls, in which order, with which numbers. */
class TrainerLoopTest {
  static final ModelSpec SPEC =
      new ModelSpec("fake", List.of("a", "b"), 1, 8, List.of(0.5), List.of(0.25));
  static final int IMAGES = 40; // 5 batches of 8 per epoch
  static final int BATCH = 8;

  /** {@code n} 8x8 gray images; image i has class i % 2. */
  static Dataset data(int n) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = i % 2;
    return new InMemoryDataset(SPEC.classes(), 1, 8, 8, new byte[n * 64], labels);
  }

  static BatchLoader loader() {
    return new BatchLoader(
        data(IMAGES), new Preprocessor(SPEC), Augmentation.parse("none"), BATCH, 7, true);
  }

  /** Records each batch it is given; loss from a function of the call number (1-based). */
  static final class FakeTask implements TrainTask {
    final List<Batch> batches = new ArrayList<>();
    final List<Double> lrs = new ArrayList<>();
    final ToDoubleFunction<Integer> loss;

    FakeTask(ToDoubleFunction<Integer> loss) {
      this.loss = loss;
    }

    @Override
    public StepResult step(Batch batch, double lr) {
      batches.add(batch);
      lrs.add(lr);
      long correct = 0;
      for (long y : batch.labels()) if (y == 0) correct++; // "predicts" class a
      return new StepResult(loss.applyAsDouble(batches.size()), correct, batch.size());
    }
  }

  /** Writes each call as a line. */
  static final class Recorder implements TrainListener {
    final List<String> calls = new ArrayList<>();
    final List<Epoch> epochs = new ArrayList<>();

    @Override
    public void onStart(int epochs, int batchesPerEpoch, TrainState from) {
      calls.add("start " + epochs + " " + batchesPerEpoch + " at step " + from.globalStep());
    }

    @Override
    public void onStep(Step s) {
      calls.add(
          "step e" + s.epoch() + " b" + s.batch() + "/" + s.batches() + " g" + s.globalStep());
    }

    @Override
    public void onEpoch(Epoch e) {
      epochs.add(e);
      calls.add("epoch e" + e.epoch() + "/" + e.epochs() + " g" + e.globalStep());
    }
  }

  /** Always says class a: right on half the images of {@link #data}. */
  static Evaluator alwaysA() {
    return new Evaluator(
        new Classifier() {
          @Override
          public ModelSpec spec() {
            return SPEC;
          }

          @Override
          public float[][] logits(float[] inputs, int n) {
            float[][] out = new float[n][];
            for (int i = 0; i < n; i++) out[i] = new float[] {2f, 0f};
            return out;
          }

          @Override
          public void close() {}
        },
        16);
  }

  static TrainState at(int epoch, int batch, long step) {
    return new TrainState(
        epoch, batch, step, -1, 0, 0, TrainConfig.builder().build(), "fp32", "data", null);
  }

  final LrSchedule schedule = new LrSchedule(0.1, 5, 10);

  void fit(FakeTask task, Recorder rec, Optional<Dataset> val, TrainState from) {
    try (BatchLoader l = loader()) {
      new Trainer(task, l, schedule, val, alwaysA(), Optional.empty(), List.of(rec)).fit(from, 2);
    }
  }

  @Test
  void listeners_hear_every_step_then_the_epoch_end_with_running_step_numbers() {
    FakeTask task = new FakeTask(i -> 1.0);
    Recorder rec = new Recorder();
    fit(task, rec, Optional.empty(), at(0, 0, 0));
    assertThat(rec.calls)
        .containsExactly(
            "start 2 5 at step 0",
            "step e0 b0/5 g1",
            "step e0 b1/5 g2",
            "step e0 b2/5 g3",
            "step e0 b3/5 g4",
            "step e0 b4/5 g5",
            "epoch e0/2 g5",
            "step e1 b0/5 g6",
            "step e1 b1/5 g7",
            "step e1 b2/5 g8",
            "step e1 b3/5 g9",
            "step e1 b4/5 g10",
            "epoch e1/2 g10");
  }

  @Test
  void each_step_gets_the_schedules_rate_for_the_steps_done_before_it() {
    FakeTask task = new FakeTask(i -> 1.0);
    fit(task, new Recorder(), Optional.empty(), at(0, 0, 0));
    for (int s = 0; s < 10; s++) assertThat(task.lrs.get(s)).isEqualTo(schedule.at(s));
  }

  @Test
  void a_run_resumed_mid_epoch_starts_at_the_saved_batch_and_sees_the_same_batches() {
    FakeTask whole = new FakeTask(i -> 1.0);
    fit(whole, new Recorder(), Optional.empty(), at(0, 0, 0));
    FakeTask resumed = new FakeTask(i -> 1.0);
    Recorder rec = new Recorder();
    fit(resumed, rec, Optional.empty(), at(1, 3, 8));
    assertThat(rec.calls)
        .containsExactly(
            "start 2 5 at step 8", "step e1 b3/5 g9", "step e1 b4/5 g10", "epoch e1/2 g10");
    for (int i = 0; i < 2; i++) {
      Batch a = whole.batches.get(8 + i);
      Batch b = resumed.batches.get(i);
      assertThat(b.seed()).isEqualTo(a.seed());
      assertThat(b.labels()).containsExactly(a.labels());
      assertThat(b.inputs()).containsExactly(a.inputs());
    }
    assertThat(resumed.lrs).containsExactly(schedule.at(8), schedule.at(9));
  }

  @Test
  void a_run_resumed_at_its_end_trains_nothing_more() {
    FakeTask task = new FakeTask(i -> 1.0);
    Recorder rec = new Recorder();
    fit(task, rec, Optional.empty(), at(2, 0, 10));
    assertThat(task.batches).isEmpty();
    assertThat(rec.calls).containsExactly("start 2 5 at step 10");
  }

  @Test
  void the_epoch_reports_the_image_weighted_training_loss_and_accuracy() {
    FakeTask task = new FakeTask(i -> i); // losses 1, 2, 3, 4, 5 in epoch 1
    Recorder rec = new Recorder();
    fit(task, rec, Optional.empty(), at(0, 0, 0));
    TrainListener.Epoch first = rec.epochs.get(0);
    assertThat(first.trainLoss()).isCloseTo(3.0, within(1e-12));
    assertThat(first.trainAcc()).isCloseTo(0.5, within(1e-12));
    assertThat(first.lr()).isEqualTo(schedule.at(4));
    assertThat(first.valLoss()).isNaN();
    assertThat(first.valAcc()).isNaN();
  }

  @Test
  void with_a_validation_set_each_epoch_reports_its_accuracy() {
    Recorder rec = new Recorder();
    fit(new FakeTask(i -> 1.0), rec, Optional.of(data(10)), at(0, 0, 0));
    assertThat(rec.epochs).extracting(TrainListener.Epoch::valAcc).containsExactly(0.5, 0.5);
  }

  @Test
  void a_non_finite_loss_stops_the_run_before_any_listener_hears_of_that_step() {
    FakeTask task = new FakeTask(i -> i == 3 ? Double.NaN : 1.0);
    Recorder rec = new Recorder();
    assertThatThrownBy(() -> fit(task, rec, Optional.empty(), at(0, 0, 0)))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("training diverged")
        .hasMessageContaining("epoch 1, step 3");
    assertThat(rec.calls)
        .containsExactly("start 2 5 at step 0", "step e0 b0/5 g1", "step e0 b1/5 g2");
  }
}
