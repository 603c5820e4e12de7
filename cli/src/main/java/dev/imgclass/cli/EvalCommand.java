package dev.imgclass.cli;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSpec;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.FlipAveraging;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  @Option(
      names = "--data",
      required = true,
      description =
          "Test data: "
              + DataHelp.FORMS
              + " The report goes to the run's eval.json (NAME.eval.json beside an .onnx file)"
              + " when this is the data the model was trained on, else to eval-<data>.json, so"
              + " the run's own test evaluation is kept.")
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

  @Option(
      names = "--tta",
      defaultValue = "none",
      description =
          "Test-time augmentation: none, or flip (average the logits of each image and its mirror;"
              + " twice the work). A report with flip goes to eval-tta-flip.json (default: none).")
  String tta;

  @Override
  public Integer call() {
    String t = FlipAveraging.check(tta);
    if (batchSize < 1)
      throw new ImgclassException("--batch-size must be at least 1, got " + batchSize);
    EvalReport r;
    DataSplits splits;
    DataSpec spec = DataSpec.parse(data);
    try (Classifier c = FlipAveraging.wrap(model.open(), t)) {
      splits = DataSources.open(spec, DataSources.Load.of(c.spec()));
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
    Path file =
        reportFile(
            (ownData(spec, splits) ? "" : "-" + spec.slug())
                + (t.equals("none") ? "" : "-tta-" + t));
    Json.writeFile(file, r);
    if (json) {
      System.out.println(Json.write(r));
      System.err.println("wrote " + file); // stdout holds the JSON document only
    } else {
      System.out.printf("%s on %s (%s split)%n", model.model, splits.description(), split);
      System.out.print(r.toTable());
      System.out.println("wrote " + file);
    }
    return 0;
  }

  /**
   * True when {@code spec} is the data the model was trained on: its provenance names the same
   * {@code data_source}, or the training split has the recorded {@code data_fingerprint}.
   */
  private boolean ownData(DataSpec spec, DataSplits splits) {
    Map<String, Object> provenance = provenance();
    Object source = provenance.get("data_source");
    if (source != null) {
      try {
        if (DataSpec.parse(source.toString()).sameData(spec)) return true;
      } catch (ImgclassException gone) {
        // the training data is no longer where it was: compare fingerprints instead
      }
    }
    Object fingerprint = provenance.get("data_fingerprint");
    return fingerprint != null && fingerprint.toString().equals(splits.train().fingerprint());
  }

  /** The model's provenance: model.json in a run directory, the metadata of an .onnx file. */
  private Map<String, Object> provenance() {
    try {
      if (!model.isOnnx()) return ModelCard.read(model.model).provenance();
      ai.onnx.proto.OnnxMl.ModelProto m =
          ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model.model));
      for (var e : m.getMetadataPropsList()) {
        if (e.getKey().equals(OnnxMetadata.PROVENANCE))
          return Json.MAPPER.readValue(
              e.getValue(), new com.fasterxml.jackson.core.type.TypeReference<>() {});
      }
    } catch (IOException | RuntimeException unreadable) {
      // no provenance to compare with: treat the data as another data set
    }
    return Map.of();
  }

  /**
   * eval.json in a run directory, NAME.eval.json beside an .onnx file; {@code tag} ("-SLUG" for
   * data the model was not trained on) and a split other than test go into the name.
   */
  private Path reportFile(String tag) {
    String suffix = "eval" + tag + (split.equals("test") ? "" : "-" + split) + ".json";
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
