package dev.imgclass.cli;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.runtime.Classifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code imgclass eval}: accuracy, per-class metrics, confusion and calibration on a split. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a run directory or .onnx model on a data split: top-1/top-5, per-class P/R/F1, confusion, calibration.")
final class EvalCommand implements Callable<Integer> {
  @Mixin ModelOptions model = new ModelOptions();

  @Option(names = "--data", required = true, description = "Test data: " + DataHelp.FORMS)
  String data;

  @Option(names = "--split", defaultValue = "test", description = "test or train (default: test).")
  String split;

  @Option(names = "--json", description = "Print the report as one JSON document.")
  boolean json;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Images per forward pass (default: 256).")
  int batchSize;

  @Override
  public Integer call() {
    if (batchSize < 1)
      throw new ImgclassException("--batch-size must be at least 1, got " + batchSize);
    EvalReport r;
    DataSplits splits;
    try (Classifier c = model.open()) {
      splits = DataSources.open(data, DataSources.Load.of(c.spec()));
      Dataset d =
          switch (split) {
            case "test" ->
                splits
                    .test()
                    .orElseThrow(
                        () ->
                            new ImgclassException(
                                data + " has no test split: use --split train or --split val"));
            case "val" ->
                splits
                    .val()
                    .orElseThrow(
                        () -> new ImgclassException(data + " has no val split: use --split train"));
            case "train" -> splits.train();
            default ->
                throw new ImgclassException(
                    "unknown --split '" + split + "': use test, val or train");
          };
      checkClasses(c.spec().classes(), d.classes());
      Evaluator.Predictions p = new Evaluator(c, batchSize).predict(d);
      r = new Evaluator(c, batchSize).report(p);
      for (var issue : p.skipped()) System.err.println("skipped: " + issue.message());
    }
    Json.writeFile(reportFile(), r);
    if (json) {
      System.out.println(Json.write(r));
    } else {
      System.out.printf("%s on %s (%s split)%n", model.model, splits.description(), split);
      System.out.print(r.toTable());
    }
    return 0;
  }

  /** eval.json in a run directory; NAME.eval.json beside an .onnx file. */
  private Path reportFile() {
    String suffix = "eval" + (split.equals("test") ? "" : "-" + split) + ".json";
    if (!model.isOnnx()) return model.model.resolve(suffix);
    String base = model.model.getFileName().toString().replaceAll("(?i)\\.onnx$", "");
    return model.model.toAbsolutePath().resolveSibling(base + "." + suffix);
  }

  static void checkClasses(List<String> model, List<String> data) {
    checkClasses(model, "the model", data, "the data");
  }

  /** Refuses two class lists that differ, naming the classes only one side has. */
  static void checkClasses(List<String> a, String aName, List<String> b, String bName) {
    if (a.equals(b)) return;
    List<String> onlyA = new ArrayList<>(a);
    onlyA.removeAll(b);
    List<String> onlyB = new ArrayList<>(b);
    onlyB.removeAll(a);
    String diff =
        onlyA.isEmpty() && onlyB.isEmpty()
            ? "same names in another order"
            : "only in " + aName + ": " + onlyA + ", only in " + bName + ": " + onlyB;
    throw new ImgclassException(aName + "'s classes differ from " + bName + "'s (" + diff + ")");
  }
}
