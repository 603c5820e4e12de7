package dev.imgclass.cli;

import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code imgclass train}: one training run into a run directory. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a model on labelled images into a run directory.")
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--data",
      required = true,
      description = "fashion-mnist, a folder of IDX files, or synthetic[:N[:CLASSES]].")
  String data;

  @Option(names = "--out", description = "Run directory (default: runs/MODEL-TIMESTAMP).")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
  boolean resume;

  @Mixin TrainOptions options = new TrainOptions();

  @Override
  public Integer call() {
    TrainConfig cfg = options.apply(TrainConfig.builder()).build();
    if (out == null) {
      if (resume)
        throw new dev.imgclass.core.ImgclassException(
            "--resume needs --out RUN_DIR: the run to continue");
      out =
          Path.of(
              "runs",
              cfg.model()
                  + "-"
                  + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    TrainRun.Result r = TrainRun.run(cfg, data, out, resume, System.out);
    Summary.print(r, System.out);
    return 0;
  }
}
