package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelComparison;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.CalibrationImages;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.report.CompressPage;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.compress.Criterion;
import dev.imgclass.train.compress.PruneRun;
import dev.imgclass.train.compress.QatRun;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code imgclass compress}: the steps of a {@link Recipe} one after another, each from the
 * previous step's model, through the commands' own code ({@link PruneRun}, the training run with
 * the original as teacher, {@link QatRun}, {@link Int8Export}); every intermediate model is kept
 * under {@code OUT/steps/}. Then every step's ONNX file is measured on the same test images and
 * timed in one process, one after another: {@code compress.json} and {@code compress.html}.
 */
final class CompressPipeline {
  private CompressPipeline() {}

  static final String REPORT = "compress.json";
  static final String PAGE = "compress.html";
  static final int CALIBRATION = 512;
  static final int TIMING_BATCH = 64;

  /**
   * One job.
   *
   * @param model the run directory to compress (left untouched)
   * @param recipe the steps
   * @param criterion how pruning ranks channels
   * @param lr peak learning rate of the fine-tunes (distill, finetune)
   * @param weightBits INT8 weight range of the qat and int8 steps: 8, or 7 for CPUs without VNNI
   * @param data data to train and measure on; empty: what the run records
   * @param threads threads of training and of ONNX Runtime (0: all cores)
   * @param benchSeconds time budget of each latency measurement
   * @param out the new directory: absent or empty
   */
  record Options(
      Path model,
      Recipe recipe,
      Criterion criterion,
      double lr,
      int weightBits,
      Optional<String> data,
      int threads,
      double benchSeconds,
      Path out) {}

  /** An ONNX file a step produced, with the size of the model it holds. */
  private record Artifact(
      String step, Path file, String precision, long params, long macs, Double parity) {}

