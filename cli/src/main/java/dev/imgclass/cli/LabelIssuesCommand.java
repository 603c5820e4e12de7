package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.train.labels.LabelIssues;
import dev.imgclass.train.training.TrainConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass data label-issues}: likely mislabelled images by cross-validation. */
@Command(
    name = "label-issues",
    mixinStandardHelpOptions = true,
    description = {
      "Find likely mislabelled images: K-fold cross-validation scores every image with a model"
          + " that never trained on it, confident learning picks the labels the models do not"
          + " believe. Writes label_issues.csv and label_issues.json into --out; each fold is a"
          + " run directory under --out/folds, so a stopped search resumes. Images are only read.",
      "The fold models take every train option (--model, --epochs, ...); label smoothing is off"
          + " unless --label-smoothing is given."
    })
final class LabelIssuesCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DATA", description = DataHelp.FORMS)
  String data;

  @Option(names = "--out", required = true, description = "Folder for the results and folds.")
  Path out;

  @Option(
      names = "--folds",
      defaultValue = "4",
      description = "Cross-validation folds (default: 4).")
  int folds;

  @Option(
      names = "--split",
      defaultValue = "train",
      description =
          "Which images to search: train (by K-fold cross-validation) or test (scored by one"
              + " model trained on the training split) (default: train).")
  String split;

  @Option(
      names = "--duplicate-distance",
      defaultValue = "6",
      description =
          "Near-duplicates with different labels: perceptual-hash bits that may differ, 0-16, or"
              + " -1 for no near-duplicate search (default: 6).")
  int duplicateDistance;

  @Option(
      names = "--duplicate-correlation",
      defaultValue = "0.99",
      description =
          "Near-duplicates: least pixel correlation of the two grey images at up to 32x32"
              + " (default: 0.99).")
  double duplicateCorrelation;

  @Option(names = "--top", defaultValue = "10", description = "Issues to print (default: 10).")
  int top;

  @Option(
      names = "--json",
      description = "Print the result as one JSON document (progress goes to stderr).")
  boolean json;

  @Mixin TrainOptions options = new TrainOptions();

  @Mixin DataFlags dataFlags = new DataFlags();

  @Override
  public Integer call() {
    TrainConfig.Builder b = TrainConfig.builder();
    // confident learning compares probabilities with per-class mean confidences: label smoothing
    // squeezes every confidence towards 1 - eps and hides the flipped images among the rest
    b.labelSmoothing = 0;
    options.apply(b);
    // the folds keep the recipe every measured detection in docs/LABELS.md was trained with
    if (b.augment == null)
      b.augment = b.epochs < TrainConfig.AUGMENT_FROM_EPOCHS ? "none" : "light";
    TrainConfig cfg = b.build();
    PrintStream progress = json ? System.err : System.out;
    LabelIssues.Report r =
        LabelIssues.run(
            cfg,
            data,
            split,
            folds,
            duplicateDistance,
            duplicateCorrelation,
            dataFlags.options(),
            out,
            progress);
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("out", out.toString());
      m.put("images", r.images());
      m.put("issues", r.issues().size());
      m.put("estimated_wrong_share", r.estimatedWrong());
      m.put("disagreement_baseline", r.baseline());
      m.put("out_of_fold_accuracy", r.outOfFoldAccuracy());
      m.put("near_duplicates", r.duplicates().size());
      m.put("seconds", r.seconds());
      m.put("top", r.issues().subList(0, Math.min(top, r.issues().size())));
      System.out.println(Json.write(m));
      return Main.OK;
    }
    PrintStream o = System.out;
    o.printf(
        Locale.ROOT,
        "%,d images scored %s (top-1 agrees with the given label for %.2f%%):"
            + " %,d likely label errors (%.2f%%); the model-disagrees rule would flag %,d%n",
        r.images(),
        split.equalsIgnoreCase("test")
            ? "by a model trained on the training split"
            : "out of fold (" + folds + " folds)",
        100 * r.outOfFoldAccuracy(),
        r.issues().size(),
        100 * r.estimatedWrong(),
        r.baseline());
    o.println("estimated share of wrong labels per class:");
    for (int c = 0; c < r.classes().size(); c++)
      o.printf(Locale.ROOT, "  %-16s %5.2f%%%n", r.classes().get(c), 100 * r.wrongShare()[c]);
    int n = Math.min(top, r.issues().size());
    if (n > 0) {
      o.printf("most likely wrong (%d of %,d):%n", n, r.issues().size());
      o.println("  rank  image                           given          p     suggested      p");
      for (dev.imgclass.eval.LabelIssue i : r.issues().subList(0, n))
        o.printf(
            Locale.ROOT,
            "  %4d  %-30s  %-12s %5.3f  %-12s %5.3f%n",
            i.rank(),
            i.name(),
            i.given(),
            i.givenProbability(),
            i.suggested(),
            i.suggestedProbability());
    }
    if (duplicateDistance < 0) o.println("near-duplicates: not searched (--duplicate-distance -1)");
    else {
      o.printf(
          Locale.ROOT,
          "near-duplicates with different labels: %,d pairs (hash within %d bits, correlation"
              + " >= %.3f)%n",
          r.duplicates().size(),
          duplicateDistance,
          duplicateCorrelation);
      for (var p : r.duplicates().subList(0, Math.min(top, r.duplicates().size())))
        o.printf(
            Locale.ROOT,
            "  %-30s %-12s  %-30s %-12s  r %.4f  %d bits%n",
            p.pathA(),
            p.labelA(),
            p.pathB(),
            p.labelB(),
            p.correlation(),
            p.hashDistance());
    }
    o.println(
        "written to "
            + out
            + ": label_issues.csv, near_duplicates.csv, label_issues.json, label_issues.html,"
            + " out_of_fold.safetensors, folds/");
    return Main.OK;
  }
}
