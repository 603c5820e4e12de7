package dev.imgclass.train;

import dev.imgclass.train.training.DataOptions;
import dev.imgclass.train.training.TrainConfig;
import dev.imgclass.train.training.TrainRun;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Training from Java: the same run as {@code imgclass train}, from a validated {@link TrainConfig}
 * (defaults in {@link TrainConfig#builder()}) and a data source. The run directory then holds
 * {@code model.json}, {@code weights.safetensors}, {@code eval.json}, metrics, checkpoints and
 * {@code report.html}; open it with {@link dev.imgclass.runtime.Classifiers#open}.
 *
 * <pre>{@code
 * TrainConfig.Builder b = TrainConfig.builder();
 * b.model = "resnet20";
 * b.epochs = 3;
 * TrainRun.Result r = Training.train(b.build(), "fashion-mnist", Path.of("runs/r20"));
 * System.out.println(r.test().orElseThrow().top1());
 * }</pre>
 *
 * <p>Data sources are {@code fashion-mnist}, a folder of IDX files, an image folder (one sub-folder
 * per class, optionally under train/ val/ test/), a CSV manifest ({@code path,label[,split]}) or
 * {@code synthetic:N}. Errors are {@link dev.imgclass.core.ImgclassException}s with a message for
 * the user.
 */
public final class Training {
  private Training() {}

  /** Trains into an empty (or new) {@code runDir}, quietly. */
  public static TrainRun.Result train(TrainConfig config, String data, Path runDir) {
    return TrainRun.run(
        config,
        data,
        DataOptions.defaults(),
        runDir,
        false,
        new PrintStream(OutputStream.nullOutputStream()));
  }

  /** Trains into {@code runDir}, printing the progress lines {@code imgclass train} prints. */
  public static TrainRun.Result train(
      TrainConfig config, String data, DataOptions options, Path runDir, PrintStream progress) {
    return TrainRun.run(config, data, options, runDir, false, progress);
  }

  /** Continues the run in {@code runDir} from its last checkpoint, exactly. */
  public static TrainRun.Result resume(
      TrainConfig config, String data, Path runDir, PrintStream progress) {
    return TrainRun.run(config, data, DataOptions.defaults(), runDir, true, progress);
  }
}
