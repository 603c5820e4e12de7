package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.eval.Parity;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.export.SafetensorsExporter;
import dev.imgclass.train.export.TorchvisionModel;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.TorchClassifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass export}: writes the run's model as ONNX and refuses to leave a file behind that
 * disagrees with the trained model (logits compared on 64 inputs); or, with {@code --format
 * safetensors}, writes its weights as a torchvision state_dict ({@link SafetensorsExporter}). The
 * graph is written to a temporary file beside the target and checked there; only a file that passes
 * replaces the target, so a failed export leaves a previous model untouched.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Export a trained model to ONNX (opset 17), checked for parity with libtorch, or its"
            + " weights to safetensors for torchvision.")
final class ExportCommand implements Callable<Integer> {
  static final double PARITY_LIMIT = 1e-3;

  /** The limit the parity check applies; tests lower it below zero to make the check fail. */
  static volatile double parityLimit = PARITY_LIMIT;

  @Option(
      names = "--model",
      required = true,
      description =
          "Run directory; or an .onnx file to quantize with --int8 (ONNX Runtime only, no"
              + " libtorch).")
  Path model;

  @Option(
      names = "--format",
      defaultValue = "onnx",
      description =
          "onnx (default), or safetensors: the weights as a torchvision state_dict for"
              + " torchvision.models.<arch>(num_classes=K), strict load (resnet18/34/50,"
              + " mobilenetv3_*).")
  String format;

  @Option(
      names = "--out",
      description =
          "Output file (default: RUN/model.onnx, RUN/model.int8.onnx with --int8, RUN/model.safetensors"
              + " with --format safetensors). With --int8,"
              + " --out names the INT8 file and only that file is written: the FP32 model it is"
              + " quantized from is a temporary file beside it, deleted afterwards.")
  Path out;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Threads for the parity check (default: all cores).")
  int threads;

  @Option(
      names = "--int8",
      description =
          "Also write an INT8 (QDQ) model, RUN/model.int8.onnx (or --out), calibrated on"
              + " --calibration.")
  boolean int8;

  @Option(
      names = "--calibration",
      description = "Data to calibrate INT8 activation ranges on (its training split).")
  String calibration;

  @Option(
      names = "--calibration-size",
      defaultValue = "512",
      description = "Calibration images (default: 512).")
  int calibrationSize;

  @Option(
      names = "--calibration-method",
      defaultValue = "percentile",
      description =
          "How INT8 activation ranges are chosen: minmax, percentile (0.01/99.99th) or entropy"
              + " (least KL divergence, as TensorRT) (default: percentile).")
  String calibrationMethod;

  @Option(
      names = "--weight-bits",
      defaultValue = "8",
      paramLabel = "7|8",
      description = Int8Export.WEIGHT_BITS_HELP)
  int weightBits;

  @Option(
      names = "--json",
      description = "Print the files written and their checks as one JSON document.")
  boolean json;

  /** What was written, for --json; human-readable lines go to stderr then. */
  private final Map<String, Object> result = new LinkedHashMap<>();

  private PrintStream log() {
    return json ? System.err : System.out;
  }

  @Override
  public Integer call() throws IOException {
    int code = export();
    if (json) System.out.println(Json.write(result));
    return code;
  }

  private int export() throws IOException {
    if (!format.equals("onnx") && !format.equals("safetensors"))
      throw new ImgclassException("unknown --format '" + format + "': choose onnx or safetensors");
    if (format.equals("safetensors")) return exportSafetensors();
    if (int8 && calibration == null) {
      throw new ImgclassException(
          "--int8 needs --calibration DATA: images to measure activation ranges on");
    }
    if (calibrationSize < 1)
      throw new ImgclassException("--calibration-size must be at least 1, got " + calibrationSize);
    QdqQuantizer.Method method = QdqQuantizer.Method.parse(calibrationMethod);
    if (int8) Int8Export.noteWeightBits(weightBits, log());
    else if (weightBits != 8) throw new ImgclassException("--weight-bits applies to --int8 only");
    if (Classifiers.isOnnx(model)) return quantizeOnnxFile(method);
    Engine.threads(threads);
    Net net = ModelOptions.loadRun(model);
    Map<String, Object> provenance = new LinkedHashMap<>(ModelCard.read(model).provenance());
    provenance.put("exported", Instant.now().toString());
    if (!int8) {
      Path fp32 = out != null ? out : model.resolve("model.onnx");
      writeChecked(net, provenance, fp32);
      return 0;
    }
    if (out == null) { // both files in the run
      Path fp32 = model.resolve("model.onnx");
      writeChecked(net, provenance, fp32);
      result.put(
          "int8",
          Int8Export.run(
              net.spec(),
              fp32,
              model.resolve("model.int8.onnx"),
              calibration,
              calibrationSize,
              method,
              weightBits,
              threads,
              log()));
      return 0;
    }
    // --out names the INT8 file; the FP32 model it is made from is a temporary file beside it
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path fp32 = Files.createTempFile(dir, "." + out.getFileName(), ".fp32.tmp");
    try {
      Files.write(fp32, OnnxExporter.toBytes(net, provenance));
      double diff = parity(net, fp32);
      log().printf("parity with libtorch on 64 inputs: max |Δ logit| = %.2e%n", diff);
      result.put("parity_max_abs_diff", diff);
      result.put(
          "int8",
          Int8Export.run(
              net.spec(),
              fp32,
              out,
              calibration,
              calibrationSize,
              method,
              weightBits,
              threads,
              log()));
    } finally {
      AtomicFiles.deleteQuietly(fp32);
    }
    return 0;
  }

