package dev.imgclass.cli;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.train.data.DataSources;
import dev.imgclass.train.data.DataSplits;
import dev.imgclass.train.data.Dataset;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.eval.Evaluator;
import dev.imgclass.train.models.Net;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imgclass eval}: accuracy, per-class metrics, confusion and calibration on a split. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate a model on a data split: top-1/top-5, per-class P/R/F1, confusion, calibration.")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Run directory.")
  Path model;

  @Option(
      names = "--data",
      required = true,
      description = "fashion-mnist, a folder of IDX files, or synthetic[:N].")
  String data;

  @Option(names = "--split", defaultValue = "test", description = "test or train (default: test).")
  String split;

  @Option(names = "--json", description = "Print the report as one JSON document.")
  boolean json;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Intra-op threads (default: all cores).")
  int threads;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description = "fp32 or bf16 (default: fp32).")
  String precision;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Images per forward pass (default: 256).")
  int batchSize;

  @Override
  public Integer call() {
    Engine.threads(threads);
    Net net = ModelLoader.load(model);
    DataSplits splits = DataSources.open(data);
    Dataset d =
        switch (split) {
          case "test" ->
              splits
                  .test()
                  .orElseThrow(
                      () -> new ImgclassException(data + " has no test split: use --split train"));
          case "train" -> splits.train();
          default ->
              throw new ImgclassException("unknown --split '" + split + "': use test or train");
        };
    checkClasses(net.spec().classes(), d.classes());
    EvalReport r = new Evaluator(net, Precision.parse(precision), batchSize).evaluate(d);
    Json.writeFile(
        model.resolve(split.equals("test") ? "eval.json" : "eval-" + split + ".json"), r);
    if (json) {
      System.out.println(Json.write(r));
    } else {
      System.out.printf("%s on %s (%s split)%n", model, splits.description(), split);
      System.out.print(r.toTable());
    }
    return 0;
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
