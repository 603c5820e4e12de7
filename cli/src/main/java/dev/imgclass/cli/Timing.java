package dev.imgclass.cli;

import dev.imgclass.runtime.Classifier;
import java.util.Arrays;

/**
 * Wall-clock times of repeated forward passes of one batch, for {@code imgclass advise}: a short
 * warm-up, then runs until a time budget is spent and at least {@link #MIN_RUNS} were timed.
 *
 * @param batch images per run
 * @param runs timed runs
 * @param medianMs median time of one run
 * @param p90Ms 90th percentile (nearest rank) of one run
 */
record Timing(int batch, int runs, double medianMs, double p90Ms) {
  static final int MIN_RUNS = 3;
  static final int MAX_RUNS = 100_000; // a budget of seconds on a model of microseconds

  /** Images per second at the median run time. */
  double imagesPerSecond() {
    return batch * 1000.0 / medianMs;
  }

  /**
   * Times {@code c} on {@code inputs} ({@code batch} inputs laid out (B, C, S, S)): untimed runs
   * for a fifth of the budget (at least one: session start-up and first allocations), then timed
   * runs for the rest.
   */
  static Timing measure(Classifier c, float[] inputs, int batch, double seconds) {
    long budget = (long) (seconds * 1e9);
    long warmEnd = System.nanoTime() + budget / 5;
    do {
      c.logits(inputs, batch);
    } while (System.nanoTime() < warmEnd);
    double[] ms = new double[64];
    int n = 0;
    long end = System.nanoTime() + budget - budget / 5;
    while ((n < MIN_RUNS || System.nanoTime() < end) && n < MAX_RUNS) {
      long t0 = System.nanoTime();
      c.logits(inputs, batch);
      if (n == ms.length) ms = Arrays.copyOf(ms, 2 * n);
      ms[n++] = (System.nanoTime() - t0) / 1e6;
    }
    return of(batch, Arrays.copyOf(ms, n));
  }

  /** The summary of measured run times (milliseconds, any order, at least one). */
  static Timing of(int batch, double[] ms) {
    double[] s = ms.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    double p90 = s[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
    return new Timing(batch, n, median, p90);
  }
}
