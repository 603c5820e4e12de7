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

  @Option(
      names = "--teacher",
      paramLabel = "MODEL",
      description =
          "Distil from this model (a run directory, or an .onnx file written by 'imgclass"
              + " export') trained on the same classes: (1-A)*CE + A*T^2*KL(teacher||student)"
              + " (docs/TRAINING.md).")
  String teacher;

  @Option(
      names = "--kd-alpha",
      paramLabel = "A",
      description =
          "Weight of the distillation term, in [0, 1]; the cross-entropy gets 1-A (default:"
              + " 0.9).")
  Double kdAlpha;

  @Option(
      names = "--kd-temperature",
      paramLabel = "T",
      description = "Softmax temperature of the distillation term, > 0 (default: 4).")
  Double kdTemperature;

  @Option(
      names = "--kd-cache",
      description =
          "Run the teacher once over the training images and reuse its logits; needs"
              + " --augment none (an augmented batch needs the teacher every step).")
  boolean kdCache;

  @Override
  public Integer call() {
    TrainConfig.Builder b = options.apply(TrainConfig.builder());
    if (teacher != null) b.teacher = teacher;
    b.kdAlpha = kdAlpha;
    b.kdTemperature = kdTemperature;
    b.kdCache = kdCache;
    TrainConfig cfg = b.build();
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