  static Map<String, Object> run(Options o, PrintStream log) throws IOException {
    if (Files.isRegularFile(o.model()))
      throw new ImgclassException(
          "compress prunes and trains weights, so it needs a run directory: "
              + o.model()
              + " is a file");
    PruneRun.checkDirs(o.model(), o.out());
    ModelCard card = ModelCard.read(o.model());
    ModelSpec spec = card.spec();
    int threads = Engine.threads(o.threads());
    String source =
        PruneRun.dataSource(card, o.data())
            .orElseThrow(
                () ->
                    new ImgclassException(
                        "compress trains and measures on data, and "
                            + o.model()
                            + " does not record the data it was trained on: name it (--data"
                            + " DATA)"));
    DataSplits splits = DataSources.open(source, DataSources.Load.of(spec));
    EvalCommand.checkClasses(spec.classes(), splits.train().classes());
    Dataset test =
        splits
            .test()
            .orElseThrow(
                () ->
                    new ImgclassException(
                        "compress measures every step on a test split, and "
                            + source
                            + " has none"));

    long t0 = System.nanoTime();
    Path steps = o.out().resolve("steps");
    Files.createDirectories(steps);
    List<Artifact> made = new ArrayList<>();
    made.add(exportFp32("original", o.model(), steps.resolve("0-original"), threads, log));
    Path current = o.model();
    for (int i = 0; i < o.recipe().steps().size(); i++) {
      Recipe.Step s = o.recipe().steps().get(i);
      Path dir = steps.resolve(i + 1 + "-" + s.kind().label());
      log.printf("== step %s -> %s%n", s, dir);
      switch (s.kind()) {
        case PRUNE -> {
          PruneRun.run(
              new PruneRun.Options(
                  current,
                  s.value(),
                  o.criterion(),
                  0,
                  Optional.of(source),
                  o.lr(),
                  threads,
                  dir,
                  o.recipe().trainsAfter(i)),
              log);
          current = dir;
          made.add(exportFp32(s.toString(), dir, dir, threads, log));
        }
        case DISTILL, FINETUNE -> {
          ModelCard c = ModelCard.read(current);
          @SuppressWarnings("unchecked")
          Map<String, Object> pruned =
              c.provenance().get("pruned") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
          PruneRun.finetune(
              c,
              c.spec(),
              current.resolve(ModelCard.WEIGHTS),
              s.epochs(),
              o.lr(),
              threads,
              s.kind() == Recipe.Kind.DISTILL ? Optional.of(o.model()) : Optional.empty(),
              source,
              dir,
              pruned,
              log);
          current = dir;
          made.add(exportFp32(s.toString(), dir, dir, threads, log));
        }
        case QAT -> {
          QatRun.run(
              new QatRun.Options(
                  current,
                  s.epochs(),
                  QatRun.LR,
                  QdqQuantizer.Method.PERCENTILE,
                  QatRun.Observer.EMA,
                  CALIBRATION,
                  o.weightBits(),
                  Optional.of(source),
                  threads,
                  dir),
              log);
          made.add(int8(s.toString(), dir.resolve(QatRun.INT8), made.get(made.size() - 1)));
        }
        case INT8 -> {
          Files.createDirectories(dir);
          Path q = dir.resolve(QatRun.INT8);
          Int8Export.run(
              ModelCard.read(current).spec(),
              made.get(made.size() - 1).file(),
              q,
              source,
              CALIBRATION,
              QdqQuantizer.Method.PERCENTILE,
              o.weightBits(),
              threads,
              log);
          made.add(int8(s.toString(), q, made.get(made.size() - 1)));
        }
      }
    }
    Artifact last = made.get(made.size() - 1);
    Path finalFile = o.out().resolve(last.file().getFileName().toString());
    Files.copy(last.file(), finalFile, StandardCopyOption.REPLACE_EXISTING);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;

    log.printf(
        "measuring %d models on %d test images, then timing each (ONNX Runtime, %d threads)%n",
        made.size(), test.size(), threads);
    List<CompressPage.Row> rows = measure(made, test, spec, threads, o, log);

    String cpu = AdviseCommand.cpuModel();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", o.model().toString());
    report.put("architecture", spec.architecture());
    report.put("recipe", o.recipe().toString());
    report.put("criterion", o.criterion().label);
    report.put("weight_bits", o.weightBits());
    report.put("data", source);
    report.put("test_images", test.size());
    report.put("cpu", cpu);
    report.put("threads", threads);
    report.put("bench_seconds", o.benchSeconds());
    report.put("final_file", o.out().relativize(finalFile).toString());
    report.put("verdict", CompressPage.verdict(rows));
    List<Map<String, Object>> rowJson = new ArrayList<>();
    for (int k = 0; k < rows.size(); k++) rowJson.add(json(rows.get(k), rows.get(0), made.get(k)));
    report.put("steps", rowJson);
    report.put("steps_seconds", trainSeconds);
    report.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
    report.put("created", Instant.now().toString());
    Json.writeFile(o.out().resolve(REPORT), report);
    AtomicFiles.write(
        o.out().resolve(PAGE),
        CompressPage.html(
                o.model().toString(),
                o.recipe().toString(),
                source,
                test.size(),
                cpu + ", " + threads + " threads",
                rows)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    log.println();
    log.print(table(rows));
    log.println(CompressPage.verdict(rows));
    log.println(
        "wrote " + finalFile + ", " + o.out().resolve(REPORT) + " and " + o.out().resolve(PAGE));
    return report;
  }

  /** Exports a model directory to {@code dir/model.onnx}, checked against libtorch. */
  private static Artifact exportFp32(
      String step, Path modelDir, Path dir, int threads, PrintStream log) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve("model.onnx");
    Net net = Weights.loadModelDir(modelDir);
    Map<String, Object> provenance = new LinkedHashMap<>(ModelCard.read(modelDir).provenance());
    provenance.put("exported", Instant.now().toString());
    double[] diff = new double[1];
    OnnxExporter.export(
        net, provenance, target, f -> diff[0] = ExportCommand.checkedParity(net, f, threads));
    log.printf(
        Locale.ROOT,
        "%s: wrote %s (%.1f kB, parity with libtorch max |Δ logit| %.2e)%n",
        step,
        target,
        Files.size(target) / 1e3,
        diff[0]);
    return new Artifact(step, target, "fp32", net.paramCount(), net.macs(), diff[0]);
  }

  /** The INT8 file of the model {@code fp32} holds: the same parameters and MACs. */
  private static Artifact int8(String step, Path file, Artifact fp32) {
    return new Artifact(step, file, "int8", fp32.params(), fp32.macs(), null);
  }

