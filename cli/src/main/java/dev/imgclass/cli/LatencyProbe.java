package dev.imgclass.cli;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How fast one registered model runs here, for {@code imgclass advise}: built with fresh seeded
 * weights at the data's shape and class count, exported to ONNX FP32 and quantized to INT8 (QDQ,
 * calibrated on a few of the data's images) in a temporary folder, and timed in ONNX Runtime at
 * batch 1 and batch 64. Weights do not change the time, so none are trained; mean and std are fixed
 * for the same reason. A stage that fails is recorded with its reason, never thrown.
 *
 * @param threads ONNX Runtime intra-op threads (0: all cores)
 * @param seconds time budget of each of the four measurements
 * @param calibration images the INT8 activation ranges are calibrated on
 */
record LatencyProbe(int threads, double seconds, int calibration) {
  static final List<String> PRECISIONS = List.of("fp32", "int8");
  static final int THROUGHPUT_BATCH = 64;
  static final long SEED = 0; // the fresh weights' seed: the same graph on every run

  /** Parameters and multiply-accumulates per image at the measured input. */
  record Size(long params, long macs) {}

  /** One precision's timings, and the size of its ONNX file. */
  record Speed(Timing batch1, Timing batch64, long fileBytes) {}

  /**
   * What was measured of one model: its size (empty when it could not be built), the speed of each
   * precision that ran, and the reason for each that did not.
   */
  record Result(
      String model,
      ModelSpec spec,
      Optional<Size> size,
      Map<String, Speed> speeds,
      Map<String, String> failed) {}

  /**
   * Measures {@code model} on {@code images} (readable images of the data, at least one, at its
   * channels and input size; reused in turn to fill a batch).
   */
  Result measure(String model, List<String> classes, List<ImageU8> images, Path tmp) {
    ImageU8 first = images.get(0);
    ModelSpec spec =
        new ModelSpec(
            model,
            classes,
            first.channels(),
            first.height(),
            Collections.nCopies(first.channels(), 0.5),
            Collections.nCopies(first.channels(), 0.25));
    Map<String, Speed> speeds = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Optional<Size> size = Optional.empty();
    byte[] fp32;
    float[] batch;
    float[] calib;
    int n = Math.min(calibration, images.size());
    try {
      Net net = ModelRegistry.create(spec, SEED);
      size = Optional.of(new Size(net.paramCount(), net.macs()));
      fp32 = OnnxExporter.toBytes(net, Map.of("purpose", "imgclass advise timing, fresh weights"));
      batch = inputs(spec, images, THROUGHPUT_BATCH);
      calib = inputs(spec, images.subList(0, n), n);
    } catch (RuntimeException e) {
      for (String p : PRECISIONS) failed.put(p, "export failed: " + reason(e));
      return new Result(model, spec, size, speeds, failed);
    }
    time("fp32", () -> fp32, tmp.resolve(model + ".onnx"), batch, speeds, failed);
    time(
        "int8",
        () -> QdqQuantizer.quantize(fp32, calib, n, QdqQuantizer.Method.PERCENTILE, threads),
        tmp.resolve(model + ".int8.onnx"),
        batch,
        speeds,
        failed);
    return new Result(model, spec, size, speeds, failed);
  }

  /** Makes a precision's graph, writes it to {@code file} and times it; records why it failed. */
  private void time(
      String precision,
      Supplier<byte[]> graph,
      Path file,
      float[] batch,
      Map<String, Speed> speeds,
      Map<String, String> failed) {
    String stage = precision.equals("int8") ? "quantization" : "export";
    try {
      byte[] bytes = graph.get();
      Files.write(file, bytes);
      stage = "ONNX Runtime";
      int len = batch.length / THROUGHPUT_BATCH;
      try (OnnxClassifier c = OnnxClassifier.open(file, OnnxOptions.cpu(threads))) {
        Timing one = Timing.measure(c, Arrays.copyOf(batch, len), 1, seconds);
        Timing many = Timing.measure(c, batch, THROUGHPUT_BATCH, seconds);
        speeds.put(precision, new Speed(one, many, bytes.length));
      }
    } catch (IOException | RuntimeException e) {
      failed.put(precision, stage + " failed: " + reason(e));
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temporary file; its folder is removed at the end
      }
    }
  }

  /** {@code n} inputs laid out (n, C, S, S), the images taken in turn. */
  private static float[] inputs(ModelSpec spec, List<ImageU8> images, int n) {
    Preprocessor pre = new Preprocessor(spec);
    int len = pre.inputLength();
    float[] x = new float[n * len];
    for (int i = 0; i < n; i++) pre.normalizeInto(images.get(i % images.size()), x, i * len);
    return x;
  }

  private static String reason(Exception e) {
    String m = e instanceof ImgclassException ? e.getMessage() : e.toString();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
