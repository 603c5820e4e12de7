package dev.imgclass.core;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.nio.file.Path;

/**
 * Decoding and pixel conversions shared by every path that reads pictures (training data, {@code
 * predict}, serving), so that all of them see the same pixels. The policy:
 *
 * <ul>
 *   <li>the format comes from the content, not the file name (a PNG named {@code .jpg} decodes);
 *   <li>the header is read first and pictures above a pixel limit are refused before any pixel is
 *       allocated;
 *   <li>JPEGs are turned upright by their EXIF orientation; a damaged EXIF block is ignored;
 *   <li>gray, gray+alpha, RGB(A), palette, 16-bit, CMYK and YCCK pictures all become 8-bit gray or
 *       RGB, transparency composited on white;
 *   <li>a file that cannot be read, including a truncated one, is an {@link ImgclassException} with
 *       a one-line message for that file, never a failure of the process.
 * </ul>
 *
 * PNG, JPEG (read by TwelveMonkeys ImageIO where installed), GIF (first frame) and BMP are read.
 */
public final class Images {
  /** Default limit on width × height: 40 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  private Images() {}

  /** {@link #decode(Path, long)} with {@link #DEFAULT_MAX_PIXELS}. */
  public static BufferedImage decode(Path file) {
    return decode(file, DEFAULT_MAX_PIXELS);
  }

  /**
   * Decodes the first picture in {@code file}, upright.
   *
   * @throws ImgclassException when the file is missing, empty, not a picture, truncated, corrupt or
   *     above {@code maxPixels} (width × height as stored)
   */
  public static BufferedImage decode(Path file, long maxPixels) {
    try (ImageFile f = ImageFile.open(file, maxPixels)) {
      return f.decode();
    }
  }

  /**
   * Decodes a picture held in memory (an upload, a request body) by the same policy as a file;
   * {@code name} stands for it in error messages.
   */
  public static BufferedImage decode(byte[] bytes, String name, long maxPixels) {
    try (ImageFile f = ImageFile.open(bytes, name, maxPixels)) {
      return f.decode();
    }
  }

  /** {@link #probe(Path, long)} with {@link #DEFAULT_MAX_PIXELS}. */
  public static ImageInfo probe(Path file) {
    return probe(file, DEFAULT_MAX_PIXELS);
  }

  /**
   * Reads what the header of {@code file} says without decoding any pixel data: a quick check of
   * many files. It fails as {@link #decode(Path, long)} would for a missing, empty, unrecognised or
   * oversized file or a damaged header, but not for damaged pixel data further on.
   */
  public static ImageInfo probe(Path file, long maxPixels) {
    try (ImageFile f = ImageFile.open(file, maxPixels)) {
      return f.info();
    }
  }

  /**
   * Converts to planar 8-bit with 1 (luma, ITU-R BT.601 weights) or 3 (RGB) channels; transparent
   * pixels are composited on white. Samples deeper than 8 bits keep their high 8 bits.
   */
  public static ImageU8 toPlanar(BufferedImage img, int channels) {
    if (channels != 1 && channels != 3) {
      throw new ImgclassException("images have 1 or 3 channels, not " + channels);
    }
    ColorModel cm = img.getColorModel();
    int type = cm.getColorSpace().getType();
    int transfer = cm.getTransferType();
    boolean components =
        cm instanceof ComponentColorModel
            && !cm.isAlphaPremultiplied()
            && (transfer == DataBuffer.TYPE_BYTE || transfer == DataBuffer.TYPE_USHORT);
    if (components && transfer == DataBuffer.TYPE_BYTE && !cm.hasAlpha()) {
      ImageU8 fast = fromInterleavedBytes(img, channels, type == ColorSpace.TYPE_GRAY);
      if (fast != null) return fast;
    }
    if (components && type == ColorSpace.TYPE_GRAY) return fromSamples(img, channels, true);
    if (components && cm.getColorSpace().isCS_sRGB()) return fromSamples(img, channels, false);
    return fromArgb(img, channels); // palettes, packed ints, other colour spaces
  }

