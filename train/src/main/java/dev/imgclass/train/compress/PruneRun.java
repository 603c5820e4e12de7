package dev.imgclass.train.compress;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ChannelGroup;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.TorchClassifier;
import dev.imgclass.train.models.Weights;
import dev.imgclass.train.training.Loss;
import dev.imgclass.train.training.RunAssembly;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Prunes a run directory into a new, smaller one: {@link Pruner} to the target MACs, optionally a
 * fine-tune through the ordinary training run ({@link TrainRun}, started from the pruned weights),
 * and {@code prune.json} with parameters, MACs, weights file size and test top-1 before and after.
 * The result is an ordinary model directory: its {@code model.json} records the pruned widths.
 */
public final class PruneRun {
  private PruneRun() {}

  /** The report's file name in the output directory. */
  public static final String REPORT = "prune.json";

  /** Default learning rate of the fine-tune: a tenth of a fresh run's, from trained weights. */
  public static final double FINETUNE_LR = 0.01;

  /**
   * One pruning job.
   *
   * @param model the run directory to prune (left untouched)
   * @param target share of the model's MACs to keep, in (0, 1)
   * @param criterion how channels are ranked
   * @param finetuneEpochs epochs of training after pruning (0: none)
   * @param data data to measure and fine-tune on; empty: the data the run records, if any
   * @param lr peak learning rate of the fine-tune
   * @param threads intra-op threads (0: all cores)
   * @param out the new model directory: absent or empty
   * @param trainedLater the result will be trained afterwards even without {@code finetuneEpochs}
   *     (a later step of imgclass compress): prune to widths libtorch trains correctly
   */
  public record Options(
      Path model,
      double target,
      Criterion criterion,
      int finetuneEpochs,
      Optional<String> data,
      double lr,
      int threads,
      Path out,
      boolean trainedLater) {
    public Options {
      if (!(target > 0 && target < 1))
        throw new ImgclassException(
            "the MACs to keep must be a fraction in (0, 1), e.g. 0.5, got " + target);
      if (finetuneEpochs < 0)
        throw new ImgclassException("fine-tune epochs must be >= 0, got " + finetuneEpochs);
      if (!(lr > 0 && Double.isFinite(lr)))
        throw new ImgclassException("the fine-tune learning rate must be positive, got " + lr);
    }
  }

