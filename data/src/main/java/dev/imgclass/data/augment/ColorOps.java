package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;

/**
 * Pixel-value operations shared by {@link ColorJitter} and {@link TrivialAugmentWide}, defined as
 * torchvision's functional transforms on uint8 tensors define them, except that results are rounded
 * to the nearest integer instead of truncated. Saturation and hue need colour: on a 1-channel image
 * they return the input.
 */
final class ColorOps {
  private ColorOps() {}

  /** {@code factor · in + (1 - factor) · other}, clamped to [0, 255]; other has in's shape. */
  private static ImageU8 blend(ImageU8 in, double[] other, double factor) {
    if (factor == 1) return in;
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int i = 0; i < src.length; i++) {
      out[i] = clamp(factor * (src[i] & 0xff) + (1 - factor) * other[i]);
    }
    return new ImageU8(in.channels(), in.height(), in.width(), out);
  }

  static byte clamp(double v) {
    return (byte) Math.max(0, Math.min(255, Math.round(v)));
  }

  /** Scales every value by {@code factor}: 0 gives black, 1 the input. */
  static ImageU8 brightness(ImageU8 in, double factor) {
    return blend(in, new double[in.data().length], factor);
  }

  /** Blends with the image's mean luma: 0 gives a flat grey image, 1 the input. */
  static ImageU8 contrast(ImageU8 in, double factor) {
    if (factor == 1) return in;
    double[] gray = luma(in);
    double mean = 0;
    for (double g : gray) mean += g;
    mean /= gray.length;
    double[] other = new double[in.data().length];
    java.util.Arrays.fill(other, mean);
    return blend(in, other, factor);
  }

  /** Blends with the per-pixel luma: 0 gives grey, 1 the input, above 1 more saturated. */
  static ImageU8 saturation(ImageU8 in, double factor) {
    if (in.channels() != 3 || factor == 1) return in;
    double[] gray = luma(in);
    int plane = gray.length;
    double[] other = new double[3 * plane];
    for (int c = 0; c < 3; c++) System.arraycopy(gray, 0, other, c * plane, plane);
    return blend(in, other, factor);
  }

  /** Luma per pixel (ITU-R BT.601, torchvision's weights); a 1-channel image is its own luma. */
  private static double[] luma(ImageU8 in) {
    byte[] d = in.data();
    int plane = in.height() * in.width();
    double[] g = new double[plane];
    for (int i = 0; i < plane; i++) {
      g[i] =
          in.channels() == 1
              ? d[i] & 0xff
              : 0.2989 * (d[i] & 0xff)
                  + 0.587 * (d[plane + i] & 0xff)
                  + 0.114 * (d[2 * plane + i] & 0xff);
    }
    return g;
  }

  /**
   * Blends with a 3×3 smoothed copy (kernel [[1,1,1],[1,5,1],[1,1,1]] / 13; the border keeps its
   * pixels): 0 gives the blurred image, 1 the input, 2 a sharpened one.
   */
  static ImageU8 sharpness(ImageU8 in, double factor) {
    if (factor == 1) return in;
    int h = in.height();
    int w = in.width();
    byte[] d = in.data();
    double[] blurred = new double[d.length];
    for (int i = 0; i < d.length; i++) blurred[i] = d[i] & 0xff;
    for (int c = 0; c < in.channels(); c++) {
      int base = c * h * w;
      for (int y = 1; y < h - 1; y++) {
        for (int x = 1; x < w - 1; x++) {
          int sum = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) sum += d[base + (y + dy) * w + x + dx] & 0xff;
          }
          sum += 4 * (d[base + y * w + x] & 0xff); // centre weight 5 = 1 + 4
          blurred[base + y * w + x] = Math.round(sum / 13.0);
        }
      }
    }
    return blend(in, blurred, factor);
  }

  /** Keeps the top {@code bits} bits of every value (1 to 8; 8 is the identity). */
  static ImageU8 posterize(ImageU8 in, int bits) {
    Checks.require(bits >= 1 && bits <= 8, "posterize keeps 1 to 8 bits, got " + bits);
    if (bits == 8) return in;
    int mask = (0xff << (8 - bits)) & 0xff;
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int i = 0; i < src.length; i++) out[i] = (byte) (src[i] & mask);
    return new ImageU8(in.channels(), in.height(), in.width(), out);
  }

  /** Inverts every value at or above {@code threshold} (above 255: the identity). */
  static ImageU8 solarize(ImageU8 in, double threshold) {
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int i = 0; i < src.length; i++) {
      int v = src[i] & 0xff;
      out[i] = (byte) (v >= threshold ? 255 - v : v);
    }
    return new ImageU8(in.channels(), in.height(), in.width(), out);
  }

  /** Stretches each channel so its minimum becomes 0 and its maximum 255 (flat channels stay). */
  static ImageU8 autocontrast(ImageU8 in) {
    byte[] src = in.data();
    byte[] out = src.clone();
    int plane = in.height() * in.width();
    for (int c = 0; c < in.channels(); c++) {
      int lo = 255;
      int hi = 0;
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        lo = Math.min(lo, src[i] & 0xff);
        hi = Math.max(hi, src[i] & 0xff);
      }
      if (hi == lo) continue;
      double scale = 255.0 / (hi - lo);
      for (int i = c * plane; i < (c + 1) * plane; i++)
        out[i] = clamp(((src[i] & 0xff) - lo) * scale);
    }
    return new ImageU8(in.channels(), in.height(), in.width(), out);
  }

  /**
   * Equalizes each channel's histogram with the lookup table PIL's {@code ImageOps.equalize} and
   * torchvision use: a channel with a single dominant value is left as it is.
   */
  static ImageU8 equalize(ImageU8 in) {
    byte[] src = in.data();
    byte[] out = src.clone();
    int plane = in.height() * in.width();
    for (int c = 0; c < in.channels(); c++) {
      int[] hist = new int[256];
      for (int i = c * plane; i < (c + 1) * plane; i++) hist[src[i] & 0xff]++;
      int last = 255;
      while (hist[last] == 0) last--;
      int step = (plane - hist[last]) / 255; // all pixels but those of the highest value
      if (step == 0) continue;
      int[] lut = new int[256];
      int cum = 0;
      for (int v = 0; v < 256; v++) {
        lut[v] = Math.min(255, (cum + step / 2) / step); // shifted: counts values below v
        cum += hist[v];
      }
      for (int i = c * plane; i < (c + 1) * plane; i++) out[i] = (byte) lut[src[i] & 0xff];
    }
    return new ImageU8(in.channels(), in.height(), in.width(), out);
  }

  /**
   * Rotates every pixel's hue by {@code shift} turns (−0.5 to 0.5) through RGB → HSV → RGB; 0 and
   * 1-channel images are returned as they are.
   */
  static ImageU8 hue(ImageU8 in, double shift) {
    if (in.channels() != 3 || shift == 0) return in;
    byte[] d = in.data();
    int plane = in.height() * in.width();
    byte[] out = new byte[d.length];
    for (int i = 0; i < plane; i++) {
      double r = (d[i] & 0xff) / 255.0;
      double g = (d[plane + i] & 0xff) / 255.0;
      double b = (d[2 * plane + i] & 0xff) / 255.0;
      double max = Math.max(r, Math.max(g, b));
      double min = Math.min(r, Math.min(g, b));
      double delta = max - min;
      double h = 0;
      if (delta > 0) {
        if (max == r) h = ((g - b) / delta) / 6;
        else if (max == g) h = ((b - r) / delta + 2) / 6;
        else h = ((r - g) / delta + 4) / 6;
      }
      h = h + shift;
      h -= Math.floor(h); // wrap into [0, 1)
      double s = max == 0 ? 0 : delta / max;
      double[] rgb = hsvToRgb(h, s, max);
      out[i] = clamp(rgb[0] * 255);
      out[plane + i] = clamp(rgb[1] * 255);
      out[2 * plane + i] = clamp(rgb[2] * 255);
    }
    return new ImageU8(3, in.height(), in.width(), out);
  }

  private static double[] hsvToRgb(double h, double s, double v) {
    double sector = h * 6;
    int i = (int) Math.floor(sector) % 6;
    double f = sector - Math.floor(sector);
    double p = v * (1 - s);
    double q = v * (1 - s * f);
    double t = v * (1 - s * (1 - f));
    return switch (i) {
      case 0 -> new double[] {v, t, p};
      case 1 -> new double[] {q, v, p};
      case 2 -> new double[] {p, v, t};
      case 3 -> new double[] {p, q, v};
      case 4 -> new double[] {t, p, v};
      default -> new double[] {v, p, q};
    };
  }
}
