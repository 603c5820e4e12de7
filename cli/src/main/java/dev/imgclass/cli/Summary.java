package dev.imgclass.cli;

import dev.imgclass.train.training.TrainRun;
import java.io.PrintStream;

/** The closing lines of a training run. */
final class Summary {
  private Summary() {}

  static void print(TrainRun.Result r, PrintStream out) {
    r.test()
        .ifPresent(
            t ->
                out.printf(
                    "test: top-1 %.2f%%  top-5 %.2f%%  on %d images%n",
                    100 * t.top1(), 100 * t.top5(), t.images()));
    out.printf(
        "wall time %s, training %.0f img/s%n", clock(r.wallSeconds()), r.trainImagesPerSecond());
    out.printf(
        "written to %s: model.json, weights.safetensors, eval.json, metrics.csv, metrics.jsonl, report.html, checkpoints/{last,best}%n",
        r.runDir());
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format("%d:%02d (%.1f s)", s / 60, s % 60, seconds);
  }
}
