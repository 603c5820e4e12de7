package dev.imgclass.train.training;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Measures training steps per second of a configuration on this machine, on random data with a
 * throw-away model: used to size a recipe to a time budget.
 */
public final class SpeedProbe {
  private SpeedProbe() {}

  /** Training images per second over {@code steps} timed steps after 3 warm-up steps. */
  public static double imagesPerSecond(
      TrainConfig cfg, int channels, int size, int classes, int steps) {
    return measure(cfg, channels, size, classes, steps).meanImagesPerSecond();
  }

  /**
   * Step times of {@code steps} timed steps.
   *
   * @param meanImagesPerSecond images over total time
   * @param medianImagesPerSecond batch size over the median step time: robust to bursts of load
   *     from other processes on a shared machine
   */
  public record Speed(
      double meanImagesPerSecond, double medianImagesPerSecond, double medianStepMs) {}

  public static Speed measure(TrainConfig cfg, int channels, int size, int classes, int steps) {
    Engine.threads(cfg.threads());
    List<Double> half = IntStream.range(0, channels).mapToObj(i -> 0.5).toList();
    ModelSpec spec =
        new ModelSpec(
            cfg.model(),
            IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
            channels,
            size,
            half,
            half);
    Net net = ModelRegistry.create(spec, cfg.seed());
    Optimizer opt = Optimizer.create(cfg, net.params());
    ClassificationTask task =
        new ClassificationTask(
            net,
            opt,
            new Loss(cfg.labelSmoothing(), classes),
            Precision.parse(cfg.precision()),
            cfg.gradClip());
    SplittableRandom rng = new SplittableRandom(1);
    float[] x = new float[cfg.batchSize() * channels * size * size];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    long[] y = new long[cfg.batchSize()];
    for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(classes);
    Batch batch = new Batch(x, y, cfg.batchSize(), 1);
    for (int i = 0; i < 3; i++) task.step(batch, 1e-3);
    double[] ms = new double[steps];
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      long s0 = System.nanoTime();
      task.step(batch, 1e-3);
      ms[i] = (System.nanoTime() - s0) / 1e6;
    }
    double total = (System.nanoTime() - t0) / 1e9;
    java.util.Arrays.sort(ms);
    double median = steps % 2 == 1 ? ms[steps / 2] : (ms[steps / 2 - 1] + ms[steps / 2]) / 2;
    return new Speed(steps * cfg.batchSize() / total, cfg.batchSize() / (median / 1e3), median);
  }
}
