package dev.imgclass.runtime;

import dev.imgclass.core.ImgclassException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How {@link Classifiers#open} opens a model, whatever runs it.
 *
 * @param threads intra-op threads (0: all cores)
 * @param provider ONNX Runtime execution provider: {@code cpu}, {@code cuda} or {@code tensorrt}
 * @param precision libtorch models: {@code fp32}, {@code bf16} or {@code auto} (bf16 where the CPU
 *     has it)
 * @param classes class names for an ONNX file without imgclass metadata
 * @param mean per-channel mean of [0, 1] pixels, for an ONNX file without imgclass metadata
 * @param std per-channel standard deviation, for an ONNX file without imgclass metadata
 */
public record OpenOptions(
    int threads,
    String provider,
    String precision,
    Optional<List<String>> classes,
    Optional<List<Double>> mean,
    Optional<List<Double>> std) {
  public static final List<String> PRECISIONS = List.of("fp32", "bf16", "auto");

  public OpenOptions {
    // threads and provider are checked (and the provider normalised) by the ONNX part's own rules
    provider = new OnnxOptions(threads, provider, classes, mean, std).provider();
    precision = precision.toLowerCase(Locale.ROOT);
    if (!PRECISIONS.contains(precision))
      throw new ImgclassException("unknown precision '" + precision + "': use fp32, bf16 or auto");
  }

  /** All cores, CPU, FP32, preprocessing from the model's own metadata. */
  public static OpenOptions defaults() {
    return new OpenOptions(0, "cpu", "fp32", Optional.empty(), Optional.empty(), Optional.empty());
  }

  public OpenOptions withThreads(int n) {
    return new OpenOptions(n, provider, precision, classes, mean, std);
  }

  public OpenOptions withProvider(String p) {
    return new OpenOptions(threads, p, precision, classes, mean, std);
  }

  public OpenOptions withPrecision(String p) {
    return new OpenOptions(threads, provider, p, classes, mean, std);
  }

  /** Preprocessing for an ONNX file that carries no imgclass metadata. */
  public OpenOptions withPreprocessing(List<String> names, List<Double> m, List<Double> s) {
    return new OpenOptions(
        threads,
        provider,
        precision,
        Optional.ofNullable(names),
        Optional.ofNullable(m),
        Optional.ofNullable(s));
  }

  /** The ONNX Runtime part of these options. */
  public OnnxOptions onnx() {
    return new OnnxOptions(threads, provider, classes, mean, std);
  }
}
