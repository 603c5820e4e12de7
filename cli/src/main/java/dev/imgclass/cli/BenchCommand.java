package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.NativeAllocator;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.TorchClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code imgclass bench}: inference latency and throughput per backend and batch size, after
 * warm-up, from the median of repeated timed runs (model only: inputs are prepared up front).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure inference latency (p50/p99) and img/s per backend and batch size.")
final class BenchCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();

  @Option(
      names = "--backend",
      split = ",",
      description =
          "torch, torch-bf16, onnx (default: torch,onnx for a run directory, onnx for a file).")
  List<String> backends;

  @Option(
      names = {"--batch-size", "--batch"},
      split = ",",
      defaultValue = "1,8,64",
      description = "Batch sizes, comma-separated (default: 1,8,64; --batch is the old name).")
  List<Integer> batches;

  @Option(
      names = "--iters",
      defaultValue = "50",
      description = "Timed runs per batch size (default: 50).")
  int iters;

  @Option(
      names = "--warmup",
      defaultValue = "10",
      description = "Untimed runs first (default: 10).")
  int warmup;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  private Path tmpOnnx; // a run directory benchmarked on ONNX Runtime is exported here first

  @Override
  public Integer call() throws Exception {
    if (iters < 1 || warmup < 0)
      throw new ImgclassException("--iters must be >= 1 and --warmup >= 0");
    for (int b : batches)
      if (b < 1) throw new ImgclassException("batch sizes must be >= 1, got " + b);
    boolean onnxFile = model.isOnnx();
    if (backends == null) backends = onnxFile ? List.of("onnx") : List.of("torch", "onnx");
    List<Map<String, Object>> rows = new ArrayList<>();
    try {
      for (String backend : backends) {
        try (Classifier c = open(backend, onnxFile)) {
          for (int b : batches) rows.add(measure(backend, c, b));
        }
      }
    } finally {
      if (tmpOnnx != null) Files.deleteIfExists(tmpOnnx);
    }
    // libtorch's speed depends on how its memory is allocated: say how, with every result
    boolean torch = backends.stream().anyMatch(b -> b.startsWith("torch"));
    String allocator = torch ? NativeAllocator.state() : "not used (ONNX Runtime's own arena)";
    boolean channelsLast = Engine.channelsLast();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("model", model.model.toString());
      doc.put("threads", model.flags.threads);
      doc.put("native_allocator", allocator);
      if (torch) doc.put("channels_last", channelsLast);
      doc.put("results", rows);
      System.out.println(Json.write(doc));
    } else {
      if (torch) {
        System.out.println("native allocator: " + allocator);
        System.out.println("memory layout: " + (channelsLast ? "channels-last" : "NCHW"));
      }
      System.out.printf("%-11s %6s %9s %9s %9s%n", "backend", "batch", "p50 ms", "p99 ms", "img/s");
      for (Map<String, Object> r : rows) {
        System.out.printf(
            "%-11s %6d %9.3f %9.3f %9.0f%n",
            r.get("backend"), r.get("batch"), r.get("p50_ms"), r.get("p99_ms"), r.get("img_per_s"));
      }
    }
    return 0;
  }

  private Net net; // the run's model, read once for every backend that needs it

  private Net net() {
    if (net == null) net = ModelOptions.loadRun(model.model);
    return net;
  }

  private Classifier open(String backend, boolean onnxFile) throws Exception {
    switch (backend) {
      case "torch", "torch-bf16" -> {
        if (onnxFile)
          throw new ImgclassException(
              "backend " + backend + " needs a run directory, not an .onnx file");
        Engine.threads(model.flags.threads);
        return new TorchClassifier(
            net(), backend.equals("torch") ? Precision.FP32 : Precision.BF16);
      }
      case "onnx" -> {
        if (onnxFile) return model.open(); // ONNX Runtime with the shared flags, no libtorch
        if (tmpOnnx != null) Files.deleteIfExists(tmpOnnx);
        tmpOnnx = Files.createTempFile("imgclass-bench", ".onnx");
        OnnxExporter.export(net(), Map.of(), tmpOnnx);
        return Classifiers.open(tmpOnnx, model.flags.options());
      }
      default ->
          throw new ImgclassException(
              "unknown backend '" + backend + "': use torch, torch-bf16 or onnx");
    }
  }

  private Map<String, Object> measure(String backend, Classifier c, int batch) {
    int len = c.spec().inChannels() * c.spec().inputSize() * c.spec().inputSize();
    float[] x = new float[batch * len];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    for (int i = 0; i < warmup; i++) c.logits(x, batch);
    double[] ms = new double[iters];
    for (int i = 0; i < iters; i++) {
      long t0 = System.nanoTime();
      c.logits(x, batch);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    double p50 = ms[(iters - 1) / 2];
    double p99 = ms[Math.min(iters - 1, (int) Math.ceil(0.99 * iters) - 1)];
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("backend", backend);
    row.put("batch", batch);
    row.put("p50_ms", p50);
    row.put("p99_ms", p99);
    row.put("img_per_s", batch * 1000.0 / p50);
    row.put("iters", iters);
    return row;
  }
}