  /** Accuracy and agreement of every file first, then the timings one after another. */
  private static List<CompressPage.Row> measure(
      List<Artifact> made, Dataset test, ModelSpec spec, int threads, Options o, PrintStream log) {
    List<Evaluator.Predictions> preds = new ArrayList<>();
    for (Artifact a : made) {
      try (OnnxClassifier c = OnnxClassifier.open(a.file(), OnnxOptions.cpu(threads))) {
        preds.add(new Evaluator(c, 256).predict(test));
      }
    }
    int len = new dev.imgclass.core.Preprocessor(spec).inputLength();
    float[] some = CalibrationImages.load(test, spec, TIMING_BATCH, m -> {});
    if (some.length == 0) throw new ImgclassException("no readable test images to time on");
    float[] batch = new float[TIMING_BATCH * len]; // fewer test images are reused in turn
    for (int j = 0; j < TIMING_BATCH; j++)
      System.arraycopy(some, (j * len) % some.length, batch, j * len, len);
    int[] labels = preds.get(0).labels();
    int[] original = preds.get(0).predicted();
    List<CompressPage.Row> rows = new ArrayList<>();
    for (int k = 0; k < made.size(); k++) {
      Artifact a = made.get(k);
      int[] p = preds.get(k).predicted();
      ModelComparison cmp =
          ModelComparison.of("original", a.step(), original, p, labels, spec.classes());
      int same = 0;
      for (int j = 0; j < p.length; j++) same += p[j] == original[j] ? 1 : 0;
      Timing one;
      Timing many;
      try (OnnxClassifier c = OnnxClassifier.open(a.file(), OnnxOptions.cpu(threads))) {
        one = Timing.measure(c, Arrays.copyOf(batch, len), 1, o.benchSeconds());
        many = Timing.measure(c, batch, TIMING_BATCH, o.benchSeconds());
      }
      log.printf(
          Locale.ROOT,
          "%s: top-1 %.2f%%, batch 1 %.3f ms, batch 64 %.2f ms%n",
          a.step(),
          100 * cmp.b().accuracy(),
          one.medianMs(),
          many.medianMs());
      rows.add(
          new CompressPage.Row(
              a.step(),
              o.out().relativize(a.file()).toString(),
              a.precision(),
              fileSize(a.file()),
              a.params(),
              a.macs(),
              cmp.b().accuracy(),
              (double) same / p.length,
              k == 0 ? 1.0 : cmp.pValue(),
              one.medianMs(),
              many.medianMs()));
    }
    return rows;
  }

  private static long fileSize(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> json(CompressPage.Row r, CompressPage.Row a, Artifact art) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", r.step());
    m.put("file", r.file());
    m.put("precision", r.precision());
    m.put("file_bytes", r.fileBytes());
    m.put("parameters", r.params());
    m.put("macs_per_image", r.macs());
    m.put("test_top1", r.top1());
    m.put("agreement_with_original", r.agreement());
    m.put("mcnemar_p_vs_original", r.pValue());
    m.put("batch1_ms", r.batch1Ms());
    m.put("batch64_ms", r.batch64Ms());
    m.put("batch64_images_per_second", r.throughput64());
    m.put("size_ratio", (double) a.fileBytes() / r.fileBytes());
    m.put("batch1_speedup", a.batch1Ms() / r.batch1Ms());
    m.put("batch64_throughput_ratio", r.throughput64() / a.throughput64());
    m.put("accuracy_kept", r.top1() / a.top1());
    if (art.parity() != null) m.put("onnx_parity_max_abs_diff", art.parity());
    return m;
  }

  /** The table as plain text, columns padded. */
  static String table(List<CompressPage.Row> rows) {
    List<List<String>> all = new ArrayList<>();
    List<String> head = new ArrayList<>(CompressPage.columns());
    head.remove(2); // the file column is in the JSON and the page; the terminal is narrow
    all.add(head);
    for (List<String> r : CompressPage.cells(rows)) {
      List<String> c = new ArrayList<>(r);
      c.remove(2);
      all.add(c);
    }
    int[] w = new int[head.size()];
    for (List<String> r : all)
      for (int j = 0; j < r.size(); j++) w[j] = Math.max(w[j], r.get(j).length());
    StringBuilder sb = new StringBuilder();
    for (List<String> r : all) {
      for (int j = 0; j < r.size(); j++) {
        String cell = r.get(j);
        String pad = " ".repeat(w[j] - cell.length());
        sb.append(j == 0 ? cell + pad : pad + cell);
        sb.append(j == r.size() - 1 ? "\n" : "  ");
      }
    }
    return sb.toString();
  }
}
