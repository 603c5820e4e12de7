package dev.imgclass.train.augment;

import dev.imgclass.core.ImgclassException;

/** Parameter checks shared by the transforms, each failing with a message that names the value. */
final class Checks {
  private Checks() {}

  static void require(boolean ok, String message) {
    if (!ok) throw new ImgclassException(message);
  }

  static void probability(String what, double p) {
    require(p >= 0 && p <= 1, what + " must be a probability in [0, 1], got " + p);
  }

  static void range(String what, double lo, double hi, double value) {
    require(
        value >= lo && value <= hi, what + " must be in [" + lo + ", " + hi + "], got " + value);
  }

  /** {@code min <= max}, both within [lo, hi]. */
  static void interval(String what, double lo, double hi, double min, double max) {
    require(
        min >= lo && max <= hi && min <= max,
        what
            + " must satisfy "
            + lo
            + " <= min <= max <= "
            + hi
            + ", got ("
            + min
            + ", "
            + max
            + ")");
  }
}
