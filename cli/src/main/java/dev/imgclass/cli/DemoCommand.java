package dev.imgclass.cli;

import dev.imgclass.data.DataSources;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass demo}: trains resnet20 on Fashion-MNIST with a recipe sized to the time budget,
 * evaluates it on the 10,000 test images and says where everything went.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Train resnet20 on Fashion-MNIST in about 10 minutes and evaluate it.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", description = "Run directory (default: runs/demo-TIMESTAMP).")
  Path out;

  @Option(
      names = "--minutes",
      defaultValue = "10",
      description = "Time budget in minutes (default: 10).")
  double minutes;

  @Option(names = "--epochs", description = "Override the epochs the budget gives.")
  Integer epochs;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Intra-op threads (default: all cores).")
  int threads;

  @Option(
      names = "--precision",
      defaultValue = "auto",
      description = "fp32, bf16 or auto (default: auto).")
  String precision;

  @Option(
      names = "--json",
      description = "Print the result as one JSON document (progress goes to stderr).")
  boolean json;

  @Override
  public Integer call() {
    PrintStream log = json ? System.err : System.out;
    FashionMnistInstaller.ensure(log);
    if (out == null)
      out =
          Path.of(
              "runs",
              "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    TrainConfig.Builder b = TrainConfig.builder();
    b.model = "resnet20";
    b.threads = threads;
    b.precision = precision;
    b.epochs = epochs != null ? epochs : DemoBudget.epochsFor(minutes, b, log);
    TrainConfig cfg = b.build();
    log.printf(
        "demo: resnet20 on Fashion-MNIST, %d epochs, budget %.0f min%n", cfg.epochs(), minutes);
    TrainRun.Result r = TrainRun.run(cfg, "fashion-mnist", out, false, log);
    if (json) {
      System.out.println(TrainCommand.json(r));
      return 0;
    }
    System.out.println();
    r.test()
        .ifPresent(
            t ->
                System.out.printf(
                    "Fashion-MNIST test accuracy: %.2f%% (top-5 %.2f%%)%n",
                    100 * t.top1(), 100 * t.top5()));
    Summary.print(r, System.out);
    System.out.printf(
        "next: ./imgclass eval --model %s --data fashion-mnist   |   ./imgclass predict --model %s IMAGE.png%n",
        out, out);
    return 0;
  }

  static boolean dataPresent() {
    return DataSources.locateFashionMnist().isPresent();
  }
}
