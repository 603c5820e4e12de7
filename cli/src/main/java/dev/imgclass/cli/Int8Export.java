package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.data.DataSources;
import dev.imgclass.train.data.DataSplits;
import dev.imgclass.train.data.Dataset;
import dev.imgclass.train.data.Splits;
import dev.imgclass.train.export.QdqQuantizer;
import dev.imgclass.train.models.Net;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The INT8 half of {@code imgclass export}: calibrates on training images, writes the QDQ model,
 * and reports what quantization cost on the data's test split (accuracy, top-1 agreement, size).
 */
final class Int8Export {
  private Int8Export() {}

  static void run(
      Net net, Path fp32, Path out, String data, int size, QdqQuantizer.Method method, int threads)
      throws IOException {
    DataSplits splits = DataSources.open(data, DataSources.Load.of(net.spec()));
    EvalCommand.checkClasses(net.spec().classes(), splits.train().classes());
    Dataset calib = Splits.limit(splits.train(), size, 17);
    Preprocessor pre = new Preprocessor(net.spec());
    float[] x = new float[calib.size() * pre.inputLength()];
    for (int i = 0; i < calib.size(); i++)
      pre.normalizeInto(pre.toInputSize(calib.image(i)), x, i * pre.inputLength());
    byte[] q = QdqQuantizer.quantize(Files.readAllBytes(fp32), x, calib.size(), method, threads);
    AtomicFiles.write(out, q);
    System.out.printf(
        "wrote %s (%.2f MB, %.1fx smaller; calibrated on %d training images, %s ranges)%n",
        out,
        q.length / 1e6,
        (double) Files.size(fp32) / q.length,
        calib.size(),
        method.name().toLowerCase(java.util.Locale.ROOT));
    Optional<Dataset> test = splits.test();
    if (test.isEmpty()) return;
    try (OnnxClassifier a = OnnxClassifier.open(fp32, OnnxOptions.cpu(threads));
        OnnxClassifier b = OnnxClassifier.open(out, OnnxOptions.cpu(threads))) {
      Dataset t = test.get();
      int rightA = 0;
      int rightB = 0;
      int agree = 0;
      for (int start = 0; start < t.size(); start += 256) {
        int n = Math.min(256, t.size() - start);
        java.util.List<dev.imgclass.core.ImageU8> imgs = new java.util.ArrayList<>(n);
        for (int j = 0; j < n; j++) imgs.add(t.image(start + j));
        float[][] pa = a.probabilities(imgs);
        float[][] pb = b.probabilities(imgs);
        for (int j = 0; j < n; j++) {
          int ya = EvalReport.argmax(pa[j]);
          int yb = EvalReport.argmax(pb[j]);
          rightA += ya == t.label(start + j) ? 1 : 0;
          rightB += yb == t.label(start + j) ? 1 : 0;
          agree += ya == yb ? 1 : 0;
        }
      }
      double n = t.size();
      System.out.printf(
          "test split (%d images): FP32 top-1 %.2f%%, INT8 top-1 %.2f%% (%+.2f pt), top-1 agreement %.2f%%%n",
          t.size(),
          100 * rightA / n,
          100 * rightB / n,
          100 * (rightB - rightA) / n,
          100 * agree / n);
    }
  }
}
