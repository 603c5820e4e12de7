package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.train.compress.Criterion;
import dev.imgclass.train.compress.PruneRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass compress}: prune, fine-tune (distilled from the original), QAT and INT8 in one
 * command ({@link CompressPipeline}), with a table of every step measured side by side.
 */
@Command(
    name = "compress",
    mixinStandardHelpOptions = true,
    description =
        "Run a compression recipe on a trained model (e.g. prune:0.5,distill,qat: prune to half"
            + " the MACs, fine-tune with the original as teacher, quantization-aware training to"
            + " INT8) and measure every step on the test split: file size, parameters, MACs, top-1,"
            + " agreement and McNemar p against the original, ONNX Runtime latency at batch 1 and"
            + " 64. Writes the final model, compress.json and compress.html.")
final class CompressCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      description = "Run directory to compress (unchanged).")
  Path model;

  @Option(
      names = "--recipe",
      required = true,
      description =
          "Comma-separated steps: "
              + Recipe.FORMS
              + ". prune:F keeps the share F of the MACs; distill fine-tunes with the original model"
              + " as teacher, finetune on the labels alone (default 5 epochs); qat trains through"
              + " fake quantizers (default 1 epoch) and int8 quantizes after training; either ends"
              + " the recipe.")
  String recipe;

  @Option(
      names = "--criterion",
      defaultValue = "l1",
      description = "How prune ranks channels: l1, bn-gamma or taylor (default: l1).")
  String criterion;

  @Option(
      names = "--lr",
      defaultValue = "" + PruneRun.FINETUNE_LR,
      description = "Peak learning rate of distill and finetune, no warm-up (default: 0.01).")
  double lr;

  @Option(
      names = "--weight-bits",
      defaultValue = "8",
      paramLabel = "7|8",
      description = "For the qat and int8 steps: " + Int8Export.WEIGHT_BITS_HELP)
  int weightBits;

  @Option(
      names = "--data",
      description =
          "Data to train and measure on (default: the data the run was trained on): "
              + DataHelp.FORMS)
  String data;

  @Option(names = "--threads", defaultValue = "0", description = "Threads (default: all cores).")
  int threads;

  @Option(
      names = "--bench-seconds",
      defaultValue = "5",
      description = "Time budget of each latency measurement (default: 5).")
  double benchSeconds;

  @Option(names = "--out", required = true, description = "New directory (absent or empty).")
  Path out;

  @Option(names = "--json", description = "Print compress.json's contents as one JSON document.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    if (threads < 0) throw new ImgclassException("--threads must be >= 0, got " + threads);
    if (!(benchSeconds > 0 && benchSeconds <= 600))
      throw new ImgclassException("--bench-seconds must be in (0, 600], got " + benchSeconds);
    if (!(lr > 0 && Double.isFinite(lr)))
      throw new ImgclassException("--lr must be a positive number, got " + lr);
    Recipe r = Recipe.parse(recipe);
    Criterion c;
    try {
      c = Criterion.parse(criterion);
    } catch (ImgclassException e) {
      throw new ImgclassException(
          "unknown --criterion '" + criterion + "': choose l1, bn-gamma or taylor");
    }
    PrintStream log = json ? System.err : System.out; // stdout holds the JSON document only
    if (r.quantizes()) Int8Export.noteWeightBits(weightBits, log);
    else if (weightBits != 8)
      throw new ImgclassException("--weight-bits applies to recipes ending in qat or int8");
    Map<String, Object> report =
        CompressPipeline.run(
            new CompressPipeline.Options(
                model, r, c, lr, weightBits, Optional.ofNullable(data), threads, benchSeconds, out),
            log);
    if (json) System.out.println(Json.write(report));
    return Main.OK;
  }
}
