package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.Splits;
import dev.imgclass.train.training.LoopBench;
import dev.imgclass.train.training.SpeedProbe;
import dev.imgclass.train.training.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass bench-train} (hidden; used by bench/train_throughput.sh): training throughput of
 * the bare step on random data, and the cost of the full loop on real data.
 */
@Command(
    name = "bench-train",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "Measure training throughput (for bench/).")
final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--precision", defaultValue = "fp32")
  String precision;

  @Option(names = "--threads", defaultValue = "2")
  int threads;

  @Option(
      names = "--steps",
      defaultValue = "60",
      description = "Timed steps of the bare measurement.")
  int steps;

  @Option(
      names = "--loop",
      description = "Also measure the full loop on Fashion-MNIST (this many images, 2 epochs).")
  Integer loopImages;

  @Override
  public Integer call() throws Exception {
    TrainConfig.Builder b = TrainConfig.builder();
    b.threads = threads;
    b.precision = precision;
    TrainConfig cfg = b.build();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("system", "imgclass");
    row.put("engine", "libtorch 2.10.0 (JavaCPP 1.5.13)");
    row.put("threads", threads);
    row.put("precision", precision);
    row.put("channels_last", dev.imgclass.train.engine.Engine.channelsLast());
    row.put("kind", "train");
    row.put("batch", cfg.batchSize());
    SpeedProbe.Speed speed = SpeedProbe.measure(cfg, 1, 28, 10, steps);
    row.put("native_allocator", dev.imgclass.train.engine.NativeAllocator.state());
    row.put("img_per_s", speed.meanImagesPerSecond());
    row.put("median_ms", speed.medianStepMs());
    row.put("steps", steps);
    System.out.println(Json.line(row));
    if (loopImages != null) {
      Dataset data = Splits.limit(DataSources.open("fashion-mnist").train(), loopImages, 1);
      Path dir = Files.createTempDirectory("imgclass-loop");
      LoopBench.Result r = LoopBench.run(cfg, data, 2, dir);
      Map<String, Object> loop = new LinkedHashMap<>();
      loop.put("system", "imgclass");
      loop.put("threads", threads);
      loop.put("precision", precision);
      loop.put("channels_last", dev.imgclass.train.engine.Engine.channelsLast());
      loop.put("kind", "loop-overhead");
      loop.put("steps", r.steps());
      loop.put("step_seconds", r.stepSeconds());
      loop.put("loop_seconds", r.loopSeconds());
      loop.put("overhead", r.overhead());
      System.out.println(Json.line(loop));
    }
    return 0;
  }
}
