package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelComparison;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.eval.report.ComparePage;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.runtime.OpenOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imgclass compare}: two models on the same test images, with 95% intervals, per-class
 * deltas and McNemar's exact test on the paired predictions.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Compare two models on the same test images: accuracy with 95%% confidence intervals,"
            + " per-class recall deltas, McNemar's exact test and a verdict.")
final class CompareCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "MODEL_A",
      description = "The baseline: a run directory or an .onnx file.")
  Path modelA;

  @Parameters(
      index = "1",
      paramLabel = "MODEL_B",
      description = "The candidate: a run directory or an .onnx file (an INT8 export, say).")
  Path modelB;

  @Option(names = "--data", required = true, description = "Test data: " + DataHelp.FORMS)
  String data;

  @Option(names = "--json", description = "Print the comparison as one JSON document.")
  boolean json;

  @Option(names = "--html", paramLabel = "FILE", description = "Also write an HTML page.")
  Path html;

  @Mixin OpenFlags open = new OpenFlags();

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      description = "Images per forward pass (default: 256).")
  int batchSize;

  @Override
  public Integer call() {
    OpenOptions options = open.options();
    try (Classifier a = Classifiers.open(modelA, options);
        Classifier b = Classifiers.open(modelB, options)) {
      return compare(a, b);
    }
  }

  private int compare(Classifier a, Classifier b) {
    EvalCommand.checkClasses(a.spec().classes(), "model A", b.spec().classes(), "model B");
    DataSplits splits = DataSources.open(data, DataSources.Load.of(a.spec()));
    Dataset test =
        splits
            .test()
            .orElseThrow(
                () ->
                    new ImgclassException(
                        data + " has no test split: compare needs held-out images (t10k-* files)"));
    EvalCommand.checkClasses(a.spec().classes(), test.classes());
    Evaluator.Predictions pa = new Evaluator(a, batchSize).predict(test);
    Dataset testB =
        test instanceof FileDataset f
            ? f.withShape(b.spec().inChannels(), b.spec().inputSize())
            : test;
    Evaluator.Predictions pb = new Evaluator(b, batchSize).predict(testB);
    if (!java.util.Arrays.equals(pa.indices(), pb.indices())) {
      throw new ImgclassException(
          "the two models could not read the same test images (A skipped "
              + pa.skipped().size()
              + ", B skipped "
              + pb.skipped().size()
              + "); fix or remove the unreadable files");
    }
    for (var issue : pa.skipped()) System.err.println("skipped: " + issue.message());
    ModelComparison c =
        ModelComparison.of(
                modelA.toString(),
                modelB.toString(),
                pa.predicted(),
                pb.predicted(),
                pa.labels(),
                test.classes())
            .withSkipped(pa.skipped().size());
    if (html != null) {
      AtomicFiles.write(
          html, ComparePage.html(c, splits.description()).getBytes(StandardCharsets.UTF_8));
    }
    if (json) {
      System.out.println(Json.write(c));
    } else {
      System.out.printf("test split of %s%n", splits.description());
      System.out.print(c.toTable());
      if (html != null) System.out.println("wrote " + html);
    }
    return 0;
  }
}
