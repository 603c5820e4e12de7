package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.report.MetricsRow;
import dev.imgclass.eval.report.RunReport;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass report}: (re)writes a run directory's report.html and chart PNGs. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write RUN_DIR/report.html (curves, learning rate, confusion, per-class scores, calibration,"
            + " misclassified images, model card) and the charts as PNG files.")
final class ReportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_DIR", description = "Run directory written by 'imgclass train'.")
  Path runDir;

  @Option(
      names = "--data",
      description =
          "Data with the test split (default: the data the run was trained on): " + DataHelp.FORMS)
  String data;

  @Mixin OpenFlags open = new OpenFlags();

  @Option(names = "--json", description = "Print what was written as one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (!Files.isDirectory(runDir)) {
      throw new ImgclassException(
          "run directory not found: " + runDir + " (pass a directory written by 'imgclass train')");
    }
    MetricsRow.read(runDir); // a directory without metrics is refused before any work
    Object source = data != null ? data : ModelCard.read(runDir).provenance().get("data_source");
    Optional<RunReport.TestSet> test = Optional.empty();
    if (source != null) {
      try (Classifier model = Classifiers.open(runDir, open.options())) {
        Optional<Dataset> d =
            DataSources.open(source.toString(), DataSources.Load.of(model.spec())).test();
        d.ifPresent(t -> EvalCommand.checkClasses(model.spec().classes(), t.classes()));
        test = d.map(t -> new RunReport.TestSet(t, new Evaluator(model, 256).predict(t)));
      }
    }
    List<Path> files = RunReport.write(runDir, test);
    List<String> charts =
        files.subList(1, files.size()).stream().map(f -> f.getFileName().toString()).toList();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("report", files.get(0).toString());
      m.put("charts", charts);
      m.put("test_images", test.map(t -> t.data().size()).orElse(0));
      System.out.println(Json.write(m));
      return 0;
    }
    System.out.println("wrote " + files.get(0));
    System.out.println("charts: " + String.join(", ", charts));
    if (test.isEmpty()) {
      System.out.println(
          "no test images: the gallery and reliability diagram need them; pass --data DATA");
    }
    return 0;
  }
}
