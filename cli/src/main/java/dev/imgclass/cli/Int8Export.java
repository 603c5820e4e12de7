package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.CpuFlags;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.CalibrationImages;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The INT8 half of {@code imgclass export}: calibrates on training images, writes the QDQ model,
 * and reports what quantization cost on the data's test split (accuracy, top-1 agreement, size).
 * Engine-free: it reads the FP32 ONNX file and runs ONNX Runtime only.
 */
final class Int8Export {
  private Int8Export() {}

  /** The help of every {@code --weight-bits} option. */
  static final String WEIGHT_BITS_HELP =
      "Weight integers in [-127, 127] (8, default) or [-63, 63] (7). Use 7 for CPUs without VNNI"
          + " (AVX2 only), where ONNX Runtime's u8s8 kernels saturate with 8-bit weights"
          + " (docs/COMPRESSION.md).";

  /**
   * Checks {@code --weight-bits} and, for 8 on a CPU without VNNI, says in one line that results
   * measured here are off the exact integer ones and what avoids it.
   */
  static void noteWeightBits(int bits, PrintStream log) {
    QdqQuantizer.weightMax(bits);
    if (bits == 8 && !CpuFlags.vnni())
      log.println(
          "note: this CPU has no VNNI: ONNX Runtime's INT8 convolutions here add u8×s8 products in"
              + " saturating int16, so INT8 accuracy measured here can be lower than on a VNNI"
              + " CPU; --weight-bits 7 avoids the overflow");
  }

  /** Writes the INT8 model; prints to {@code log} and returns the numbers for {@code --json}. */
  static Map<String, Object> run(
      ModelSpec spec,
      Path fp32,
      Path out,
      String data,
      int size,
      QdqQuantizer.Method method,
      int weightBits,
      int threads,
      PrintStream log)
      throws IOException {
    Map<String, Object> result = new LinkedHashMap<>();
    DataSplits splits = DataSources.open(data, DataSources.Load.of(spec));
    EvalCommand.checkClasses(spec.classes(), splits.train().classes());
    Preprocessor pre = new Preprocessor(spec);
    float[] x =
        CalibrationImages.load(
            splits.train(), spec, size, m -> System.err.println("skipped: " + m));
    int used = x.length / pre.inputLength();
    if (used == 0) throw new ImgclassException("no readable calibration images in " + data);
    byte[] q =
        QdqQuantizer.quantize(Files.readAllBytes(fp32), x, used, method, threads, weightBits);
    // the file must load in ONNX Runtime before it replaces a previous one
    AtomicFiles.write(out, q, f -> OnnxClassifier.open(f, OnnxOptions.cpu(threads)).close());
    result.put("file", out.toString());
    result.put("bytes", q.length);
    result.put("calibration_images", used);
    result.put("calibration_method", method.name().toLowerCase(java.util.Locale.ROOT));
    result.put("weight_bits", weightBits);
    log.printf(
        "wrote %s (%.2f MB, %.1fx smaller; calibrated on %d training images, %s ranges%s)%n",
        out,
        q.length / 1e6,
        (double) Files.size(fp32) / q.length,
        used,
        method.name().toLowerCase(java.util.Locale.ROOT),
        weightBits == 8 ? "" : ", " + weightBits + "-bit weights");
    Optional<Dataset> test = splits.test();
    if (test.isEmpty()) return result;
    try (OnnxClassifier a = OnnxClassifier.open(fp32, OnnxOptions.cpu(threads));
        OnnxClassifier b = OnnxClassifier.open(out, OnnxOptions.cpu(threads))) {
      Dataset t = test.get();
      Evaluator.Predictions pa = new Evaluator(a, 256).predict(t);
      Evaluator.Predictions pb = new Evaluator(b, 256).predict(t);
      int[] ya = pa.predicted();
      int[] yb = pb.predicted();
      int rightA = 0;
      int rightB = 0;
      int agree = 0;
      for (int j = 0; j < ya.length; j++) {
        rightA += ya[j] == pa.labels()[j] ? 1 : 0;
        rightB += yb[j] == pa.labels()[j] ? 1 : 0;
        agree += ya[j] == yb[j] ? 1 : 0;
      }
      double n = ya.length;
      result.put("test_images", ya.length);
      result.put("fp32_top1", rightA / n);
      result.put("int8_top1", rightB / n);
      result.put("top1_agreement", agree / n);
      log.printf(
          "test split (%d images%s): FP32 top-1 %.2f%%, INT8 top-1 %.2f%% (%+.2f pt), top-1 agreement %.2f%%%n",
          ya.length,
          pa.skipped().isEmpty() ? "" : ", " + pa.skipped().size() + " unreadable skipped",
          100 * rightA / n,
          100 * rightB / n,
          100 * (rightB - rightA) / n,
          100 * agree / n);
    }
    return result;
  }
}
