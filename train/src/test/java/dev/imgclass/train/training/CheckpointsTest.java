package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.train.models.Net;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every crash point of the checkpoint swap leaves a complete checkpoint that loads. */
class CheckpointsTest {
  @TempDir Path dir;
  static final Net NET = OptimizerTest.net();
  static final Optimizer OPT = Optimizer.create(OptimizerTest.cfg("sgd", 0), NET.params());

  /** Thrown by the hook: the process "dies" there, with no clean-up. */
  static final class Crash extends RuntimeException {
    Crash(Checkpoints.Step at) {
      super("crash after " + at);
    }
  }

  static TrainState state(long step) {
    return new TrainState(
        0, (int) step, step, -1, 0, 0, TrainConfig.builder().build(), "fp32", "data", null);
  }

  static Checkpoints crashingAfter(Path runDir, Checkpoints.Step at) {
    return new Checkpoints(
        runDir,
        s -> {
          if (s == at) throw new Crash(s);
        });
  }

  long loadedStep() {
    return new Checkpoints(dir).load("last").orElseThrow().state().globalStep();
  }

  /** Steps after which the new checkpoint is complete somewhere on disk. */
  static boolean newIsComplete(Checkpoints.Step at) {
    return at.compareTo(Checkpoints.Step.MARKED_COMPLETE) >= 0;
  }

  void saveCrashingAfter(Checkpoints.Step at, long step) {
    assertThatThrownBy(() -> crashingAfter(dir, at).save("last", NET, OPT, state(step)))
        .isInstanceOf(Crash.class);
  }

  @ParameterizedTest
  @EnumSource(Checkpoints.Step.class)
  void a_crash_after_any_step_of_a_save_leaves_the_newest_complete_checkpoint(Checkpoints.Step at) {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    saveCrashingAfter(at, 20);
    assertThat(loadedStep()).isEqualTo(newIsComplete(at) ? 20 : 10);
  }

  @ParameterizedTest
  @EnumSource(Checkpoints.Step.class)
  void a_crash_during_the_very_first_save_leaves_nothing_or_the_new_checkpoint(
      Checkpoints.Step at) {
    saveCrashingAfter(at, 20);
    var loaded = new Checkpoints(dir).load("last");
    if (newIsComplete(at)) assertThat(loaded.orElseThrow().state().globalStep()).isEqualTo(20);
    else assertThat(loaded).isEmpty();
  }

  static Stream<Arguments> pairsOfCrashPoints() {
    return Arrays.stream(Checkpoints.Step.values())
        .flatMap(a -> Arrays.stream(Checkpoints.Step.values()).map(b -> Arguments.of(a, b)));
  }

  @ParameterizedTest
  @MethodSource("pairsOfCrashPoints")
  void a_second_crash_after_resuming_from_an_interrupted_swap_still_leaves_a_checkpoint(
      Checkpoints.Step first, Checkpoints.Step second) {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    saveCrashingAfter(first, 20);
    long resumedAt = loadedStep(); // the resumed run continues from here
    saveCrashingAfter(second, 30);
    assertThat(loadedStep()).isEqualTo(newIsComplete(second) ? 30 : resumedAt);
    new Checkpoints(dir).save("last", NET, OPT, state(40)); // and the run goes on cleanly
    assertThat(loadedStep()).isEqualTo(40);
  }

  @Test
  void resuming_from_the_old_copy_and_saving_again_never_deletes_the_only_complete_one() {
    // the double fault of the review: the swap died between its two renames, the run resumed from
    // .last.old, and the next save died before its new copy was complete
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    saveCrashingAfter(Checkpoints.Step.MOVED_TARGET_TO_OLD, 20);
    assertThat(loadedStep()).isEqualTo(20);
    saveCrashingAfter(Checkpoints.Step.WROTE_WEIGHTS, 30);
    assertThat(loadedStep()).isEqualTo(20);
  }

  @Test
  void a_clean_save_leaves_only_the_named_folder() throws Exception {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    saveCrashingAfter(Checkpoints.Step.MOVED_TARGET_TO_OLD, 20);
    new Checkpoints(dir).save("last", NET, OPT, state(30));
    try (Stream<Path> s = Files.list(dir.resolve("checkpoints"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("last");
    }
    assertThat(Checkpoints.complete(dir.resolve("checkpoints/last"))).isTrue();
  }

  @Test
  void a_checkpoint_with_a_truncated_file_is_not_complete() throws Exception {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    Path weights = dir.resolve("checkpoints/last").resolve(Checkpoints.WEIGHTS);
    byte[] b = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(b, b.length / 2));
    assertThat(Checkpoints.complete(dir.resolve("checkpoints/last"))).isFalse();
    assertThat(new Checkpoints(dir).load("last")).isEmpty();
  }

  @Test
  void a_checkpoint_written_before_the_complete_marker_still_loads() throws Exception {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    Files.delete(dir.resolve("checkpoints/last").resolve(Checkpoints.COMPLETE)); // the old layout
    assertThat(loadedStep()).isEqualTo(10);
    new Checkpoints(dir).save("last", NET, OPT, state(20)); // and the next save replaces it
    assertThat(loadedStep()).isEqualTo(20);
  }

  @Test
  void a_tmp_folder_without_its_marker_is_never_loaded() throws Exception {
    new Checkpoints(dir).save("last", NET, OPT, state(10));
    Path last = dir.resolve("checkpoints/last");
    Path tmp = dir.resolve("checkpoints/.last.tmp");
    Files.createDirectories(tmp);
    for (String f : new String[] {Checkpoints.WEIGHTS, Checkpoints.OPTIMIZER, Checkpoints.STATE})
      Files.copy(last.resolve(f), tmp.resolve(f));
    assertThat(new Checkpoints(dir).newest("last")).contains(last);
  }
}
