package dev.imgclass.train.training;

import dev.imgclass.core.BuildInfo;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.report.RunReport;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One training run from data to run directory: reads the data, builds (or resumes) the model,
 * trains, evaluates on the test split, and writes {@code model.json}, {@code weights.safetensors},
 * {@code eval.json}, metrics, checkpoints and {@code report.html}.
 */
public final class TrainRun {

  private TrainRun() {}

  /** What a finished run produced. */
  public record Result(
      Path runDir,
      ModelCard card,
      Optional<EvalReport> test,
      double wallSeconds,
      double trainImagesPerSecond) {}

  /** Where a run lists the files it skipped. */
  public static final String DATA_ISSUES = "data_issues.json";

  public static Result run(
      TrainConfig cfg, String data, Path runDir, boolean resume, PrintStream out) {
    return run(cfg, data, DataOptions.defaults(), runDir, resume, out);
  }

  public static Result run(
      TrainConfig cfg,
      String data,
      DataOptions dataOptions,
      Path runDir,
      boolean resume,
      PrintStream out) {
    return run(
        cfg, data, () -> RunData.open(cfg, data, dataOptions, runDir, out), runDir, resume, out);
  }

  /**
   * The same run on data already opened (a cross-validation fold, say): {@code splits} as {@link
   * DataSources#open} would give them.
   */
  public static Result run(
      TrainConfig cfg,
      DataSplits splits,
      DataOptions dataOptions,
      Path runDir,
      boolean resume,
      PrintStream out) {
    return run(
        cfg, null, () -> RunData.of(cfg, splits, dataOptions, runDir, out), runDir, resume, out);
  }

  private static Result run(
      TrainConfig cfg,
      String source,
      java.util.function.Supplier<RunData> data,
      Path runDir,
      boolean resume,
      PrintStream out) {
    try {
      return runChecked(cfg, source, data, runDir, resume, out);
    } catch (IOException e) {
      throw new ImgclassException("cannot write to " + runDir + ": " + e.getMessage(), e);
    }
  }

  private static Result runChecked(
      TrainConfig cfg,
      String source,
      java.util.function.Supplier<RunData> data,
      Path runDir,
      boolean resume,
      PrintStream out)
      throws IOException {
    long wall0 = System.nanoTime();
    Checkpoints checkpoints = new Checkpoints(runDir);
    Optional<RunAssembly.Resume> restored = Optional.empty();
    if (resume) {
      restored =
          checkpoints.load("last").map(l -> new RunAssembly.Resume(l, checkpoints.dir("last")));
      if (restored.isEmpty())
        throw new ImgclassException(
            "nothing to resume in " + runDir + ": it has no checkpoints/last");
    } else if (hasFiles(runDir)) {
      throw new ImgclassException(
          "run directory "
              + runDir
              + " is not empty: pass --resume to continue that run, or choose another --out");
    }
    if (cfg.distils()) TeacherIdentity.check(Path.of(cfg.teacher())); // before reading the data
    RunData runData = data.get();
    RunAssembly.Parts parts = RunAssembly.assemble(cfg, runData, restored, out);
    RunAssembly.Listeners listeners =
        RunAssembly.listeners(parts, runDir, out, ConsoleProgress.stdoutIsTerminal());
    try (BatchLoader loader = parts.loader()) {
      parts.trainer(parts.task(), listeners.all()).fit(parts.start(), cfg.epochs());
    } finally {
      parts.teacher().ifPresent(Teacher::close);
    }

    // the model the run delivers: the weight average when it keeps one (training is over)
    parts.optimizer().ema().ifPresent(Ema::swap);
    Evaluator evaluator = parts.evaluator();
    Optional<RunReport.TestSet> testSet =
        runData.splits().test().map(d -> new RunReport.TestSet(d, evaluator.predict(d)));
    Optional<EvalReport> test = testSet.map(t -> evaluator.report(t.predictions()));
    TrainState end = listeners.checkpoints().state();
    Map<String, Object> metrics = new LinkedHashMap<>();
    test.ifPresent(
        t -> {
          metrics.put("test_top1", t.top1());
          metrics.put("test_top5", t.top5());
          metrics.put("test_loss", t.loss());
          metrics.put("test_images", t.images());
        });
    metrics.put("best_epoch", end.bestEpoch());
    metrics.put(runData.val().isPresent() ? "best_val_top1" : "best_train_top1", end.bestScore());
    metrics.put("train_seconds", end.trainSeconds());
    metrics.put("train_images_per_second", listeners.speed().imagesPerSecond());
    metrics.put("wall_seconds", (System.nanoTime() - wall0) / 1e9);
    Net net = parts.net();
    DataIssues issues = runData.issues();
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("seed", cfg.seed());
    provenance.put("data", runData.splits().description());
    // the --data value, so that a report can reopen it (none for data opened by the caller)
    if (source != null) provenance.put("data_source", source);
    provenance.put("data_fingerprint", runData.fingerprint());
    provenance.put("train_images", runData.train().size());
    provenance.put("parameters", net.paramCount());
    provenance.put("macs_per_image", net.macs());
    provenance.put("class_counts", parts.classCounts());
    provenance.put("augment_spec", parts.augmentation().spec());
    if (parts.classWeights() != null) provenance.put("class_weights", parts.classWeights());
    parts.teacher().ifPresent(t -> provenance.put("teacher", t.record(cfg)));
    if (runData.files()) {
      provenance.put("unusable_files", issues.badCount());
      provenance.put("skipped_files", issues.skipped());
      issues.write(runDir.resolve(DATA_ISSUES));
    }
    provenance.put("imgclass_version", BuildInfo.version());
    provenance.put("imgclass_commit", BuildInfo.commit());
    provenance.put("created", Instant.now().toString());
    provenance.put("precision", parts.precision().label());
    provenance.put("threads", parts.threads());
    @SuppressWarnings("unchecked")
    Map<String, Object> train0 = Json.MAPPER.convertValue(cfg, Map.class);
    ModelCard card = new ModelCard(ModelCard.FORMAT, parts.spec(), provenance, train0, metrics);
    Weights.save(net, runDir.resolve(ModelCard.WEIGHTS));
    card.write(runDir);
    test.ifPresent(t -> Json.writeFile(runDir.resolve("eval.json"), t));
    writeReport(runDir, testSet, out); // after the run's artifacts are on disk
    double wall = (System.nanoTime() - wall0) / 1e9;
    return new Result(runDir, card, test, wall, listeners.speed().imagesPerSecond());
  }

  /**
   * Writes the run's report; a report that fails costs the page, never the finished run: it is
   * reported as a warning on {@code out}. Returns whether the report was written.
   */
  static boolean writeReport(Path runDir, Optional<RunReport.TestSet> test, PrintStream out) {
    try {
      RunReport.write(runDir, test);
      return true;
    } catch (RuntimeException e) {
      out.println(
          "warning: the run is complete, but its report could not be written ("
              + e.getMessage()
              + "); the run directory holds all it needs to write it again");
      return false;
    }
  }

  private static boolean hasFiles(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }
}