  /** Runs the job and returns what it wrote to {@code prune.json}. */
  public static Map<String, Object> run(Options o, PrintStream log) {
    try {
      return runChecked(o, log);
    } catch (IOException e) {
      throw new ImgclassException("cannot write to " + o.out() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The widths before → after of the groups named without a dot (residual streams, a stem), and the
   * channels kept in all the others together, e.g. {@code layer1 16→16, layer2 32→16; in blocks
   * 1,024 of 2,048 channels}.
   */
  static String widths(Net before, Net after) {
    Map<String, Integer> now = new LinkedHashMap<>();
    for (ChannelGroup g : after.channelGroups()) now.put(g.name(), g.width());
    List<String> streams = new ArrayList<>();
    long all = 0;
    long kept = 0;
    for (ChannelGroup g : before.channelGroups()) {
      int n = now.getOrDefault(g.name(), g.width());
      if (g.name().contains(".")) {
        all += g.width();
        kept += n;
      } else {
        streams.add(g.name() + " " + g.width() + "→" + n);
      }
    }
    String blocks = String.format("in blocks %,d of %,d channels", kept, all);
    return streams.isEmpty() ? blocks : String.join(", ", streams) + "; " + blocks;
  }

  private static Map<String, Object> runChecked(Options o, PrintStream log) throws IOException {
    checkDirs(o.model(), o.out());
    ModelCard card = ModelCard.read(o.model());
    Engine.threads(o.threads());
    Net net = Weights.loadModelDir(o.model());
    Optional<String> source = dataSource(card, o.data());
    if (o.finetuneEpochs() > 0 && source.isEmpty())
      throw new ImgclassException(
          "fine-tuning needs data, and "
              + o.model()
              + " does not record the data it was trained on: name it (--data DATA)");
    if (o.criterion() == Criterion.TAYLOR && source.isEmpty())
      throw new ImgclassException(
          "the taylor criterion scores channels on training batches, and "
              + o.model()
              + " does not record the data it was trained on: name it (--data DATA)");
    Optional<Dataset> test = source.flatMap(s -> testSplit(s, net, o.data().isPresent(), log));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("model", o.model().toString());
    report.put("architecture", net.spec().architecture());
    report.put("target_macs", o.target());
    report.put("criterion", o.criterion().label);
    report.put("finetune_epochs", o.finetuneEpochs());
    source.ifPresent(s -> report.put("data", s));
    Map<String, Object> before = stats(net, o.model().resolve(ModelCard.WEIGHTS), test);
    report.put("before", before);
    log.println("before: " + line(before));

    boolean forTraining = o.finetuneEpochs() > 0 || o.trainedLater();
    Pruner.Result r =
        o.criterion() == Criterion.TAYLOR
            ? Pruner.prune(net, o.target(), taylor(card, net, source.get(), log), forTraining)
            : Pruner.prune(net, o.target(), o.criterion(), forTraining);
    Net pruned = r.net();
    report.put("kept_share", r.plan().share());
    report.put("groups", groups(net, pruned));
    log.printf(
        "pruned %d channel groups (%s) to about %.1f%% of their channels each: %s%n",
        r.plan().keep().size(), o.criterion().label, 100 * r.plan().share(), widths(net, pruned));

    Files.createDirectories(o.out());
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("from", o.model().toAbsolutePath().toString());
    record.put("target_macs", o.target());
    record.put("criterion", o.criterion().label);
    record.put("kept_share", r.plan().share());
    record.put("macs_before", r.macsBefore());
    record.put("finetune_epochs", o.finetuneEpochs());
    record.put("created", Instant.now().toString());
    Map<String, Object> after;
    if (o.finetuneEpochs() == 0) {
      Path weights = o.out().resolve(ModelCard.WEIGHTS);
      Weights.save(pruned, weights);
      after = stats(pruned, weights, test);
      report.put("pruned", after);
      writeCard(card, pruned, record, after, o.out());
    } else {
      Path tmp = Files.createTempDirectory("imgclass-prune");
      try {
        Path weights = tmp.resolve(ModelCard.WEIGHTS);
        Weights.save(pruned, weights);
        Map<String, Object> cut = stats(pruned, weights, test);
        report.put("pruned", cut);
        log.println("pruned: " + line(cut));
        TrainRun.Result fit =
            finetune(
                card,
                pruned.spec(),
                weights,
                o.finetuneEpochs(),
                o.lr(),
                o.threads(),
                Optional.empty(),
                source.get(),
                o.out(),
                record,
                log);
        after =
            stats(
                pruned.spec(),
                fit.card().provenance(),
                o.out().resolve(ModelCard.WEIGHTS),
                fit.test().map(t -> t.top1()));
        report.put("finetuned", after);
      } finally {
        AtomicFiles.deleteQuietly(tmp.resolve(ModelCard.WEIGHTS));
        AtomicFiles.deleteQuietly(tmp);
      }
    }
    log.println("after:  " + line(after));
    Json.writeFile(o.out().resolve(REPORT), report);
    log.println("wrote " + o.out() + " (model.json, " + ModelCard.WEIGHTS + ", " + REPORT + ")");
    return report;
  }

  /**
   * Taylor scores of every group on the first training batches of {@code source} (un-augmented, the
   * run's batch size, seed and label smoothing).
   */
  private static Map<String, float[]> taylor(
      ModelCard card, Net net, String source, PrintStream log) {
    dev.imgclass.core.ModelSpec spec = net.spec();
    Dataset train = DataSources.open(source, DataSources.Load.of(spec)).train();
    if (!train.classes().equals(spec.classes()))
      throw new ImgclassException(
          "the classes of " + source + " differ from the model's " + spec.classes());
    Map<String, Object> t = card.train();
    TrainConfig.Builder b = TrainConfig.builder();
    b.model = spec.architecture();
    b.widths = spec.widths();
    b.epochs = 1;
    b.augment = "none";
    b.batchSize = intOr(t, "batchSize", b.batchSize);
    b.seed = t.get("seed") instanceof Number n ? n.longValue() : b.seed;
    if (t.get("labelSmoothing") instanceof Number n) b.labelSmoothing = n.doubleValue();
    TrainConfig cfg = b.build();
    try (BatchLoader loader =
        RunAssembly.loader(cfg, train, spec, Augmentation.parse("none"), 0, new DataIssues())) {
      int batches = Math.min(TaylorScores.BATCHES, loader.batchesPerEpoch());
      Map<String, float[]> scores =
          TaylorScores.of(net, loader, new Loss(cfg.labelSmoothing(), spec.numClasses()), batches);
      log.printf(
          "taylor: channels scored on %d training batches of %d images%n",
          batches, cfg.batchSize());
      return scores;
    }
  }

  /** The data named, else the {@code --data} the run records (if any). */
  public static Optional<String> dataSource(ModelCard card, Optional<String> named) {
    return named.or(
        () -> Optional.ofNullable(card.provenance().get("data_source")).map(String::valueOf));
  }

  /**
   * The model must be a run directory and the output a new directory: nothing of the user's is
   * overwritten.
   */
  public static void checkDirs(Path model, Path outDir) throws IOException {
    if (!Files.isDirectory(model))
      throw new ImgclassException(
          "model not found: " + model + " (pass a run directory written by 'imgclass train')");
    Path out = outDir.toAbsolutePath().normalize();
    if (out.equals(model.toAbsolutePath().normalize()))
      throw new ImgclassException("the output directory must differ from the model " + model);
    if (Files.exists(out) && !Files.isDirectory(out))
      throw new ImgclassException(outDir + " exists and is not a directory");
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent())
          throw new ImgclassException(
              "output directory " + outDir + " is not empty: choose a new one");
      }
    }
  }

