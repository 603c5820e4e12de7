package dev.imgclass.train.labels;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.Splits;
import dev.imgclass.eval.ConfidentLearning;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.LabelIssue;
import dev.imgclass.eval.NearDuplicates;
import dev.imgclass.eval.report.LabelIssuesPage;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.TorchClassifier;
import dev.imgclass.train.models.Weights;
import dev.imgclass.train.training.DataOptions;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Finds likely mislabelled images: K-fold cross-validation gives every image a predicted
 * probability vector from a model that never trained on it, and confident learning ({@link
 * ConfidentLearning}) turns those into the images whose given label is least believable, a
 * suggested label for each, the estimated noise matrix and the share of wrong labels per class.
 *
 * <p>Each fold is an ordinary run directory under {@code OUT/folds/fold-K} (model.json, weights,
 * checkpoints) plus {@code heldout.safetensors} with its out-of-fold probabilities, so an
 * interrupted search resumes where it stopped: finished folds are read back, a fold with a
 * checkpoint continues exactly, the rest start. The user's images are only read.
 */
public final class LabelIssues {
  private LabelIssues() {}

  /** The file of a fold's out-of-fold probabilities. */
  static final String HELDOUT = "heldout.safetensors";

  /**
   * Every image's out-of-fold probabilities ({@code probs}, n × K, rows of -1 for unreadable
   * images) and given labels ({@code labels}), in the split's order, for analyses of one's own.
   */
  public static final String OUT_OF_FOLD = "out_of_fold.safetensors";

  /** The page of the most likely errors, and how many it shows. */
  public static final String PAGE = "label_issues.html";

  static final int PAGE_MAX = 100;

  static final int PAGE_MAX_PAIRS = 50;

  /** Near-duplicate pairs listed in label_issues.json (the CSV has them all). */
  static final int JSON_MAX_PAIRS = 1000;

  /**
   * What a search found.
   *
   * @param images images scored (unreadable ones are not)
   * @param classes class names in index order
   * @param issues suspected label errors, most likely first
   * @param baseline how many images the plain "the model disagrees" rule would flag
   * @param noiseMatrix P(given = row | true = column)
   * @param wrongShare per class, the estimated share of images given that class whose label is
   *     wrong
   * @param outOfFoldAccuracy share of images whose out-of-fold top-1 is their given label
   * @param seconds wall time
   * @param duplicates near-duplicate images with different labels, most alike first (indices into
   *     the searched split)
   */
  public record Report(
      int images,
      List<String> classes,
      List<LabelIssue> issues,
      int baseline,
      double[][] noiseMatrix,
      double[] wrongShare,
      double outOfFoldAccuracy,
      double seconds,
      List<Duplicate> duplicates) {

    /** The estimated share of wrong labels over all scored images. */
    public double estimatedWrong() {
      return images == 0 ? 0 : (double) issues.size() / images;
    }
  }

  /**
   * Searches {@code split} of {@code data}: {@code train} with {@code folds} folds, each trained
   * with {@code cfg}; {@code test} with one model trained on the whole training split (the test
   * images are out of sample for it). Writes {@code label_issues.csv}, {@code label_issues.json},
   * {@code label_issues.html} and {@code out_of_fold.safetensors} into {@code outDir}.
   */
  public static Report run(
      TrainConfig cfg,
      String data,
      String split,
      int folds,
      DataOptions options,
      Path outDir,
      PrintStream out) {
    return run(
        cfg,
        data,
        split,
        folds,
        NearDuplicates.DEFAULT_MAX_DISTANCE,
        NearDuplicates.DEFAULT_MIN_CORRELATION,
        options,
        outDir,
        out);
  }

