package dev.imgclass.train.training;

import dev.imgclass.core.LrSchedule;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Measures what the training loop costs on top of the bare step: {@link Trainer} runs with real
 * data, augmentation, progress output, metrics files and checkpoints, and the time spent inside the
 * step (forward, backward, update) is set against the wall time of the whole loop.
 */
public final class LoopBench {
  private LoopBench() {}

  /**
   * The full loop's wall time split into time inside the training step and time around it (data,
   * augmentation, progress, metrics, checkpoints). The ratio of the two is robust to load from
   * other processes, which inflates both runs' step times alike.
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

  public static Result run(TrainConfig cfg, Dataset data, int epochs, Path runDir) {
    Engine.threads(cfg.threads());
    Precision precision = Precision.parse(cfg.precision());
    ModelSpec spec =
        new ModelSpec(
            cfg.model(),
            data.classes(),
            data.channels(),
            data.height(),
            List.of(0.286),
            List.of(0.353));
    Preprocessor pre = new Preprocessor(spec);
    BatchLoader loader =
        new BatchLoader(
            data, pre, Augmentation.parse(cfg.augment()), cfg.batchSize(), cfg.seed(), true);
    long steps = (long) loader.batchesPerEpoch() * epochs;

    Loss loss = new Loss(cfg.labelSmoothing(), spec.numClasses());
    Batch batch = loader.batch(loader.order(0), 0, 0);
    // loop: the real trainer with every listener a run has
    Net net = ModelRegistry.create(spec, cfg.seed());
    Optimizer opt = Optimizer.create(cfg, net.params());
    ClassificationTask inner = new ClassificationTask(net, opt, loss, precision, cfg.gradClip());
    long[] inStep = {0};
    TrainTask task =
        (b, lr) -> {
          long s0 = System.nanoTime();
          StepResult r = inner.step(b, lr);
          inStep[0] += System.nanoTime() - s0;
          return r;
        };
    LrSchedule schedule = new LrSchedule(cfg.lr(), loader.batchesPerEpoch(), steps);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<TrainListener> listeners =
        List.of(
            new ConsoleProgress(quiet, false),
            new MetricsLog(runDir),
            new CheckpointListener(new Checkpoints(runDir), net, opt, 0, false));
    Trainer trainer =
        new Trainer(
            task,
            loader,
            schedule,
            Optional.empty(),
            new Evaluator(new dev.imgclass.train.models.TorchClassifier(net, precision), 256),
            listeners);
    for (int i = 0; i < 5; i++) inner.step(batch, 0.01); // warm-up, not counted
    long t1 = System.nanoTime();
    trainer.fit(TrainState.start(cfg, precision.label(), data.fingerprint()), epochs);
    double loopSeconds = (System.nanoTime() - t1) / 1e9;
    return new Result(steps, inStep[0] / 1e9, loopSeconds);
  }
}