  /**
   * The test split of {@code source}, checked against the model's classes. Data the run merely
   * records (not named by the user) that can no longer be opened costs only the accuracies.
   */
  private static Optional<Dataset> testSplit(
      String source, Net net, boolean named, PrintStream log) {
    try {
      Optional<Dataset> test = DataSources.open(source, DataSources.Load.of(net.spec())).test();
      if (test.isPresent() && !test.get().classes().equals(net.spec().classes()))
        throw new ImgclassException(
            "the classes of " + source + " differ from the model's " + net.spec().classes());
      if (test.isEmpty()) log.println("note: " + source + " has no test split: no accuracies");
      return test;
    } catch (ImgclassException e) {
      if (named) throw e;
      log.println("note: no accuracies: the run's data cannot be opened (" + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  private static Map<String, Object> stats(Net net, Path weights, Optional<Dataset> test)
      throws IOException {
    Optional<Double> top1 =
        test.map(
            d -> new Evaluator(new TorchClassifier(net, Precision.FP32), 256).evaluate(d).top1());
    Map<String, Object> p = Map.of("parameters", net.paramCount(), "macs_per_image", net.macs());
    return stats(net.spec(), p, weights, top1);
  }

  private static Map<String, Object> stats(
      dev.imgclass.core.ModelSpec spec,
      Map<String, Object> provenance,
      Path weights,
      Optional<Double> top1)
      throws IOException {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("parameters", provenance.get("parameters"));
    s.put("macs_per_image", provenance.get("macs_per_image"));
    s.put("weights_bytes", Files.size(weights));
    top1.ifPresent(t -> s.put("test_top1", t));
    return s;
  }

  private static String line(Map<String, Object> s) {
    String acc =
        s.containsKey("test_top1")
            ? String.format(", test top-1 %.2f%%", 100 * (double) s.get("test_top1"))
            : "";
    return String.format(
        "%,d parameters, %,d MACs per image, weights %.1f kB%s",
        ((Number) s.get("parameters")).longValue(),
        ((Number) s.get("macs_per_image")).longValue(),
        ((Number) s.get("weights_bytes")).longValue() / 1e3,
        acc);
  }

  /** Each group's width before and after, by name. */
  private static Map<String, List<Integer>> groups(Net before, Net after) {
    Map<String, Integer> now = new LinkedHashMap<>();
    for (ChannelGroup g : after.channelGroups()) now.put(g.name(), g.width());
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    for (ChannelGroup g : before.channelGroups())
      out.put(g.name(), List.of(g.width(), now.get(g.name())));
    return out;
  }

  /**
   * model.json of a pruned model that was not fine-tuned: the original's card with the pruned spec,
   * its parameters and MACs, the pruning record, and the metrics measured now (the original's no
   * longer describe it).
   */
  private static void writeCard(
      ModelCard card, Net pruned, Map<String, Object> record, Map<String, Object> after, Path out) {
    Map<String, Object> provenance = new LinkedHashMap<>(card.provenance());
    provenance.put("parameters", pruned.paramCount());
    provenance.put("macs_per_image", pruned.macs());
    provenance.put("pruned", record);
    Map<String, Object> metrics = new LinkedHashMap<>();
    if (after.containsKey("test_top1")) metrics.put("test_top1", after.get("test_top1"));
    new ModelCard(ModelCard.FORMAT, pruned.spec(), provenance, card.train(), metrics).write(out);
  }

  /**
   * Fine-tunes a (pruned) model into the run directory {@code out} through the ordinary training
   * run: the data settings of {@code card} (size, channels, limit, validation share, seed, batch,
   * precision, loss settings), so it sees the same images, from {@code weights} at {@code spec}'s
   * widths, for {@code epochs} at {@code lr} without warm-up; distilled from {@code teacher} (a run
   * directory or .onnx file) when one is given. The pruning {@code record}, if any, is added to the
   * result's provenance.
   */
  public static TrainRun.Result finetune(
      ModelCard card,
      dev.imgclass.core.ModelSpec spec,
      Path weights,
      int epochs,
      double lr,
      int threads,
      Optional<Path> teacher,
      String source,
      Path out,
      Map<String, Object> record,
      PrintStream log) {
    Map<String, Object> t = card.train();
    TrainConfig.Builder b = TrainConfig.builder();
    b.model = spec.architecture();
    b.widths = spec.widths();
    b.epochs = epochs;
    b.lr = lr;
    b.warmupEpochs = 0.0;
    b.threads = threads;
    b.initWeights = weights.toString();
    b.batchSize = intOr(t, "batchSize", b.batchSize);
    b.imageSize = intOr(t, "imageSize", b.imageSize);
    b.channels = intOr(t, "channels", b.channels);
    b.limit = intOr(t, "limit", b.limit);
    b.seed = t.get("seed") instanceof Number n ? n.longValue() : b.seed;
    if (t.get("valFraction") instanceof Number n) b.valFraction = n.doubleValue();
    if (t.get("labelSmoothing") instanceof Number n) b.labelSmoothing = n.doubleValue();
    if (t.get("precision") instanceof String s) b.precision = s;
    teacher.ifPresent(p -> b.teacher = p.toString());
    TrainRun.Result fit = TrainRun.run(b.build(), source, out, false, log);
    if (record != null) {
      ModelCard done = ModelCard.read(out);
      Map<String, Object> provenance = new LinkedHashMap<>(done.provenance());
      provenance.put("pruned", record);
      new ModelCard(done.format(), done.spec(), provenance, done.train(), done.metrics())
          .write(out);
    }
    return fit;
  }

  private static int intOr(Map<String, Object> m, String key, int fallback) {
    return m.get(key) instanceof Number n ? n.intValue() : fallback;
  }
}