  /**
   * As {@link #run(TrainConfig, String, String, int, DataOptions, Path, PrintStream)}, with the
   * near-duplicate search's hash distance ({@code -1}: no near-duplicate search) and correlation
   * ({@link NearDuplicates}); it also writes {@code near_duplicates.csv}.
   */
  public static Report run(
      TrainConfig cfg,
      String data,
      String split,
      int folds,
      int duplicateDistance,
      double duplicateCorrelation,
      DataOptions options,
      Path outDir,
      PrintStream out) {
    long t0 = System.nanoTime();
    // settings are checked before any training: a typo must not cost an hour of folds
    if (duplicateDistance < -1 || duplicateDistance > 16)
      throw new ImgclassException(
          "--duplicate-distance must be in [0, 16] hash bits (or -1: no near-duplicate search),"
              + " got "
              + duplicateDistance);
    if (!(duplicateCorrelation >= -1 && duplicateCorrelation <= 1))
      throw new ImgclassException(
          "--duplicate-correlation must be in [-1, 1], got " + duplicateCorrelation);
    if (folds < 2 || folds > 20)
      throw new ImgclassException(
          "--folds must be in [2, 20] (every image is scored by a model trained on the other"
              + " folds), got "
              + folds);
    ModelRegistry.Entry entry = ModelRegistry.entry(cfg.model());
    int size = cfg.imageSize() > 0 ? cfg.imageSize() : entry.defaultInputSize();
    int channels = cfg.channels() > 0 ? cfg.channels() : 3;
    DataSplits splits =
        DataSources.open(data, new DataSources.Load(channels, size, options.maxPixels()));
    Dataset all =
        switch (split.toLowerCase(Locale.ROOT)) {
          case "train" -> splits.train();
          case "test" ->
              splits
                  .test()
                  .orElseThrow(
                      () -> new ImgclassException(data + " has no test split: use --split train"));
          default -> throw new ImgclassException("--split must be train or test, got " + split);
        };
    if (cfg.limit() > 0) all = Splits.limit(all, cfg.limit(), cfg.seed());
    List<String> classes = all.classes();
    if (classes.size() < 2)
      throw new ImgclassException("label issues need at least 2 classes, " + data + " has 1");
    if (all.size() < 2 * folds)
      throw new ImgclassException(
          "label issues need at least "
              + 2 * folds
              + " images for "
              + folds
              + " folds, the data has "
              + all.size());

    int k = classes.size();
    float[][] probs = new float[all.size()][];
    boolean testSplit = split.equalsIgnoreCase("test");
    if (testSplit) {
      // the test images were never trained on: one model on the training split scores them all
      if (!splits.train().classes().equals(classes))
        throw new ImgclassException(
            data + ": the train and test splits have different classes; search --split train");
      int[] every = java.util.stream.IntStream.range(0, all.size()).toArray();
      Path dir = outDir.resolve("folds").resolve("train-split");
      probs =
          foldProbabilities(
              cfg,
              splits.train(),
              all,
              every,
              "the training split",
              "model on the training split",
              options,
              dir,
              out);
    } else {
      int[] fold = assignFolds(all, folds, cfg.seed());
      for (int f = 0; f < folds; f++) {
        int[] held = indices(fold, f, true);
        int[] rest = indices(fold, f, false);
        Path dir = outDir.resolve("folds").resolve("fold-" + (f + 1));
        float[][] p =
            foldProbabilities(
                cfg,
                all.subset(rest),
                all.subset(held),
                held,
                "fold " + (f + 1) + " of " + folds + " (" + rest.length + " images)",
                "fold " + (f + 1) + "/" + folds,
                options,
                dir,
                out);
        for (int j = 0; j < held.length; j++) probs[held[j]] = p[j];
      }
    }
    float[][] oof = probs;

    // unreadable images have no probabilities: they are listed by the data check, not here
    int[] scored =
        java.util.stream.IntStream.range(0, all.size()).filter(i -> oof[i] != null).toArray();
    float[][] sp = new float[scored.length][];
    int[] given = new int[scored.length];
    for (int j = 0; j < scored.length; j++) {
      sp[j] = oof[scored[j]];
      given[j] = all.label(scored[j]);
    }
    ConfidentLearning.Result cl = ConfidentLearning.estimate(sp, given);
    List<LabelIssue> issues = new ArrayList<>();
    for (ConfidentLearning.Issue i : cl.issues()) {
      int index = scored[i.index()];
      issues.add(
          new LabelIssue(
              i.rank(),
              index,
              all.name(index),
              classes.get(i.given()),
              classes.get(i.suggested()),
              i.givenProb(),
              i.suggestedProb()));
    }
    int baseline = ConfidentLearning.disagreements(sp, given).size();
    List<NearDuplicates.Pair> pairs = List.of();
    if (duplicateDistance >= 0) {
      out.printf("looking for near-duplicates with different labels in %,d images%n", all.size());
      pairs = NearDuplicates.find(all, duplicateDistance, duplicateCorrelation).pairs();
    }
    List<Duplicate> duplicates = new ArrayList<>();
    for (NearDuplicates.Pair p : pairs)
      duplicates.add(
          new Duplicate(
              all.name(p.a()),
              p.a(),
              classes.get(all.label(p.a())),
              all.name(p.b()),
              p.b(),
              classes.get(all.label(p.b())),
              p.distance(),
              p.correlation()));
    Report report =
        new Report(
            scored.length,
            classes,
            List.copyOf(issues),
            baseline,
            cl.noiseMatrix(),
            cl.noiseRates(),
            scored.length == 0 ? 0 : 1 - (double) baseline / scored.length,
            (System.nanoTime() - t0) / 1e9,
            List.copyOf(duplicates));
    write(report, data, split, testSplit ? 0 : folds, outDir);
    LabelIssuesPage.write(
        outDir.resolve(PAGE),
        "Likely label errors: " + data + " (" + split + ")",
        String.format(
            Locale.ROOT,
            "%,d images scored %s; %,d flagged by confident learning (%.2f %%), the first %d"
                + " here, least believable first; %,d near-duplicate pairs with different labels.",
            report.images(),
            testSplit
                ? "by a model trained on the training split"
                : "out of fold, " + folds + " folds",
            report.issues().size(),
            100 * report.estimatedWrong(),
            Math.min(PAGE_MAX, report.issues().size()),
            report.duplicates().size()),
        all,
        report.issues(),
        PAGE_MAX,
        pairs,
        PAGE_MAX_PAIRS,
        i -> oof[i]);
    writeOutOfFold(outDir.resolve(OUT_OF_FOLD), probs, all, k);
    return report;
  }