  /** Through {@code getRGB}, which converts any colour model to 8-bit sRGB. */
  private static ImageU8 fromArgb(BufferedImage img, int channels) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] out = new byte[channels * w * h];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      put(out, i, channels, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff, p >>> 24);
    }
    return new ImageU8(channels, h, w, out);
  }

  /**
   * From the raster's samples, scaled to 8 bits: for gray and sRGB component images, 8 or 16 bits,
   * with or without alpha. {@code getRGB} would push gray through Java's linear gray colour space
   * and change every value, and is slow on 16-bit images.
   */
  /**
   * The common case read straight from the pixel array: 8-bit gray or RGB without alpha, bytes
   * interleaved (what the JPEG and PNG readers produce); null for any other layout. Same values as
   * {@link #fromSamples}, several times faster.
   */
  private static ImageU8 fromInterleavedBytes(BufferedImage img, int channels, boolean gray) {
    Raster raster = img.getRaster();
    if (!(raster.getDataBuffer() instanceof DataBufferByte db)
        || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
        || raster.getParent() != null
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0
        || db.getNumBanks() != 1) {
      return null;
    }
    int bands = sm.getNumBands();
    if (bands != (gray ? 1 : 3)) return null;
    int[] off = sm.getBandOffsets();
    int stride = sm.getScanlineStride();
    int px = sm.getPixelStride();
    byte[] data = db.getData();
    int w = img.getWidth();
    int h = img.getHeight();
    int plane = w * h;
    byte[] out = new byte[channels * plane];
    for (int y = 0; y < h; y++) {
      int row = db.getOffset() + y * stride;
      int o = y * w;
      for (int x = 0; x < w; x++) {
        int at = row + x * px;
        if (gray) {
          byte v = data[at + off[0]];
          out[o + x] = v;
          if (channels == 3) {
            out[plane + o + x] = v;
            out[2 * plane + o + x] = v;
          }
        } else if (channels == 3) {
          out[o + x] = data[at + off[0]];
          out[plane + o + x] = data[at + off[1]];
          out[2 * plane + o + x] = data[at + off[2]];
        } else {
          put(
              out,
              o + x,
              1,
              data[at + off[0]] & 0xff,
              data[at + off[1]] & 0xff,
              data[at + off[2]] & 0xff,
              255);
        }
      }
    }
    return new ImageU8(channels, h, w, out);
  }

  private static ImageU8 fromSamples(BufferedImage img, int channels, boolean gray) {
    Raster raster = img.getRaster();
    ColorModel cm = img.getColorModel();
    int w = img.getWidth();
    int h = img.getHeight();
    int bands = raster.getNumBands();
    int colours = gray ? 1 : 3;
    int[] bits = cm.getComponentSize();
    byte[] out = new byte[channels * w * h];
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int at = x * bands;
        int r = scaleTo8(row[at], bits[0]);
        int g = gray ? r : scaleTo8(row[at + 1], bits[1]);
        int b = gray ? r : scaleTo8(row[at + 2], bits[2]);
        int a = bands > colours ? scaleTo8(row[at + colours], bits[colours]) : 255;
        put(out, y * w + x, channels, r, g, b, a);
      }
    }
    return new ImageU8(channels, h, w, out);
  }

  /** Writes pixel {@code i} of a planar image, composited on white, as gray or RGB. */
  private static void put(byte[] out, int i, int channels, int r, int g, int b, int a) {
    if (a != 255) { // composite on white: c * a + 255 * (1 - a)
      r = (r * a + 255 * (255 - a) + 127) / 255;
      g = (g * a + 255 * (255 - a) + 127) / 255;
      b = (b * a + 255 * (255 - a) + 127) / 255;
    }
    if (channels == 1) {
      out[i] = (byte) (r == g && g == b ? r : Math.round(0.299 * r + 0.587 * g + 0.114 * b));
    } else {
      int plane = out.length / 3;
      out[i] = (byte) r;
      out[plane + i] = (byte) g;
      out[2 * plane + i] = (byte) b;
    }
  }

  private static int scaleTo8(int v, int bits) {
    if (bits == 8) return v;
    if (bits > 8) return v >> (bits - 8);
    return v * 255 / ((1 << bits) - 1);
  }

  /** Grayscale to RGB by copying the plane, RGB to grayscale by BT.601 luma. */
  public static ImageU8 convertChannels(ImageU8 img, int channels) {
    if (img.channels() == channels) return img;
    int plane = img.height() * img.width();
    byte[] d = img.data();
    byte[] out = new byte[channels * plane];
    if (channels == 3 && img.channels() == 1) {
      for (int c = 0; c < 3; c++) System.arraycopy(d, 0, out, c * plane, plane);
    } else if (channels == 1 && img.channels() == 3) {
      for (int i = 0; i < plane; i++) {
        int r = d[i] & 0xff;
        int g = d[plane + i] & 0xff;
        int b = d[2 * plane + i] & 0xff;
        out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      }
    } else {
      throw new ImgclassException("cannot convert " + img.channels() + " channels to " + channels);
    }
    return new ImageU8(channels, img.height(), img.width(), out);
  }

  /**
   * Resizes with bilinear interpolation on pixel centres; when shrinking by 2× or more, first
   * averages whole blocks so that detail is not aliased away.
   */
  public static ImageU8 resize(ImageU8 img, int outH, int outW) {
    if (img.height() == outH && img.width() == outW) return img;
    int fy = Math.max(1, img.height() / (2 * outH));
    int fx = Math.max(1, img.width() / (2 * outW));
    if (fy > 1 || fx > 1) img = boxShrink(img, fy, fx);
    int c = img.channels();
    int h = img.height();
    int w = img.width();
    byte[] out = new byte[c * outH * outW];
    double sy = (double) h / outH;
    double sx = (double) w / outW;
    for (int y = 0; y < outH; y++) {
      double srcY = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
      int y0 = (int) srcY;
      int y1 = Math.min(y0 + 1, h - 1);
      double wy = srcY - y0;
      for (int x = 0; x < outW; x++) {
        double srcX = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
        int x0 = (int) srcX;
        int x1 = Math.min(x0 + 1, w - 1);
        double wx = srcX - x0;
        for (int ch = 0; ch < c; ch++) {
          double top = img.get(ch, y0, x0) * (1 - wx) + img.get(ch, y0, x1) * wx;
          double bot = img.get(ch, y1, x0) * (1 - wx) + img.get(ch, y1, x1) * wx;
          out[(ch * outH + y) * outW + x] = (byte) Math.round(top * (1 - wy) + bot * wy);
        }
      }
    }
    return new ImageU8(c, outH, outW, out);
  }

  private static ImageU8 boxShrink(ImageU8 img, int fy, int fx) {
    int c = img.channels();
    int h = img.height() / fy;
    int w = img.width() / fx;
    byte[] out = new byte[c * h * w];
    int area = fy * fx;
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int sum = 0;
          for (int dy = 0; dy < fy; dy++) {
            for (int dx = 0; dx < fx; dx++) sum += img.get(ch, y * fy + dy, x * fx + dx);
          }
          out[(ch * h + y) * w + x] = (byte) ((sum + area / 2) / area);
        }
      }
    }
    return new ImageU8(c, h, w, out);
  }
}
