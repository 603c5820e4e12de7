package dev.imgclass.data.augment;

import dev.imgclass.core.ImageU8;

/**
 * Geometric resampling shared by the transforms: crops and affine warps of planar uint8 images.
 * Coordinates are measured from the top-left corner of the image, so pixel {@code (x, y)} has its
 * centre at {@code (x + 0.5, y + 0.5)}; whatever falls outside the source reads as 0.
 */
final class Warp {
  private Warp() {}

  /** The {@code h × w} window whose top-left pixel is {@code (top, left)}; must lie inside. */
  static ImageU8 crop(ImageU8 in, int top, int left, int h, int w) {
    if (top == 0 && left == 0 && h == in.height() && w == in.width()) return in;
    int c = in.channels();
    byte[] src = in.data();
    byte[] out = new byte[c * h * w];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        int from = (ch * in.height() + top + y) * in.width() + left;
        System.arraycopy(src, from, out, (ch * h + y) * w, w);
      }
    }
    return new ImageU8(c, h, w, out);
  }

  /**
   * Resamples {@code in} so that output point {@code p} reads source point {@code m · p}, where
   * {@code m = [[a, b, c], [d, e, f]]} maps output coordinates to source coordinates (the inverse
   * of the visible motion). The output has the input's shape.
   */
  static ImageU8 affine(
      ImageU8 in, double a, double b, double c, double d, double e, double f, boolean bilinear) {
    int ch = in.channels();
    int h = in.height();
    int w = in.width();
    int plane = h * w;
    byte[] src = in.data();
    byte[] out = new byte[src.length];
    for (int y = 0; y < h; y++) {
      double py = y + 0.5;
      for (int x = 0; x < w; x++) {
        double px = x + 0.5;
        double sx = a * px + b * py + c;
        double sy = d * px + e * py + f;
        int o = y * w + x;
        if (bilinear) {
          double u = sx - 0.5; // continuous pixel index
          double v = sy - 0.5;
          int x0 = (int) Math.floor(u);
          int y0 = (int) Math.floor(v);
          double fx = u - x0;
          double fy = v - y0;
          for (int k = 0; k < ch; k++) {
            int base = k * plane;
            double top =
                tap(src, base, w, h, x0, y0) * (1 - fx) + tap(src, base, w, h, x0 + 1, y0) * fx;
            double bot =
                tap(src, base, w, h, x0, y0 + 1) * (1 - fx)
                    + tap(src, base, w, h, x0 + 1, y0 + 1) * fx;
            out[base + o] = (byte) Math.round(top * (1 - fy) + bot * fy);
          }
        } else {
          int ix = (int) Math.floor(sx);
          int iy = (int) Math.floor(sy);
          if (ix < 0 || iy < 0 || ix >= w || iy >= h) continue; // fill 0
          for (int k = 0; k < ch; k++) out[k * plane + o] = src[k * plane + iy * w + ix];
        }
      }
    }
    return new ImageU8(ch, h, w, out);
  }

  private static int tap(byte[] src, int base, int w, int h, int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) return 0;
    return src[base + y * w + x] & 0xff;
  }

  /** Moves the content by {@code (dx, dy)} pixels (right and down are positive). */
  static ImageU8 translate(ImageU8 in, double dx, double dy, boolean bilinear) {
    if (dx == 0 && dy == 0) return in;
    return affine(in, 1, 0, -dx, 0, 1, -dy, bilinear);
  }

  /**
   * Shears horizontally about the top-left corner: row {@code y} moves by {@code -shear · y} pixels
   * (torchvision's {@code ShearX} with {@code center=[0, 0]}).
   */
  static ImageU8 shearX(ImageU8 in, double shear, boolean bilinear) {
    if (shear == 0) return in;
    return affine(in, 1, shear, 0, 0, 1, 0, bilinear);
  }

  /** Shears vertically about the top-left corner: column {@code x} moves by {@code -shear · x}. */
  static ImageU8 shearY(ImageU8 in, double shear, boolean bilinear) {
    if (shear == 0) return in;
    return affine(in, 1, 0, 0, shear, 1, 0, bilinear);
  }

  /** Rotates counter-clockwise by {@code degrees} about the image centre, keeping the size. */
  static ImageU8 rotate(ImageU8 in, double degrees, boolean bilinear) {
    if (degrees == 0) return in;
    double t = Math.toRadians(degrees);
    double cos = Math.cos(t);
    double sin = Math.sin(t);
    double cx = in.width() / 2.0;
    double cy = in.height() / 2.0;
    // source = R · (p - centre) + centre, R undoing a counter-clockwise turn on screen (y down)
    return affine(
        in, cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, bilinear);
  }
}
