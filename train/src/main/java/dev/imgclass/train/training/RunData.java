package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.data.Splits;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.WeightsCard;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The data of one training run, opened, checked or cached, and split: the first step of {@link
 * RunAssembly}, shared by {@link TrainRun} and the benchmarks.
 *
 * @param splits the data as opened (description, test split)
 * @param train images to learn from (cached when the files fit in memory)
 * @param val images to pick the best checkpoint on
 * @param issues files skipped or unusable, for {@code data_issues.json}
 * @param files whether the training images came from files
 * @param fingerprint names the usable training images, however they are held
 * @param workers threads that decode and augment
 */
public record RunData(
    DataSplits splits,
    Dataset train,
    Optional<Dataset> val,
    DataIssues issues,
    boolean files,
    String fingerprint,
    int workers) {

  /** Opens {@code source} at the image size and channels the run asks for (or its model's). */
  public static RunData open(
      TrainConfig cfg, String source, DataOptions options, Path runDir, PrintStream out) {
    DataSplits splits = DataSources.open(source, load(cfg, options, out));
    Dataset train0 = splits.train();
    if (cfg.imageSize() > 0
        && !(train0 instanceof FileDataset)
        && train0.height() != cfg.imageSize())
      out.printf(
          "note: --image-size %d resizes image files only; this data keeps its %d px%n",
          cfg.imageSize(), train0.height());
    return of(cfg, splits, options, runDir, out);
  }

  /**
   * The shape the run reads image files at: {@code cfg.imageSize()}, else a finetune checkpoint's
   * input size (said on {@code out}), else the model's default; {@code cfg.channels()}, else RGB.
   * IDX and generated data keep their own shape whatever this says.
   */
  public static DataSources.Load load(TrainConfig cfg, DataOptions options, PrintStream out) {
    ModelRegistry.Entry entry = ModelRegistry.entry(cfg.model()); // fail fast on a bad name
    int cardSize = WeightsCard.forRun(cfg).map(WeightsCard::inputSize).orElse(0);
    int size =
        cfg.imageSize() > 0 ? cfg.imageSize() : cardSize > 0 ? cardSize : entry.defaultInputSize();
    if (cfg.imageSize() == 0 && cardSize > 0)
      out.printf("finetune: image files resized to %d px, the checkpoint's input size%n", cardSize);
    int channels = cfg.channels() > 0 ? cfg.channels() : 3;
    return new DataSources.Load(channels, size, options.maxPixels());
  }

  /**
   * Limits the training images, checks or caches files (writing {@code data_issues.json} into
   * {@code runDir}, refusing above {@code cfg.maxBad()}), and holds out the validation split.
   */
  public static RunData of(
      TrainConfig cfg, DataSplits splits, DataOptions options, Path runDir, PrintStream out) {
    DataIssues issues = splits.issues();
    int workers = options.workers();
    Dataset all =
        Splits.limit(splits.train(), cfg.limit() > 0 ? cfg.limit() : Integer.MAX_VALUE, cfg.seed());
    Optional<Dataset> val = splits.val();
    boolean files = all instanceof FileDataset;
    String fileFingerprint = null;
    if (all instanceof FileDataset f) {
      boolean cache = options.caches(f);
      out.printf(
          "data: reading %,d training files with %d workers%s%n",
          f.size(), workers, cache ? " into the in-memory cache" : " to check them");
      DataIssues trainIssues = new DataIssues();
      all = cache ? f.cache(workers, trainIssues) : f.check(workers, trainIssues);
      issues.addAll(trainIssues);
      // the usable files name the data, however they are held (cached or not)
      fileFingerprint = f.without(trainIssues).fingerprint();
      Path issuesFile = runDir.resolve(TrainRun.DATA_ISSUES);
      createDirectories(runDir);
      issues.write(issuesFile);
      int bad = trainIssues.badCount();
      if (bad > 0) {
        out.printf(
            "data: %d of %,d training files unusable, skipped (listed in %s): %s%n",
            bad, f.size(), issuesFile, trainIssues.badFiles().get(0).message());
      }
      if (bad > cfg.maxBad() * f.size()) {
        throw new ImgclassException(
            String.format(
                "%d of %d training files (%.1f%%) are unreadable, above --max-bad %s; they are listed in %s",
                bad, f.size(), 100.0 * bad / f.size(), cfg.maxBad(), issuesFile));
      }
      if (cache && val.isPresent() && val.get() instanceof FileDataset fv) {
        DataIssues valIssues = new DataIssues();
        val = Optional.of(fv.cache(workers, valIssues));
        issues.addAll(valIssues);
        issues.write(issuesFile);
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
    return new RunData(splits, train, val, issues, files, fingerprint, workers);
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ImgclassException("cannot write to " + dir + ": " + e.getMessage(), e);
    }
  }
}
