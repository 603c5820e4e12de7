package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.train.training.DataOptions;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
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
  @Option(names = "--data", required = true, description = "Training data: " + DataHelp.FORMS)
  String data;

  @Option(names = "--out", description = "Run directory (default: runs/MODEL-TIMESTAMP).")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
  boolean resume;

  @Mixin TrainOptions options = new TrainOptions();

  @Option(
      names = "--json",
      description = "Print the result as one JSON document (progress goes to stderr).")
  boolean json;

  @Mixin DataFlags dataFlags = new DataFlags();

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
    DataOptions d = dataFlags.options();
    TrainRun.Result r = TrainRun.run(cfg, data, d, out, resume, json ? System.err : System.out);
    if (json) {
      System.out.println(json(r));
    } else {
      Summary.print(r, System.out);
    }
    return 0;
  }

  /** A finished run as the one JSON document of {@code --json}. */
  static String json(TrainRun.Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run_dir", r.runDir().toString());
    m.put("wall_seconds", r.wallSeconds());
    m.put("train_images_per_second", r.trainImagesPerSecond());
    m.put("metrics", r.card().metrics());
    return Json.write(m);
  }
}
