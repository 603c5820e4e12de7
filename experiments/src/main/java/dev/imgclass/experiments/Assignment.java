package dev.imgclass.experiments;

import java.util.List;

/**
 * Which arm a unit sees: a pure function of (salt, unit id). Stable across processes, machines and
 * releases (no {@code String.hashCode}, no seeds from the clock).
 */
public final class Assignment {
  private Assignment() {}

  /**
   * A stable 64-bit hash of (salt, unit, arm) mapped to [0, 1) with 53 bits of precision. The same
   * inputs give the same value forever (the bytes hashed are UTF-8; the function is documented).
   */
  public static double hash01(String salt, String unit, String arm) {
    throw new UnsupportedOperationException("not written yet");
  }

  /**
   * The index of the arm {@code unit} is assigned to, arms chosen with probability proportional to
   * {@code weights} (weights > 0; their sum need not be 1). Raising one arm's weight only ever
   * moves units into that arm, never between the others.
   */
  public static int choose(String salt, String unit, List<String> arms, double[] weights) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Whether {@code unit} is inside an experiment's coverage (a fraction in [0, 1]). */
  public static boolean covered(String salt, String unit, double coverage) {
    throw new UnsupportedOperationException("not written yet");
  }
}
