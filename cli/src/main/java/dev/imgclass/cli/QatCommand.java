package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.train.compress.QatRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass qat}: quantization-aware training of a run directory into a QDQ INT8 ONNX file
 * ({@link QatRun}); {@code qat.json} compares it with FP32 and with PTQ on the test split.
 */
@Command(
    name = "qat",
    mixinStandardHelpOptions = true,
    description =
        "Quantization-aware training: fine-tune a trained model through fake INT8 quantizers"
            + " (placed where 'export --int8' quantizes), then write the INT8 ONNX file with the"
            + " learned ranges, and qat.json comparing it on the test split with FP32 and with"
            + " post-training quantization.")
final class QatCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      description = "Run directory to start from (unchanged); not an .onnx file.")
  Path model;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      paramLabel = "N",
      description = "Epochs of training through the fake quantizers (default: 1).")
  int epochs;

  @Option(
      names = "--lr",
      defaultValue = "" + QatRun.LR,
      description = "Peak learning rate, SGD with momentum, cosine to 0 (default: 0.001).")
  double lr;

  @Option(
      names = "--calibration-method",
      defaultValue = "percentile",
      description =
          "How the initial activation ranges are calibrated: minmax, percentile or entropy"
              + " (default: percentile).")
  String calibrationMethod;

  @Option(
      names = "--calibration-size",
      defaultValue = "512",
      description = "Calibration images (default: 512).")
  int calibrationSize;

  @Option(
      names = "--weight-bits",
      defaultValue = "8",
      paramLabel = "7|8",
      description = Int8Export.WEIGHT_BITS_HELP)
  int weightBits;

  @Option(
      names = "--observer",
      defaultValue = "ema",
      description =
          "How activation ranges move: ema (moving average of batch min/max for the first half"
              + " of the steps, then frozen) or fixed (the calibrated ranges throughout)"
              + " (default: ema).")
  String observer;

  @Option(
      names = "--data",
      description =
          "Data to train and measure on (default: the data the run was trained on, if it records"
              + " it): "
              + DataHelp.FORMS)
  String data;

  @Option(names = "--threads", defaultValue = "0", description = "Threads (default: all cores).")
  int threads;

  @Option(
      names = "--out",
      required = true,
      description = "New directory (absent or empty) for model.int8.onnx and qat.json.")
  Path out;

  @Option(names = "--json", description = "Print qat.json's contents as one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (threads < 0) throw new ImgclassException("--threads must be >= 0, got " + threads);
    if (epochs < 1) throw new ImgclassException("--epochs must be at least 1, got " + epochs);
    PrintStream log = json ? System.err : System.out; // stdout holds the JSON document only
    Int8Export.noteWeightBits(weightBits, log);
    Map<String, Object> report =
        QatRun.run(
            new QatRun.Options(
                model,
                epochs,
                lr,
                QdqQuantizer.Method.parse(calibrationMethod),
                QatRun.Observer.parse(observer),
                calibrationSize,
                weightBits,
                Optional.ofNullable(data),
                threads,
                out),
            log);
    if (json) System.out.println(Json.write(report));
    return Main.OK;
  }
}
