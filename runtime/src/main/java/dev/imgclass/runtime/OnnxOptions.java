package dev.imgclass.runtime;

import dev.imgclass.core.ImgclassException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to open an ONNX model.
 *
 * @param threads intra-op threads (0: ONNX Runtime's default, all cores)
 * @param provider {@code cpu}, {@code cuda} or {@code tensorrt}
 * @param classes class names for a file without imgclass metadata
 * @param mean per-channel mean for a file without imgclass metadata
 * @param std per-channel std for a file without imgclass metadata
 */
public record OnnxOptions(
    int threads,
    String provider,
    Optional<List<String>> classes,
    Optional<List<Double>> mean,
    Optional<List<Double>> std) {
  public static final List<String> PROVIDERS = List.of("cpu", "cuda", "tensorrt");

  public OnnxOptions {
    provider = provider.toLowerCase(Locale.ROOT);
    if (!PROVIDERS.contains(provider)) {
      throw new ImgclassException(
          "unknown execution provider '" + provider + "': use cpu, cuda or tensorrt");
    }
    if (threads < 0) throw new ImgclassException("threads must be >= 0, got " + threads);
  }

  public OnnxOptions withProvider(String p) {
    return new OnnxOptions(threads, p, classes, mean, std);
  }

  public static OnnxOptions cpu(int threads) {
    return new OnnxOptions(threads, "cpu", Optional.empty(), Optional.empty(), Optional.empty());
  }
}
