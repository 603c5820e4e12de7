package dev.imgclass.data;

/** Derives independent seeds from the run seed and counters (SplitMix64 finalizer). */
public final class Seeds {
  private Seeds() {}

  public static long mix(long seed, long a, long b) {
    return fmix(fmix(seed ^ fmix(a + 0x9E3779B97F4A7C15L)) ^ fmix(b + 0xD1B54A32D192ED03L));
  }

  static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
