package dev.imgclass.cli;

import dev.imgclass.train.training.SpeedProbe;
import dev.imgclass.train.training.TrainConfig;
import java.io.PrintStream;

/** Sizes the demo's epochs to a time budget from a short measurement of this machine's speed. */
final class DemoBudget {
  static final int TRAIN_IMAGES = 57_000; // 60,000 less the 5% validation split
  static final double FIXED_SECONDS = 25; // start-up, data loading, test evaluation, writing
  static final double SAFETY = 0.90; // throughput varies run to run on shared machines

  private DemoBudget() {}

  static int epochsFor(double minutes, TrainConfig.Builder b, PrintStream out) {
    double ips = SpeedProbe.imagesPerSecond(b.build(), 1, 28, 10, 12);
    double epochSeconds = TRAIN_IMAGES / ips * 1.06; // validation pass and loop overhead
    int epochs = (int) Math.floor((minutes * 60 * SAFETY - FIXED_SECONDS) / epochSeconds);
    epochs = Math.max(1, Math.min(30, epochs));
    out.printf(
        "this machine trains resnet20 at about %.0f img/s: %d epochs fit %.0f minutes%n",
        ips, epochs, minutes);
    return epochs;
  }
}
