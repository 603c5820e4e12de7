package dev.imgclass.train.training;

import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Measures what the training loop costs on top of the bare step: the pipeline of a real run (one
 * {@link RunAssembly}: data, augmentation, validation, progress output, metrics files and
 * checkpoints) runs, and the time spent inside the step (forward, backward, update) is set against
 * the wall time of the whole loop.
 */
public final class LoopBench {
  private LoopBench() {}

  /**
   * The full loop's wall time split into time inside the training step and time around it (data,
   * augmentation, validation, progress, metrics, checkpoints). The ratio of the two is robust to
   * load from other processes, which inflates both runs' step times alike.
   *
   * @param steps optimizer steps run
   * @param stepSeconds time inside {@link TrainTask#step}
   * @param loopSeconds wall time of {@link Trainer#fit}
   */
  public record Result(long steps, double stepSeconds, double loopSeconds) {
    public double overhead() {
      return (loopSeconds - stepSeconds) / stepSeconds;
    }
  }

  /**
   * Runs {@code epochs} epochs of the pipeline {@link RunAssembly} builds for {@code cfg} on {@code
   * data} (validation split, checkpoints and metrics in {@code runDir}), as {@link TrainRun} does.
   */
  public static Result run(TrainConfig cfg, Dataset data, int epochs, Path runDir) {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    RunData runData =
        RunData.of(
            cfg,
            new DataSplits("loop benchmark", data, Optional.empty(), Optional.empty()),
            DataOptions.defaults(),
            runDir,
            quiet);
    RunAssembly.Parts parts = RunAssembly.assemble(cfg, runData, Optional.empty(), quiet);
    TrainTask inner = parts.task();
    long[] inStep = {0};
    TrainTask timed =
        (b, lr) -> {
          long s0 = System.nanoTime();
          StepResult r = inner.step(b, lr);
          inStep[0] += System.nanoTime() - s0;
          return r;
        };
    List<TrainListener> listeners = RunAssembly.listeners(parts, runDir, quiet, false).all();
    try (BatchLoader loader = parts.loader()) {
      long steps = (long) loader.batchesPerEpoch() * epochs;
      Batch batch = loader.batch(loader.order(0), 0, 0);
      for (int i = 0; i < 5; i++) inner.step(batch, 0.01); // warm-up, not counted
      long t1 = System.nanoTime();
      parts.trainer(timed, listeners).fit(parts.start(), epochs);
      double loopSeconds = (System.nanoTime() - t1) / 1e9;
      return new Result(steps, inStep[0] / 1e9, loopSeconds);
    }
  }
}
