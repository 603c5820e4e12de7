package dev.imgclass.train.training;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.LrSchedule;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.data.Splits;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.report.RunReport;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One training run from data to run directory: reads the data, builds (or resumes) the model,
 * trains, evaluates on the test split, and writes {@code model.json}, {@code weights.safetensors},
 * {@code eval.json}, metrics, checkpoints and {@code report.html}.
 */
public final class TrainRun {
  public static final String VERSION = "0.1.0";

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
    try {
      return runChecked(cfg, data, dataOptions, runDir, resume, out);
    } catch (IOException e) {
      throw new ImgclassException("cannot write to " + runDir + ": " + e.getMessage(), e);
    }
  }

  private static Result runChecked(
      TrainConfig cfg,
      String data,
      DataOptions dataOptions,
      Path runDir,
      boolean resume,
      PrintStream out)
      throws IOException {
    long wall0 = System.nanoTime();
    int threads = Engine.threads(cfg.threads());
    Precision precision = Precision.parse(cfg.precision());
    Checkpoints checkpoints = new Checkpoints(runDir);
    Optional<Checkpoints.Loaded> restored = Optional.empty();
    if (resume) {
      restored = checkpoints.load("last");
      if (restored.isEmpty())
        throw new ImgclassException(
            "nothing to resume in " + runDir + ": it has no checkpoints/last");
    } else if (hasFiles(runDir)) {
      throw new ImgclassException(
          "run directory "
              + runDir
              + " is not empty: pass --resume to continue that run, or choose another --out");
    }

    ModelRegistry.Entry entry = ModelRegistry.entry(cfg.model()); // fail fast on a bad name
    int size = cfg.imageSize() > 0 ? cfg.imageSize() : entry.defaultInputSize();
    int channels = cfg.channels() > 0 ? cfg.channels() : 3;
    DataSplits splits =
        DataSources.open(data, new DataSources.Load(channels, size, dataOptions.maxPixels()));
    DataIssues issues = splits.issues();
    int workers = dataOptions.workers();
    Dataset all =
        Splits.limit(splits.train(), cfg.limit() > 0 ? cfg.limit() : Integer.MAX_VALUE, cfg.seed());
    Optional<Dataset> val = splits.val();
    boolean files = all instanceof FileDataset;
    String fileFingerprint = null;
    if (all instanceof FileDataset f) {
      boolean cache = dataOptions.caches(f);
      out.printf(
          "data: reading %,d training files with %d workers%s%n",
          f.size(), workers, cache ? " into the in-memory cache" : " to check them");
      DataIssues trainIssues = new DataIssues();
      all = cache ? f.cache(workers, trainIssues) : f.check(workers, trainIssues);
      issues.addAll(trainIssues);
      // the usable files name the data, however they are held (cached or not)
      fileFingerprint = f.without(trainIssues).fingerprint();
      Files.createDirectories(runDir);
      issues.write(runDir.resolve(DATA_ISSUES));
      int bad = trainIssues.badCount();
      if (bad > 0) {
        out.printf(
            "data: %d of %,d training files unusable, skipped (listed in %s): %s%n",
            bad, f.size(), runDir.resolve(DATA_ISSUES), trainIssues.badFiles().get(0).message());
      }
      if (bad > cfg.maxBad() * f.size()) {
        throw new ImgclassException(
            String.format(
                "%d of %d training files (%.1f%%) are unreadable, above --max-bad %s; they are listed in %s",
                bad, f.size(), 100.0 * bad / f.size(), cfg.maxBad(), runDir.resolve(DATA_ISSUES)));
      }
      if (cache && val.isPresent() && val.get() instanceof FileDataset fv) {
        DataIssues valIssues = new DataIssues();
        val = Optional.of(fv.cache(workers, valIssues));
        issues.addAll(valIssues);
        issues.write(runDir.resolve(DATA_ISSUES));
      }
    }
    Dataset train = all;
    if (val.isEmpty() && cfg.valFraction() > 0) {
      Splits.TrainVal tv = Splits.stratified(all, cfg.valFraction(), cfg.seed());
      train = tv.train();
      val = Optional.of(tv.val());
    }
    if (train.height() != train.width()) {
      throw new ImgclassException(
          "images are " + train.height() + "x" + train.width() + "; square images are expected");
    }
    String fingerprint = fileFingerprint != null ? fileFingerprint : train.fingerprint();
    List<List<Double>> moments = channelMoments(train);
    ModelSpec spec =
        new ModelSpec(
            cfg.model(),
            train.classes(),
            train.channels(),
            train.height(),
            moments.get(0),
            moments.get(1));
    Net net = ModelRegistry.create(spec, cfg.seed());
    if (!cfg.initWeights().isEmpty() && restored.isEmpty()) {
      Path init = Path.of(cfg.initWeights());
      if (!Files.isRegularFile(init))
        throw new ImgclassException(
            "--init-weights " + init + " is not a file: give a .safetensors file");
      out.println(Weights.initFrom(net, init));
    }
    int frozen = cfg.frozenGroups(net.groups().size());
    net.freeze(frozen);
    if (frozen > 0)
      out.printf(
          "freeze: %s..%s (%d of %d body groups); %,d parameters train%n",
          net.groups().get(0),
          net.groups().get(frozen - 1),
          frozen,
          net.groups().size(),
          net.params().entries().stream()
              .filter(e -> e.trainable() && e.tensor().requires_grad())
              .mapToLong(e -> e.tensor().numel())
              .sum());
    Optimizer optimizer = Optimizer.create(cfg, net.params());
    TrainState start = TrainState.start(cfg, precision.label(), fingerprint);
    if (restored.isPresent()) {
      TrainState s = restored.get().state();
      s.checkResumableWith(cfg, precision.label(), fingerprint);
      Weights.load(net, restored.get().weights(), checkpoints.dir("last").toString());
      optimizer.loadState(restored.get().optimizer());
      start = s.withConfig(cfg); // operational settings (threads, ...) may have changed
    }

    out.printf(
        "data: %s — %d train, %d val, %s test images, %d classes%n",
        splits.description(),
        train.size(),
        val.map(Dataset::size).orElse(0),
        splits.test().map(d -> Integer.toString(d.size())).orElse("no"),
        train.classes().size());
    out.printf(
        "model: %s, %,d parameters, %,d MACs per image; %s, %d threads, batch %d, %s lr %.3g%n",
        cfg.model(),
        net.paramCount(),
        net.macs(),
        precision.label(),
        threads,
        cfg.batchSize(),
        cfg.optimizer(),
        cfg.lr());

    int[] counts = train.classCounts();
    float[] classWeights = ClassBalance.weights(cfg.classWeights(), counts, spec.classes());
    float[] logitAdjust =
        cfg.logitAdjust() > 0 ? ClassBalance.logPrior(counts, cfg.logitAdjust()) : null;
    if (classWeights != null)
      out.println("class weights (" + cfg.classWeights() + "): " + Arrays.toString(classWeights));
    if (logitAdjust != null) out.printf("logit-adjusted loss, tau %s%n", cfg.logitAdjust());
    if (cfg.sampler().equals("balanced"))
      out.println("sampler: balanced (classes drawn uniformly)");
    Augmentation augmentation = Augmentation.parse(cfg.augment());
    out.println("augment: " + augmentation.describe());
    BatchLoader.Mixer mixer =
        augmentation
            .batchMix()
            .<BatchLoader.Mixer>map(
                m ->
                    (x, y, n, rng) ->
                        m.apply(
                            x,
                            y,
                            n,
                            spec.inChannels(),
                            spec.inputSize(),
                            spec.inputSize(),
                            spec.numClasses(),
                            cfg.labelSmoothing(),
                            rng))
            .orElse(null);
    BatchLoader loader =
        new BatchLoader(
            train,
            new Preprocessor(spec),
            augmentation,
            mixer,
            cfg.batchSize(),
            cfg.seed(),
            true,
            cfg.sampler().equals("balanced"),
            files ? workers : 0,
            issues);
    long perEpoch = loader.batchesPerEpoch();
    LrSchedule schedule =
        LrSchedule.warmupCosine(cfg.lr(), cfg.warmupEpochs(), perEpoch, cfg.epochs());
    Loss loss = new Loss(cfg.labelSmoothing(), classWeights, logitAdjust, spec.numClasses());
    ClassificationTask task =
        new ClassificationTask(net, optimizer, loss, precision, cfg.gradClip());
    Evaluator evaluator =
        new Evaluator(new dev.imgclass.train.models.TorchClassifier(net, precision), 256);
    CheckpointListener ckpt =
        new CheckpointListener(checkpoints, net, optimizer, cfg.checkpointSteps(), val.isPresent());
    SpeedMeter speed = new SpeedMeter();
    List<TrainListener> listeners =
        List.of(
            new ConsoleProgress(out, ConsoleProgress.stdoutIsTerminal()),
            new MetricsLog(runDir),
            ckpt,
            speed);
    try (loader) {
      new Trainer(task, loader, schedule, val, evaluator, listeners).fit(start, cfg.epochs());
    }

    Optional<RunReport.TestSet> testSet =
        splits.test().map(d -> new RunReport.TestSet(d, evaluator.predict(d)));
    Optional<EvalReport> test = testSet.map(t -> evaluator.report(t.predictions()));
    Map<String, Object> metrics = new LinkedHashMap<>();
    test.ifPresent(
        t -> {
          metrics.put("test_top1", t.top1());
          metrics.put("test_top5", t.top5());
          metrics.put("test_loss", t.loss());
          metrics.put("test_images", t.images());
        });
    metrics.put("best_epoch", ckpt.state().bestEpoch());
    metrics.put(val.isPresent() ? "best_val_top1" : "best_train_top1", ckpt.state().bestScore());
    metrics.put("train_seconds", ckpt.state().trainSeconds());
    metrics.put("train_images_per_second", speed.imagesPerSecond());
    metrics.put("wall_seconds", (System.nanoTime() - wall0) / 1e9);
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("seed", cfg.seed());
    provenance.put("data", splits.description());
    provenance.put("data_source", data); // the --data value, so that a report can reopen it
    provenance.put("data_fingerprint", fingerprint);
    provenance.put("train_images", train.size());
    provenance.put("parameters", net.paramCount());
    provenance.put("macs_per_image", net.macs());
    provenance.put("class_counts", counts);
    provenance.put("augment_spec", augmentation.spec());
    if (classWeights != null) provenance.put("class_weights", classWeights);
    if (files) {
      provenance.put("unusable_files", issues.badCount());
      provenance.put("skipped_files", issues.skipped());
      issues.write(runDir.resolve(DATA_ISSUES));
    }
    provenance.put("git_commit", gitCommit());
    provenance.put("tool_version", VERSION);
    provenance.put("created", Instant.now().toString());
    provenance.put("precision", precision.label());
    provenance.put("threads", threads);
    @SuppressWarnings("unchecked")
    Map<String, Object> train0 = Json.MAPPER.convertValue(cfg, Map.class);
    ModelCard card = new ModelCard(ModelCard.FORMAT, spec, provenance, train0, metrics);
    Weights.save(net, runDir.resolve(ModelCard.WEIGHTS));
    card.write(runDir);
    test.ifPresent(t -> Json.writeFile(runDir.resolve("eval.json"), t));
    // the run's artifacts are on disk: a report that fails costs the page, never the run
    try {
      RunReport.write(runDir, testSet);
    } catch (RuntimeException e) {
      out.println(
          "warning: the run is complete, but its report could not be written ("
              + e.getMessage()
              + "); the run directory holds all it needs to write it again");
    }
    double wall = (System.nanoTime() - wall0) / 1e9;
    return new Result(runDir, card, test, wall, speed.imagesPerSecond());
  }

  /**
   * Per-channel mean and standard deviation of the pixels scaled to [0, 1], from up to 10,000
   * images held in memory or 1,000 read from files (a sample is plenty for two moments).
   */
  static List<List<Double>> channelMoments(Dataset d) {
    int c = d.channels();
    int plane = d.height() * d.width();
    double[] sum = new double[c];
    double[] sq = new double[c];
    int n = Math.min(d.size(), d instanceof FileDataset ? 1_000 : 10_000);
    int step = d instanceof FileDataset ? Math.max(1, d.size() / Math.max(1, n)) : 1;
    int used = 0;
    for (int i = 0; i < d.size() && used < n; i += step) {
      byte[] px;
      try {
        px = d.image(i).data();
      } catch (ImgclassException e) {
        continue; // a file that broke since it was checked: the batches will record it
      }
      used++;
      for (int ch = 0; ch < c; ch++) {
        for (int j = 0; j < plane; j++) {
          double v = (px[ch * plane + j] & 0xff) / 255.0;
          sum[ch] += v;
          sq[ch] += v * v;
        }
      }
    }
    List<Double> means = new ArrayList<>();
    List<Double> stds = new ArrayList<>();
    double count = Math.max(1.0, (double) used * plane);
    for (int ch = 0; ch < c; ch++) {
      double m = sum[ch] / count;
      means.add(round4(m));
      stds.add(round4(Math.sqrt(Math.max(sq[ch] / count - m * m, 1e-6))));
    }
    return List.of(means, stds);
  }

  private static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  private static boolean hasFiles(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  static String gitCommit() {
    try {
      Process p =
          new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
              .redirectErrorStream(true)
              .start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      return p.waitFor() == 0 && s.matches("[0-9a-f]+") ? s : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  /** Training throughput over all steps of this process (validation excluded). */
  static final class SpeedMeter implements TrainListener {
    private double seconds;
    private long images;

    @Override
    public void onEpoch(Epoch e) {
      seconds += e.seconds();
      images += Math.round(e.imagesPerSecond() * e.seconds());
    }

    double imagesPerSecond() {
      return seconds > 0 ? images / seconds : 0;
    }
  }
}
