package dev.imgclass.data.augment;

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
}
