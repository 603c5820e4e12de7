package dev.imgclass.train.training;

import java.io.PrintStream;

/**
 * A progress bar (epoch, step, loss, accuracy, img/s, ETA) redrawn in place on a terminal, and
 * plain lines — about ten per epoch — when the output is a file or a pipe.
 */
public final class ConsoleProgress implements TrainListener {
  private final PrintStream out;
  private final boolean terminal;
  private int epochs;
  private long lastDraw;

  public ConsoleProgress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** True when stdout is an interactive terminal. */
  public static boolean stdoutIsTerminal() {
    String term = System.getenv("TERM");
    return System.console() != null && term != null && !term.equals("dumb");
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, TrainState from) {
    this.epochs = epochs;
    if (from.globalStep() > 0) {
      out.printf(
          "resuming at epoch %d, batch %d (step %d)%n",
          from.epoch() + 1, from.batch(), from.globalStep());
    }
  }

  @Override
  public void onStep(Step s) {
    double ips = s.epochSeconds() > 0 ? s.epochImages() / s.epochSeconds() : 0;
    double perBatch = s.epochSeconds() / Math.max(1, s.epochImages()) * s.result().images();
    long eta = Math.round(perBatch * (s.batches() - s.batch() - 1));
    if (terminal) {
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L && s.batch() + 1 < s.batches()) return;
      lastDraw = now;
      int width = 24;
      int filled = (int) ((long) width * (s.batch() + 1) / s.batches());
      out.printf(
          "\repoch %d/%d [%s%s] %d/%d loss %.4f acc %5.1f%% %5.0f img/s ETA %s  ",
          s.epoch() + 1,
          epochs,
          "#".repeat(filled),
          "-".repeat(width - filled),
          s.batch() + 1,
          s.batches(),
          s.epochLoss(),
          100 * s.epochAcc(),
          ips,
          clock(eta));
      out.flush();
    } else {
      int every = Math.max(1, s.batches() / 10);
      if ((s.batch() + 1) % every == 0 && s.batch() + 1 < s.batches()) {
        out.printf(
            "epoch %d/%d step %d/%d loss %.4f acc %.1f%% %.0f img/s lr %.4g ETA %s%n",
            s.epoch() + 1,
            epochs,
            s.batch() + 1,
            s.batches(),
            s.epochLoss(),
            100 * s.epochAcc(),
            ips,
            s.lr(),
            clock(eta));
      }
    }
  }

  @Override
  public void onEpoch(Epoch e) {
    if (terminal) out.print("\r\033[K");
    String val =
        Double.isNaN(e.valAcc())
            ? ""
            : String.format("  val loss %.4f acc %.2f%%", e.valLoss(), 100 * e.valAcc());
    StringBuilder parts = new StringBuilder();
    e.trainParts().forEach((name, v) -> parts.append(String.format(" %s %.4f", name, v)));
    String partsText = parts.isEmpty() ? "" : " (" + parts.substring(1) + ")";
    out.printf(
        "epoch %d/%d  train loss %.4f%s acc %.2f%%%s  %.0f img/s  %.1f s  lr %.4g  rss %d MB%n",
        e.epoch() + 1,
        e.epochs(),
        e.trainLoss(),
        partsText,
        100 * e.trainAcc(),
        val,
        e.imagesPerSecond(),
        e.seconds(),
        e.lr(),
        e.rssMb());
    out.flush();
  }

  static String clock(long seconds) {
    return seconds >= 3600
        ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format("%d:%02d", seconds / 60, seconds % 60);
  }
}
