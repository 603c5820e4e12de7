package dev.imgclass.experiments;

/**
 * Population stability index, {@code sum (a - e) ln(a / e)} over bins of two distributions, with
 * empty bins smoothed so it stays finite. Rule of thumb: < 0.1 stable, 0.1-0.25 moderate, > 0.25 a
 * shift.
 */
public final class Psi {
  public static final double SMOOTHING = 1e-4;

  private Psi() {}

  /** PSI of {@code actual} against {@code expected}, both counts (or shares) per bin. */
  public static double of(double[] expected, double[] actual) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Counts of values in [0, 1] in {@code bins} equal bins (1.0 goes in the last). */
  public static double[] histogram01(float[] values, int bins) {
    throw new UnsupportedOperationException("not written yet");
  }
}
