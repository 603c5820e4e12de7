package dev.imgclass.train.compress;

import ai.onnx.proto.OnnxMl;
import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.CalibrationImages;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import dev.imgclass.train.training.Loss;
import dev.imgclass.train.training.RunAssembly;
import dev.imgclass.train.training.TrainConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Quantization-aware training of a run directory into a QDQ INT8 ONNX file: the run's FP32 graph
 * (batch norm folded) becomes a {@link QatGraph}, its activation ranges are calibrated as the PTQ
 * exporter calibrates them, then the weights train through the fake quantizers on the run's
 * training data (its augmentation and label smoothing), SGD with momentum on a cosine schedule and
 * no weight decay (with batch norm folded, decay would shrink the activations themselves). The
 * range observers move during the first half of the steps and are frozen for the second. The result
 * is written with the learned ranges; {@code qat.json} compares it on the test split with the FP32
 * model, with PTQ from the same calibration, and with the fake-quantized graph itself.
 */
public final class QatRun {
  private QatRun() {}

  /** The report's file name in the output directory. */
  public static final String REPORT = "qat.json";

  /** The INT8 model's file name in the output directory. */
  public static final String INT8 = "model.int8.onnx";

  /** Default peak learning rate: a hundredth of a fresh SGD run's, from converged weights. */
  public static final double LR = 0.001;

  /** Weight of each batch's min and max in the observers' moving average. */
  public static final double AVERAGING = 0.01;

  /** How activation ranges behave during training. */
  public enum Observer {
    /** Moving average of batch min/max for the first half of the steps, then frozen. */
    EMA,
    /** The calibrated ranges throughout: only the weights adapt. */
    FIXED;