  /** Stratified folds: each class's images shuffled (seeded) and dealt out in turn. */
  static int[] assignFolds(Dataset d, int folds, long seed) {
    int[] fold = new int[d.size()];
    int[] next = new int[d.classes().size()];
    int[] order = java.util.stream.IntStream.range(0, d.size()).toArray();
    Splits.shuffle(order, new SplittableRandom(seed ^ 0x5f0d5L));
    for (int i : order) {
      int c = d.label(i);
      fold[i] = next[c]++ % folds;
    }
    return fold;
  }

  private static int[] indices(int[] fold, int f, boolean in) {
    return java.util.stream.IntStream.range(0, fold.length)
        .filter(i -> (fold[i] == f) == in)
        .toArray();
  }

  /**
   * Out-of-sample probabilities of {@code scored} from a model trained on {@code train} in {@code
   * dir}: read back when done before, else trained (or resumed) and predicted.
   */
  private static float[][] foldProbabilities(
      TrainConfig cfg,
      Dataset train,
      Dataset scored,
      int[] held,
      String description,
      String label,
      DataOptions options,
      Path dir,
      PrintStream out) {
    Path heldFile = dir.resolve(HELDOUT);
    int k = train.classes().size();
    if (Files.isRegularFile(heldFile)) {
      float[][] p = readHeldout(heldFile, held, k);
      out.printf(
          "%s: done before, %,d out-of-sample probabilities read back%n", label, held.length);
      return p;
    }
    if (!Files.isRegularFile(dir.resolve(ModelCard.FILE))) {
      boolean resume = Files.isDirectory(dir.resolve("checkpoints").resolve("last"));
      out.printf(
          "%s: %s on %,d images, scoring %,d%n",
          label, resume ? "resuming training" : "training", train.size(), scored.size());
      DataSplits foldData = new DataSplits(description, train, Optional.empty(), Optional.empty());
      TrainRun.run(cfg, foldData, options, dir, resume, out);
    }
    var net = Weights.loadModelDir(dir);
    Evaluator.Predictions p =
        new Evaluator(new TorchClassifier(net, Precision.parse(cfg.precision())), 256)
            .predict(scored);
    float[][] probs = new float[held.length][];
    for (int j = 0; j < p.indices().length; j++) probs[p.indices()[j]] = p.probs()[j];
    writeHeldout(heldFile, probs, k);
    return probs;
  }

  /** Rows of unreadable images are all -1 (no probabilities). */
  private static void writeHeldout(Path file, float[][] probs, int k) {
    Safetensors.write(file, Map.of("probs", probsTensor(probs, k)), Map.of("format", "pt"));
  }

  private static void writeOutOfFold(Path file, float[][] probs, Dataset all, int k) {
    long[] labels = new long[probs.length];
    for (int i = 0; i < probs.length; i++) labels[i] = all.label(i);
    Map<String, TensorData> t = new LinkedHashMap<>();
    t.put("probs", probsTensor(probs, k));
    t.put("labels", TensorData.ofLongs(labels, probs.length));
    Safetensors.write(file, t, Map.of("classes", String.join(",", all.classes())));
  }

