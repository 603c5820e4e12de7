package dev.imgclass.experiments;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * What the guardrails read of one arm in the current period, kept in memory and updated on every
 * request: requests, errors and a latency histogram (HdrHistogram, 3 significant digits, up to an
 * hour). Rebuilt from the stored exposures when the server restarts.
 */
public final class ArmLive {
  private static final long MAX_MICROS = 3_600_000_000L;
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final ConcurrentHistogram latency = new ConcurrentHistogram(1, MAX_MICROS, 3);

  public void record(long latencyMicros, boolean error) {
    requests.increment();
    if (error) errors.increment();
    latency.recordValue(Math.max(1, Math.min(MAX_MICROS, latencyMicros)));
  }

  public long requests() {
    return requests.sum();
  }

  public long errors() {
    return errors.sum();
  }

  public double errorRate() {
    long n = requests();
    return n == 0 ? 0 : (double) errors() / n;
  }

  /** The latency at {@code percentile} (0-100) in milliseconds, 0 with no requests. */
  public double latencyMs(double percentile) {
    if (latency.getTotalCount() == 0) return 0;
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }
}