    public static Observer parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "ema" -> EMA;
        case "fixed" -> FIXED;
        default -> throw new ImgclassException("unknown --observer '" + s + "': use ema or fixed");
      };
    }
  }

  /**
   * One QAT job.
   *
   * @param model the run directory (left untouched)
   * @param epochs training epochs through the fake quantizers, at least 1
   * @param lr peak learning rate
   * @param method how the initial ranges are calibrated
   * @param observer how the ranges move during training
   * @param calibrationImages training images to calibrate on
   * @param weightBits 8, or 7 for CPUs without VNNI (see {@link QdqQuantizer#weightMax})
   * @param data data to train and measure on; empty: the data the run records
   * @param threads intra-op threads (0: all cores)
   * @param out the new directory: absent or empty
   */
  public record Options(
      Path model,
      int epochs,
      double lr,
      QdqQuantizer.Method method,
      Observer observer,
      int calibrationImages,
      int weightBits,
      Optional<String> data,
      int threads,
      Path out) {
    public Options {
      QdqQuantizer.weightMax(weightBits);
      if (epochs < 1) throw new ImgclassException("QAT needs at least 1 epoch, got " + epochs);
      if (!(lr > 0 && Double.isFinite(lr)))
        throw new ImgclassException("the QAT learning rate must be positive, got " + lr);
      if (calibrationImages < 1)
        throw new ImgclassException(
            "--calibration-size must be at least 1, got " + calibrationImages);
    }
  }

  /** Runs the job and returns what it wrote to {@code qat.json}. */
  public static Map<String, Object> run(Options o, PrintStream log) {
    try {
      return runChecked(o, log);
    } catch (IOException e) {
      throw new ImgclassException("cannot write to " + o.out() + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> runChecked(Options o, PrintStream log) throws IOException {
    if (Files.isRegularFile(o.model()))
      throw new ImgclassException(
          "QAT trains weights, so it needs a run directory: "
              + o.model()
              + " is a file (an ONNX model is quantized without training by 'imgclass export"
              + " --model FILE.onnx --int8')");
    PruneRun.checkDirs(o.model(), o.out());
    ModelCard card = ModelCard.read(o.model());
    int threads = Engine.threads(o.threads());
    Net net = Weights.loadModelDir(o.model());
    ModelSpec spec = net.spec();
    String source =
        PruneRun.dataSource(card, o.data())
            .orElseThrow(
                () ->
                    new ImgclassException(
                        "QAT trains on data, and "
                            + o.model()
                            + " does not record the data it was trained on: name it (--data DATA)"));
    DataSplits splits = DataSources.open(source, DataSources.Load.of(spec));
    if (!splits.train().classes().equals(spec.classes()))
      throw new ImgclassException(
          "the classes of "
              + source
              + " "
              + splits.train().classes()
              + " differ from the model's "
              + spec.classes());
    Dataset train = splits.train();
    Optional<Dataset> test = splits.test();

    long t0 = System.nanoTime();
    byte[] fp32 = OnnxExporter.toBytes(net, card.provenance());
    float[] calib = CalibrationImages.load(train, spec, o.calibrationImages(), m -> {});
    int calibN = calib.length / new Preprocessor(spec).inputLength();
    if (calibN == 0) throw new ImgclassException("no readable calibration images in " + source);
    Map<String, float[]> ranges = QdqQuantizer.calibrate(fp32, calib, calibN, o.method(), threads);
    byte[] ptq = QdqQuantizer.quantize(fp32, ranges, o.weightBits());
    String method = o.method().name().toLowerCase(Locale.ROOT);
    log.printf(
        "calibrated %d activation ranges on %d training images (%s)%n",
        ranges.size(), calibN, method);

    QatGraph g = new QatGraph(QdqQuantizer.parseModel(fp32), ranges, AVERAGING, o.weightBits());
    TrainConfig cfg = config(card, o);
    Augmentation augmentation = Augmentation.parse(cfg.augment());
    Loss loss = new Loss(cfg.labelSmoothing(), spec.numClasses());
    log.printf(
        "QAT: %s, %d epochs on %d training images, batch %d, sgd lr %.3g cosine, observers %s;"
            + " augment: %s%n",
        spec.architecture(),
        o.epochs(),
        train.size(),
        cfg.batchSize(),
        o.lr(),
        o.observer() == Observer.EMA ? "moving for the first half of the steps" : "fixed",
        augmentation.describe());
    g.observe(o.observer() == Observer.EMA);
    double trainSeconds;
    try (BatchLoader loader =
        RunAssembly.loader(cfg, train, spec, augmentation, 0, new DataIssues())) {
      trainSeconds = train(g, loader, loss, o, spec, log);
    }

    byte[] int8 = g.toQdq();
    Files.createDirectories(o.out());
    Path out = o.out().resolve(INT8);
    AtomicFiles.write(
        out, withQatRecord(int8, o), f -> OnnxClassifier.open(f, OnnxOptions.cpu(threads)).close());

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", o.model().toString());
    report.put("architecture", spec.architecture());
    report.put("data", source);
    report.put("epochs", o.epochs());
    report.put("lr", o.lr());
    report.put("observer", o.observer().name().toLowerCase(Locale.ROOT));
    report.put("calibration_method", method);
    report.put("calibration_images", calibN);
    report.put("weight_bits", o.weightBits());
    report.put("train_seconds", trainSeconds);
    report.put("fp32_bytes", fp32.length);
    report.put("int8_bytes", Files.size(out));
    if (test.isPresent()) report.putAll(measure(test.get(), spec, fp32, ptq, out, g, threads, log));
    report.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    report.put("created", Instant.now().toString());
    Json.writeFile(o.out().resolve(REPORT), report);
    log.println("wrote " + out + " and " + o.out().resolve(REPORT));
    return report;
  }

  /** The training loop; returns its seconds. */
  private static double train(
      QatGraph g, BatchLoader loader, Loss loss, Options o, ModelSpec spec, PrintStream log) {
    Map<String, Tensor> params = g.parameters();
    Map<String, Tensor> momentum = new HashMap<>();
    try (NoGradGuard ng = new NoGradGuard()) {
      params.forEach((k, v) -> momentum.put(k, torch.zeros_like(v)));
    }
    int batches = loader.batchesPerEpoch();
    long total = (long) batches * o.epochs();
    long freezeAt = o.observer() == Observer.EMA ? total / 2 : 0;
    long step = 0;
    int s = spec.inputSize();
    long t0 = System.nanoTime();
    for (int epoch = 0; epoch < o.epochs(); epoch++) {
      java.util.Iterator<Batch> it = loader.epoch(loader.order(epoch), epoch, 0);
      double lossSum = 0;
      long right = 0;
      long seen = 0;
      long e0 = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        Batch batch = it.next();
        if (step == freezeAt && g.observing()) {
          g.observe(false);
          log.printf("observers frozen at step %d of %d%n", step, total);
        }
        double lr = o.lr() * 0.5 * (1 + Math.cos(Math.PI * step / total));
        torch.manual_seed(batch.seed());
        try (PointerScope scope = new PointerScope()) {
          Tensor x =
              Engine.layout(Tensors.floats(batch.inputs(), batch.size(), spec.inChannels(), s, s));
          Tensor y = Tensors.longs(batch.labels(), batch.size());
          Tensor logits = g.forward(x, true, true);
          Tensor l =
              batch.targets() == null
                  ? loss.apply(logits, y)
                  : loss.applySoft(
                      logits,
                      Tensors.floats(
                          batch.targets(), batch.size(), batch.targets().length / batch.size()));
          double value = l.item_double();
          if (!Double.isFinite(value))
            throw new ImgclassException(
                String.format(
                    "QAT diverged: the loss became %s at epoch %d, step %d (lr %.3g); lower --lr",
                    value, epoch + 1, b + 1, lr));
          l.backward();
          try (NoGradGuard ng = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
              Tensor grad = p.getValue().grad();
              if (!grad.defined()) continue;
              Tensor buf = momentum.get(p.getKey());
              buf.mul_(Tensors.scalar(0.9)).add_(grad);
              p.getValue().add_(buf, Tensors.scalar(-lr));
              grad.zero_();
            }
          }
          lossSum += value * batch.size();
          right += logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
          seen += batch.size();
        }
        step++;
        if ((b + 1) % 50 == 0 || b + 1 == batches)
          log.printf(
              "epoch %d/%d step %d/%d loss %.4f acc %.1f%% %.0f img/s lr %.3g%n",
              epoch + 1,
              o.epochs(),
              b + 1,
              batches,
              lossSum / seen,
              100.0 * right / seen,
              seen / ((System.nanoTime() - e0) / 1e9),
              lr);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Test-split accuracies of FP32, PTQ, the fake-quantized graph and the QAT INT8 file. */
  private static Map<String, Object> measure(
      Dataset test,
      ModelSpec spec,
      byte[] fp32,
      byte[] ptq,
      Path int8,
      QatGraph g,
      int threads,
      PrintStream log)
      throws IOException {
    Path dir = Files.createTempDirectory("imgclass-qat");
    Path fp32File = dir.resolve("fp32.onnx");
    Path ptqFile = dir.resolve("ptq.onnx");
    try {
      Files.write(fp32File, fp32);
      Files.write(ptqFile, ptq);
      Evaluator.Predictions a;
      Evaluator.Predictions p;
      Evaluator.Predictions q;
      try (OnnxClassifier f = OnnxClassifier.open(fp32File, OnnxOptions.cpu(threads));
          OnnxClassifier pt = OnnxClassifier.open(ptqFile, OnnxOptions.cpu(threads));
          OnnxClassifier qt = OnnxClassifier.open(int8, OnnxOptions.cpu(threads))) {
        a = new Evaluator(f, 256).predict(test);
        p = new Evaluator(pt, 256).predict(test);
        q = new Evaluator(qt, 256).predict(test);
      }
      Evaluator.Predictions fake =
          new Evaluator(new FakeQuantClassifier(g, spec), 256).predict(test);
      Map<String, Object> m = new LinkedHashMap<>();
      int[] y = a.labels();
      m.put("test_images", y.length);
      m.put("fp32_top1", top1(a, y));
      m.put("ptq_int8_top1", top1(p, y));
      m.put("qat_int8_top1", top1(q, y));
      m.put("qat_fake_quant_top1", top1(fake, y));
      m.put("qat_int8_vs_fake_quant_agreement", agreement(q, fake));
      m.put("qat_int8_vs_fp32_agreement", agreement(q, a));
      m.put("ptq_int8_vs_fp32_agreement", agreement(p, a));
      log.printf(
          "test split (%d images): FP32 %.2f%%, PTQ INT8 %.2f%%, QAT INT8 %.2f%% (fake-quant"
              + " graph %.2f%%); QAT INT8 agrees with FP32 on %.2f%% (PTQ %.2f%%) and with its"
              + " fake-quant graph on %.2f%%%n",
          y.length,
          100 * (double) m.get("fp32_top1"),
          100 * (double) m.get("ptq_int8_top1"),
          100 * (double) m.get("qat_int8_top1"),
          100 * (double) m.get("qat_fake_quant_top1"),
          100 * (double) m.get("qat_int8_vs_fp32_agreement"),
          100 * (double) m.get("ptq_int8_vs_fp32_agreement"),
          100 * (double) m.get("qat_int8_vs_fake_quant_agreement"));
      return m;
    } finally {
      AtomicFiles.deleteQuietly(fp32File);
      AtomicFiles.deleteQuietly(ptqFile);
      AtomicFiles.deleteQuietly(dir);
    }
  }

  private static double top1(Evaluator.Predictions p, int[] y) {
    int[] h = p.predicted();
    int right = 0;
    for (int i = 0; i < h.length; i++) right += h[i] == y[i] ? 1 : 0;
    return (double) right / h.length;
  }

  private static double agreement(Evaluator.Predictions a, Evaluator.Predictions b) {
    int[] x = a.predicted();
    int[] y = b.predicted();
    int same = 0;
    for (int i = 0; i < x.length; i++) same += x[i] == y[i] ? 1 : 0;
    return (double) same / x.length;
  }

  /** The QDQ file with a metadata entry saying how its ranges and weights were made. */
  private static byte[] withQatRecord(byte[] int8, Options o) {
    OnnxMl.ModelProto m = QdqQuantizer.parseModel(int8);
    OnnxMl.ModelProto.Builder b = m.toBuilder();
    for (int i = 0; i < b.getMetadataPropsCount(); i++) {
      if (b.getMetadataProps(i).getKey().equals(OnnxMetadata.QUANTIZATION)) {
        b.setMetadataProps(
            i,
            b.getMetadataProps(i).toBuilder()
                .setValue(
                    b.getMetadataProps(i).getValue()
                        + "; quantization-aware training, "
                        + o.epochs()
                        + " epochs from "
                        + o.method().name().toLowerCase(Locale.ROOT)
                        + " calibration"));
      }
    }
    return b.build().toByteArray();
  }

  /** The run's data settings (batch, augmentation, label smoothing, sampler, seed). */
  static TrainConfig config(ModelCard card, Options o) {
    Map<String, Object> t = card.train();
    TrainConfig.Builder b = TrainConfig.builder();
    b.model = card.spec().architecture();
    b.widths = card.spec().widths();
    b.epochs = o.epochs();
    b.lr = o.lr();
    b.threads = o.threads();
    if (t.get("batchSize") instanceof Number n) b.batchSize = n.intValue();
    if (t.get("seed") instanceof Number n) b.seed = n.longValue();
    if (t.get("labelSmoothing") instanceof Number n) b.labelSmoothing = n.doubleValue();
    if (t.get("augment") instanceof String s) b.augment = s;
    if (t.get("sampler") instanceof String s) b.sampler = s;
    return b.build();
  }

  /** The fake-quantized graph as a classifier, for the evaluator. */
  private record FakeQuantClassifier(QatGraph g, ModelSpec spec) implements Classifier {
    @Override
    public float[][] logits(float[] inputs, int n) {
      int s = spec.inputSize();
      float[] flat;
      try (PointerScope scope = new PointerScope();
          NoGradGuard ng = new NoGradGuard()) {
        flat =
            Tensors.toFloats(
                g.forward(
                    Engine.layout(Tensors.floats(inputs, n, spec.inChannels(), s, s)),
                    false,
                    true));
      }
      int k = spec.numClasses();
      float[][] out = new float[n][];
      for (int i = 0; i < n; i++) out[i] = java.util.Arrays.copyOfRange(flat, i * k, i * k + k);
      return out;
    }

    @Override
    public void close() {}
  }
}
