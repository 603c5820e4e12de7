package dev.imgclass.experiments;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which arm a unit sees: a pure function of (salt, unit id). Stable across processes, machines and
 * releases (no {@code String.hashCode}, no seeds from the clock).
 */
public final class Assignment {
  private Assignment() {}

  /**
   * The arm name {@link #covered} hashes under: U+0000 followed by {@code coverage}; {@link
   * #choose} refuses it as an arm's name so the coverage draw stays independent of every arm's.
   */
  public static final String COVERAGE_ARM = "\u0000coverage";

  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /**
   * A stable 64-bit hash of (salt, unit, arm) mapped to [0, 1) with 53 bits of precision. The same
   * inputs give the same value forever (the bytes hashed are UTF-8; the function is documented).
   *
   * <p>Exactly:
   *
   * <ol>
   *   <li>The message is, for each of salt, unit, arm in that order, the length in bytes of the
   *       string's UTF-8 encoding as a 4-byte big-endian integer followed by those bytes (Java's
   *       encoder: an unpaired surrogate becomes {@code '?'}).
   *   <li>h = FNV-1a 64 of the message: h = 0xcbf29ce484222325; for each byte b (0..255): h = (h
   *       XOR b) × 0x100000001b3 mod 2⁶⁴.
   *   <li>The SplitMix64 finaliser: h ^= h &gt;&gt;&gt; 30; h ×= 0xbf58476d1ce4e5b9; h ^= h
   *       &gt;&gt;&gt; 27; h ×= 0x94d049bb133111eb; h ^= h &gt;&gt;&gt; 31 (unsigned shifts,
   *       products mod 2⁶⁴).
   *   <li>The result is (h &gt;&gt;&gt; 11) × 2⁻⁵³, the top 53 bits as a fraction.
   * </ol>
   *
   * For example hash01("s", "u", "a") hashes the 15 bytes {@code 00 00 00 01 73 00 00 00 01 75 00
   * 00 00 01 61}.
   *
   * @throws NullPointerException if any argument is null
   */
  public static double hash01(String salt, String unit, String arm) {
    long h = FNV_OFFSET_BASIS;
    h = fnvPart(h, Objects.requireNonNull(salt, "salt"));
    h = fnvPart(h, Objects.requireNonNull(unit, "unit"));
    h = fnvPart(h, Objects.requireNonNull(arm, "arm"));
    h = splitMix64Finaliser(h);
    return (h >>> 11) * 0x1.0p-53;
  }

  private static long fnvPart(long h, String part) {
    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
    int length = bytes.length;
    h = fnvByte(h, length >>> 24);
    h = fnvByte(h, length >>> 16);
    h = fnvByte(h, length >>> 8);
    h = fnvByte(h, length);
    for (byte b : bytes) {
      h = fnvByte(h, b);
    }
    return h;
  }

  private static long fnvByte(long h, int b) {
    return (h ^ (b & 0xff)) * FNV_PRIME;
  }

  private static long splitMix64Finaliser(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /**
   * The index of the arm {@code unit} is assigned to, arms chosen with probability proportional to
   * {@code weights} (weights > 0; their sum need not be 1). Raising one arm's weight only ever
   * moves units into that arm, never between the others.
   *
   * <p>Weighted rendezvous hashing: arm i scores −ln(1 − hash01(salt, unit, arms[i])) / weights[i]
   * (an exponential variable of rate weights[i]) and the lowest score wins (ties, which need equal
   * hashes, go to the lower index). Arm i thus wins with probability weights[i] / Σ weights, and as
   * each score depends only on its own arm and weight, a change of weights moves a unit only into
   * an arm whose weight grew relative to the others'; arms whose weights scale by the same factor
   * never exchange units. Arm names are part of the hash, so renaming an arm reshuffles it.
   *
   * @throws IllegalArgumentException if arms is empty, sizes differ, a weight is not finite and
   *     positive, an arm name repeats, or an arm is named {@link #COVERAGE_ARM} (reserved)
   * @throws NullPointerException if an argument or an arm name is null
   */
  public static int choose(String salt, String unit, List<String> arms, double[] weights) {
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(arms, "arms");
    Objects.requireNonNull(weights, "weights");
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one arm");
    }
    if (arms.size() != weights.length) {
      throw new IllegalArgumentException(
          arms.size() + " arms but " + weights.length + " weights: they must match");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < weights.length; i++) {
      String arm = Objects.requireNonNull(arms.get(i), "arm name");
      double w = weights[i];
      if (!(w > 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            "weight of arm '" + arm + "' must be finite and > 0, got " + w);
      }
      if (!seen.add(arm)) {
        throw new IllegalArgumentException("arm '" + arm + "' appears twice");
      }
      if (arm.equals(COVERAGE_ARM)) {
        throw new IllegalArgumentException("the arm name \\u0000coverage is reserved");
      }
    }
    int best = 0;
    double bestScore = Double.POSITIVE_INFINITY;
    for (int i = 0; i < weights.length; i++) {
      // hash01 < 1, so 1 − u ≥ 2⁻⁵³ and the score is finite and ≥ 0.
      double score = -Math.log1p(-hash01(salt, unit, arms.get(i))) / weights[i];
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  }

  /**
   * Whether {@code unit} is inside an experiment's coverage (a fraction in [0, 1]): {@code
   * hash01(salt, unit, COVERAGE_ARM) < coverage}. The draw is independent of the arm draws (a
   * different arm name, one {@link #choose} refuses), so coverage does not bias the arm split;
   * raising coverage only adds units.
   *
   * @throws IllegalArgumentException if coverage is NaN or outside [0, 1]
   * @throws NullPointerException if salt or unit is null
   */
  public static boolean covered(String salt, String unit, double coverage) {
    if (!(coverage >= 0 && coverage <= 1)) {
      throw new IllegalArgumentException("coverage must be in [0, 1], got " + coverage);
    }
    return hash01(salt, unit, COVERAGE_ARM) < coverage;
  }
}
