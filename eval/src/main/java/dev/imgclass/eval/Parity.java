package dev.imgclass.eval;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.runtime.Classifier;
import java.util.SplittableRandom;

/** Compares two classifiers' logits on the same inputs: the check every export runs. */
public final class Parity {
  private Parity() {}

  /** Largest absolute logit difference over {@code n} seeded random images. */
  public static double maxAbsDiff(Classifier a, Classifier b, int n, long seed) {
    Preprocessor pre = new Preprocessor(a.spec());
    int c = a.spec().inChannels();
    int s = a.spec().inputSize();
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * pre.inputLength()];
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[c * s * s];
      // smooth random images (blocks of 4x4) look more like pictures than white noise does
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < s; y++) {
          for (int xx = 0; xx < s; xx++)
            px[(ch * s + y) * s + xx] =
                (byte) (((y / 4) * 31 + (xx / 4) * 17 + rng.nextInt(64) + i * 7) & 0xff);
        }
      }
      pre.normalizeInto(new ImageU8(c, s, s, px), x, i * pre.inputLength());
    }
    float[][] la = a.logits(x, n);
    float[][] lb = b.logits(x, n);
    double max = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < la[i].length; k++) max = Math.max(max, Math.abs(la[i][k] - lb[i][k]));
    }
    return max;
  }
}