  /**
   * {@code --format safetensors}: the run's weights as a torchvision state_dict. The architecture
   * is checked against torchvision before any weights are loaded.
   */
  private int exportSafetensors() {
    if (int8) throw new ImgclassException("--int8 applies to --format onnx only");
    if (Classifiers.isOnnx(model)) {
      throw new ImgclassException(
          "--format safetensors needs a run directory written by 'imgclass train', not the ONNX"
              + " file "
              + model);
    }
    if (!Files.isDirectory(model)) {
      throw new ImgclassException(
          "model not found: " + model + " (pass a run directory written by 'imgclass train')");
    }
    ModelCard card = ModelCard.read(model);
    TorchvisionModel.require(card.spec().architecture());
    if (card.spec().pruned())
      throw new ImgclassException(
          model
              + " is a pruned "
              + card.spec().architecture()
              + ": torchvision builds only the standard widths, so its weights cannot load there"
              + " (ONNX export works)");
    Net net = ModelOptions.loadRun(model);
    Map<String, Object> provenance = new LinkedHashMap<>(card.provenance());
    provenance.put("exported", Instant.now().toString());
    Path target = out != null ? out : model.resolve("model.safetensors");
    SafetensorsExporter.Result r = SafetensorsExporter.export(net, provenance, target);
    for (String w : r.warnings()) System.err.println("warning: " + w);
    log()
        .printf(
            "wrote %s (%.2f MB, %d tensors: F32, num_batches_tracked I64; metadata format=pt and"
                + " the model card)%n",
            target, r.bytes() / 1e6, r.tensors());
    for (String n : r.notes()) log().println("note: " + n);
    log()
        .printf(
            "load with: model = %s; model.load_state_dict(safetensors.torch.load_file(\"%s\"),"
                + " strict=True)%n",
            r.torchvision(), target);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("file", target.toString());
    s.put("bytes", r.bytes());
    s.put("tensors", r.tensors());
    s.put("torchvision", r.torchvision());
    s.put("notes", r.notes());
    s.put("warnings", r.warnings());
    result.put("safetensors", s);
    return 0;
  }

  /**
   * {@code --model FILE.onnx --int8}: quantizes an exported file as it is, with ONNX Runtime only
   * (no libtorch is loaded); the INT8 file goes to {@code --out}, else beside it as {@code
   * NAME.int8.onnx}.
   */
  private int quantizeOnnxFile(QdqQuantizer.Method method) throws IOException {
    if (!int8) {
      throw new ImgclassException(
          model
              + " is already an ONNX file: pass --int8 --calibration DATA to quantize it, or a run"
              + " directory to export");
    }
    if (!Files.isRegularFile(model)) throw new ImgclassException("model not found: " + model);
    ModelSpec spec;
    try (OnnxClassifier c = OnnxClassifier.open(model, OnnxOptions.cpu(threads))) {
      spec = c.spec();
    }
    String name = model.getFileName().toString().replaceAll("(?i)\\.onnx$", "");
    Path target = out != null ? out : model.resolveSibling(name + ".int8.onnx");
    if (target.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize()))
      throw new ImgclassException("--out must differ from the FP32 file " + model);
    result.put(
        "int8",
        Int8Export.run(
            spec, model, target, calibration, calibrationSize, method, weightBits, threads, log()));
    return 0;
  }

  /** Exports to {@code target} through a temporary file that must pass the parity check first. */
  private void writeChecked(Net net, Map<String, Object> provenance, Path target)
      throws IOException {
    double[] diff = new double[1];
    OnnxExporter.export(net, provenance, target, f -> diff[0] = parity(net, f));
    result.put(
        "onnx",
        Map.of(
            "file",
            target.toString(),
            "bytes",
            Files.size(target),
            "parity_max_abs_diff",
            diff[0]));
    log()
        .printf(
            "wrote %s (%.2f MB, ONNX opset %d, input '%s' [batch, %d, %d, %d], output '%s' [batch, %d])%n",
            target,
            Files.size(target) / 1e6,
            OnnxMetadata.OPSET,
            OnnxMetadata.INPUT,
            net.spec().inChannels(),
            net.spec().inputSize(),
            net.spec().inputSize(),
            OnnxMetadata.OUTPUT,
            net.spec().numClasses());
    log().printf("parity with libtorch on 64 inputs: max |Δ logit| = %.2e%n", diff[0]);
  }

  /** The largest logit difference between {@code net} and the ONNX file; refuses a bad file. */
  private double parity(Net net, Path onnxFile) {
    return checkedParity(net, onnxFile, threads);
  }

  /**
   * The largest logit difference between {@code net} and the ONNX file on 64 seeded inputs; refuses
   * a file beyond the parity limit, so an export that uses it as its check writes nothing.
   */
  static double checkedParity(Net net, Path onnxFile, int threads) {
    double diff;
    try (TorchClassifier torch = new TorchClassifier(net, Precision.FP32);
        OnnxClassifier onnx = OnnxClassifier.open(onnxFile, OnnxOptions.cpu(threads))) {
      diff = Parity.maxAbsDiff(torch, onnx, 64, 7);
    }
    if (!(diff <= parityLimit)) {
      throw new ImgclassException(
          String.format(
              "the exported graph disagrees with the model (max |Δ logit| %.3g > %.0e); nothing was"
                  + " written and any previous file is untouched: this is a bug, please report it",
              diff, parityLimit));
    }
    return diff;
  }
}
