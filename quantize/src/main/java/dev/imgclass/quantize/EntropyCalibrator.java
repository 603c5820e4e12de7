package dev.imgclass.quantize;

import java.nio.FloatBuffer;

/**
 * Entropy calibration of one activation tensor (Migacz, "8-bit Inference with TensorRT", GTC 2017):
 * of the candidate ranges [max(min, −T), min(max, T)], the one whose uint8 quantization loses the
 * least information, measured as KL(P‖Q) between the histogram P of the values, clipped values
 * folded into its last bin, and its quantized copy Q. It clips rare large activations that minmax
 * would spend its 255 steps on. Needs the tensor's exact min and max first (a second pass).
 *
 * <p>Three details decide whether it works on ReLU networks. Exact zeros (half of a post-ReLU
 * tensor) are left out: every candidate represents 0 exactly, so they say nothing about T, and as a
 * spike in the first bin they make every Q that merges that bin with its neighbours look bad, which
 * pulls T of every ReLU output down to a fraction of its max (TensorRT's PyTorch toolkit overwrites
 * the first bin with the second for the same reason; ONNX Runtime keeps the spike). Q is built with
 * the quantizer that will run: asymmetric uint8, 255 steps of s = (hi − lo) / 255 with a zero
 * point, so a non-negative tensor gets 255 levels over [0, T] and a symmetric one about 128 a side.
 * And no candidate may clip more than {@link #MAX_CLIPPED} of the non-zero values: early layers on
 * images with a constant background have spiky, comb-like histograms, where Q's smoothing rather
 * than lost precision dominates the divergence and narrower ranges always look better
 * (bench/RESULTS.md has the numbers).
 */
final class EntropyCalibrator {
  /** Histogram bins per sign, over [0, max |x|]. */
  static final int BINS = 2048;

  /** The smallest threshold tried, in bins: max |x| / 16, as in TensorRT. */
  static final int FIRST_CANDIDATE = 128;

  /**
   * The most a range may clip, as a share of the non-zero values. The MSE-optimal 8-bit clip of a
   * Gaussian (3.92σ) or Laplace (9.89b) distribution loses about 1e-4 of the values (Banner et al.
   * 2019, "Post-training 4-bit quantization"); a range clipping ten times more is the histogram
   * model failing, not a better quantizer.
   */
  static final double MAX_CLIPPED = 1e-3;

  /** Stands in for an empty quantized bin where P has mass, so the divergence stays finite. */
  private static final double EPS = 1e-9;

  private final double maxClipped;
  private final float min;
  private final float max;
  private final double width;
  private final long[] pos = new long[BINS]; // pos[k]: values x with k ≤ x / width < k + 1
  private final long[] neg = new long[BINS]; // neg[k]: the same for −x
  private long nonZero;

  EntropyCalibrator(float min, float max) {
    this(min, max, MAX_CLIPPED);
  }

  /** With a different cap on the clipped share (1 for none), to see what the cap prevents. */
  EntropyCalibrator(float min, float max, double maxClipped) {
    this.maxClipped = maxClipped;
    this.min = min;
    this.max = max;
    this.width = Math.max(Math.abs((double) min), Math.abs((double) max)) / BINS;
  }

  void add(FloatBuffer b) {
    FloatBuffer d = b.duplicate();
    while (d.hasRemaining()) {
      float v = d.get();
      if (v == 0 || Float.isNaN(v)) continue; // exact zeros cost nothing in any range
      int k = (int) Math.min(BINS - 1, Math.abs(v) / width);
      if (v > 0) pos[k]++;
      else neg[k]++;
      nonZero++;
    }
  }

  /** [low, high] with the least divergence; ties go to the wider range, as in TensorRT. */
  float[] range() {
    if (nonZero == 0 || !(width > 0)) return new float[] {min, max};
    long[] tailPos = new long[BINS + 1]; // tailPos[i]: positive values beyond bin i − 1
    long[] tailNeg = new long[BINS + 1];
    for (int k = BINS - 1; k >= 0; k--) {
      tailPos[k] = tailPos[k + 1] + pos[k];
      tailNeg[k] = tailNeg[k + 1] + neg[k];
    }
    int best = BINS;
    double bestKl = Double.POSITIVE_INFINITY;
    for (int i = FIRST_CANDIDATE; i <= BINS; i++) {
      if (tailPos[i] + tailNeg[i] > maxClipped * nonZero) continue;
      double kl = divergence(i, tailPos[i], tailNeg[i]);
      if (kl <= bestKl) {
        bestKl = kl;
        best = i;
      }
    }
    return candidate(best);
  }

  /** The range for threshold i·width: the whole of [min, max] at i = BINS. */
  float[] candidate(int i) {
    if (i >= BINS) return new float[] {min, max};
    double t = i * width;
    return new float[] {(float) Math.max(min, -t), (float) Math.min(max, t)};
  }

  /** KL(P‖Q) for threshold i·width, {@code tailPos} and {@code tailNeg} values beyond it. */
  private double divergence(int i, long tailPos, long tailNeg) {
    float[] q = QdqQuantizer.uint8Params(candidate(i));
    double scale = q[0];
    int zeroPoint = (int) q[1];
    long[] levelCount = new long[256]; // in-range values per uint8 level
    int[] levelBins = new int[256]; // bins with mass in P per level
    int[] posLevel = new int[i];
    int[] negLevel = new int[i];
    for (int k = 0; k < i; k++) {
      // a bin's values go to the level of its centre
      posLevel[k] = level((k + 0.5) * width, scale, zeroPoint);
      negLevel[k] = level(-(k + 0.5) * width, scale, zeroPoint);
      levelCount[posLevel[k]] += pos[k];
      levelCount[negLevel[k]] += neg[k];
      if (inP(pos, k, i, tailPos) > 0) levelBins[posLevel[k]]++;
      if (inP(neg, k, i, tailNeg) > 0) levelBins[negLevel[k]]++;
    }
    double inRange = nonZero - tailPos - tailNeg;
    if (inRange <= 0) return Double.POSITIVE_INFINITY;
    double kl = 0;
    for (int k = 0; k < i; k++) {
      int lp = posLevel[k];
      int ln = negLevel[k];
      kl += term(inP(pos, k, i, tailPos), levelCount[lp], levelBins[lp], inRange);
      kl += term(inP(neg, k, i, tailNeg), levelCount[ln], levelBins[ln], inRange);
    }
    return kl;
  }

  /** P's count for bin k: the histogram, with everything clipped folded into the last bin. */
  private static long inP(long[] h, int k, int i, long tail) {
    return h[k] + (k == i - 1 ? tail : 0);
  }

  /** One bin's p·ln(p/q); Q spreads each level's count evenly over the level's non-empty bins. */
  private double term(long pCount, long levelCount, int levelBins, double inRange) {
    if (pCount == 0) return 0;
    double p = (double) pCount / nonZero;
    double q = levelCount / (levelBins * inRange);
    return p * Math.log(p / Math.max(q, EPS));
  }

  private static int level(double x, double scale, int zeroPoint) {
    long q = Math.round(x / scale) + zeroPoint;
    return (int) Math.max(0, Math.min(255, q));
  }
}
