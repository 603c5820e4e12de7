package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.train.compress.Criterion;
import dev.imgclass.train.compress.PruneRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass prune}: structured channel pruning of a run directory into a new, smaller model
 * directory ({@link PruneRun}), optionally fine-tuned; {@code prune.json} holds the numbers.
 */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description =
        "Remove whole channels from a trained model until at most a share of its MACs is left;"
            + " writes an ordinary, smaller model directory (it evaluates, trains and exports like"
            + " any other) and prune.json with parameters, MACs, file size and test top-1 before"
            + " and after.")
final class PruneCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Run directory to prune (unchanged).")
  Path model;

  @Option(
      names = "--target-macs",
      required = true,
      paramLabel = "F",
      description = "Share of the model's MACs to keep, in (0, 1), e.g. 0.5.")
  double targetMacs;

  @Option(
      names = "--criterion",
      defaultValue = "l1",
      description =
          "How channels are ranked: l1 (L1 norm of each filter), bn-gamma (|scale| of the batch"
              + " norm after it) or taylor (first-order loss change, on 16 training batches)"
              + " (default: l1).")
  String criterion;

  @Option(
      names = "--finetune-epochs",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Epochs of training after pruning, from the pruned weights, with the original run's data"
              + " settings (default: 0, prune only).")
  int finetuneEpochs;

  @Option(
      names = "--lr",
      defaultValue = "" + PruneRun.FINETUNE_LR,
      description = "Peak learning rate of the fine-tune, no warm-up (default: 0.01).")
  double lr;

  @Option(
      names = "--data",
      description =
          "Data to measure test top-1 on and to fine-tune with (default: the data the run was"
              + " trained on, if it records it): "
              + DataHelp.FORMS)
  String data;

  @Option(names = "--threads", defaultValue = "0", description = "Threads (default: all cores).")
  int threads;

  @Option(names = "--out", required = true, description = "New model directory (absent or empty).")
  Path out;

  @Option(names = "--json", description = "Print prune.json's contents as one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (!(targetMacs > 0 && targetMacs < 1))
      throw new ImgclassException(
          "--target-macs must be a fraction in (0, 1), e.g. 0.5 for half the MACs, got "
              + targetMacs);
    if (finetuneEpochs < 0)
      throw new ImgclassException("--finetune-epochs must be >= 0, got " + finetuneEpochs);
    if (threads < 0) throw new ImgclassException("--threads must be >= 0, got " + threads);
    Criterion c = parseCriterion();
    PrintStream log = json ? System.err : System.out; // stdout holds the JSON document only
    Map<String, Object> report =
        PruneRun.run(
            new PruneRun.Options(
                model,
                targetMacs,
                c,
                finetuneEpochs,
                Optional.ofNullable(data),
                lr,
                threads,
                out,
                false),
            log);
    if (json) System.out.println(Json.write(report));
    return Main.OK;
  }

  private Criterion parseCriterion() {
    try {
      return Criterion.parse(criterion);
    } catch (ImgclassException e) {
      throw new ImgclassException(
          "unknown --criterion '" + criterion + "': choose l1, bn-gamma or taylor");
    }
  }
}