  /** n × k probabilities as one F32 tensor, rows of -1 where an image has none. */
  private static TensorData probsTensor(float[][] probs, int k) {
    float[] flat = new float[probs.length * k];
    Arrays.fill(flat, -1f);
    for (int i = 0; i < probs.length; i++)
      if (probs[i] != null) System.arraycopy(probs[i], 0, flat, i * k, k);
    return TensorData.ofFloats(flat, probs.length, k);
  }

  private static float[][] readHeldout(Path file, int[] held, int k) {
    TensorData t = Safetensors.read(file).tensors().get("probs");
    if (t == null || t.shape().length != 2 || t.shape()[0] != held.length || t.shape()[1] != k)
      throw new ImgclassException(
          file
              + " does not hold this fold's "
              + held.length
              + " x "
              + k
              + " probabilities: it is from another search; use another --out");
    float[] flat = t.toFloats();
    float[][] out = new float[held.length][];
    for (int i = 0; i < held.length; i++) {
      if (flat[i * k] < 0) continue;
      out[i] = Arrays.copyOfRange(flat, i * k, (i + 1) * k);
    }
    return out;
  }

  /** The near-duplicates with different labels, one row a pair. */
  public static final String DUPLICATES = "near_duplicates.csv";

  /**
   * Two images that look the same and carry different labels.
   *
   * @param pathA one image's file (or {@code #index})
   * @param indexA its index in the searched split
   * @param labelA its label
   * @param pathB the other image
   * @param indexB its index
   * @param labelB its label
   * @param hashDistance differing perceptual-hash bits
   * @param correlation pixel correlation of the grey images (1: equal up to brightness)
   */
  public record Duplicate(
      String pathA,
      int indexA,
      String labelA,
      String pathB,
      int indexB,
      String labelB,
      int hashDistance,
      double correlation) {}

  /**
   * label_issues.csv (one row an issue), near_duplicates.csv (one row a pair) and label_issues.json
   * (everything).
   */
  static void write(Report r, String data, String split, int folds, Path outDir) {
    StringBuilder csv =
        new StringBuilder(
            "rank,path,index,given_label,suggested_label,given_prob,suggested_prob\n");
    for (LabelIssue i : r.issues()) {
      csv.append(i.rank())
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(i.name()))
          .append(',')
          .append(i.index())
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(i.given()))
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(i.suggested()))
          .append(',')
          .append(
              String.format(
                  Locale.ROOT, "%.4f,%.4f", i.givenProbability(), i.suggestedProbability()))
          .append('\n');
    }
    AtomicFiles.write(
        outDir.resolve("label_issues.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
    StringBuilder dup =
        new StringBuilder(
            "path_a,index_a,label_a,path_b,index_b,label_b,hash_distance,correlation\n");
    for (Duplicate p : r.duplicates())
      dup.append(dev.imgclass.data.CsvManifest.quote(p.pathA()))
          .append(',')
          .append(p.indexA())
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(p.labelA()))
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(p.pathB()))
          .append(',')
          .append(p.indexB())
          .append(',')
          .append(dev.imgclass.data.CsvManifest.quote(p.labelB()))
          .append(String.format(Locale.ROOT, ",%d,%.4f\n", p.hashDistance(), p.correlation()));
    AtomicFiles.write(outDir.resolve(DUPLICATES), dup.toString().getBytes(StandardCharsets.UTF_8));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", data);
    m.put("split", split);
    m.put("folds", folds);
    m.put("images", r.images());
    m.put("classes", r.classes());
    m.put("issues", r.issues().size());
    m.put("estimated_wrong_share", r.estimatedWrong());
    m.put("disagreement_baseline", r.baseline());
    m.put("out_of_fold_accuracy", r.outOfFoldAccuracy());
    Map<String, Double> share = new LinkedHashMap<>();
    for (int c = 0; c < r.classes().size(); c++) share.put(r.classes().get(c), r.wrongShare()[c]);
    m.put("wrong_share_per_class", share);
    m.put("noise_matrix_given_by_true", r.noiseMatrix());
    m.put("seconds", r.seconds());
    m.put("near_duplicates", r.duplicates().size());
    m.put(
        "near_duplicate_pairs",
        r.duplicates().subList(0, Math.min(JSON_MAX_PAIRS, r.duplicates().size())));
    m.put("label_issues", r.issues());
    AtomicFiles.write(
        outDir.resolve("label_issues.json"), Json.write(m).getBytes(StandardCharsets.UTF_8));
  }
}
