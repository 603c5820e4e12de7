package dev.imgclass.core;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decoding and pixel conversions shared by every path that reads pictures. Decoding reads the
 * header first and refuses pictures above a pixel limit before allocating any pixels; a file that
 * cannot be decoded is an {@link ImgclassException} for that file only.
 */
public final class Images {
  /** Default limit on width × height: 40 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  private Images() {}

  public static BufferedImage decode(Path file) {
    return decode(file, DEFAULT_MAX_PIXELS);
  }

  public static BufferedImage decode(Path file, long maxPixels) {
    if (!Files.isRegularFile(file)) throw new ImgclassException("no such image file: " + file);
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) throw new ImgclassException("cannot open image " + file);
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new ImgclassException("not a supported image (PNG, JPEG, BMP, GIF): " + file);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w < 1 || h < 1 || w * h > maxPixels) {
          throw new ImgclassException(
              "image "
                  + file
                  + " is "
                  + w
                  + "x"
                  + h
                  + ", above the limit of "
                  + maxPixels
                  + " pixels");
        }
        BufferedImage img = reader.read(0);
        if (img == null) throw new ImgclassException("image " + file + " decoded to nothing");
        return img;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImgclassException ie) throw ie;
      throw new ImgclassException("cannot decode image " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Converts to planar 8-bit with 1 (luma, ITU-R BT.601 weights) or 3 (RGB) channels; transparent
   * pixels are composited on white.
   */
  public static ImageU8 toPlanar(BufferedImage img, int channels) {
    if (isGray(img)) return grayToPlanar(img, channels);
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    int plane = w * h;
    byte[] out = new byte[channels * plane];
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      int a = (p >>> 24) & 0xff;
      int r = (p >>> 16) & 0xff;
      int g = (p >>> 8) & 0xff;
      int b = p & 0xff;
      if (a != 255) { // composite on white: c * a + 255 * (1 - a)
        r = (r * a + 255 * (255 - a) + 127) / 255;
        g = (g * a + 255 * (255 - a) + 127) / 255;
        b = (b * a + 255 * (255 - a) + 127) / 255;
      }
      if (channels == 1) {
        out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      } else {
        out[i] = (byte) r;
        out[plane + i] = (byte) g;
        out[2 * plane + i] = (byte) b;
      }
    }
    return new ImageU8(channels, h, w, out);
  }

  /**
   * Gray images are read from their samples: {@code getRGB} would push them through Java's linear
   * gray colour space and change every value.
   */
  private static boolean isGray(BufferedImage img) {
    var cs = img.getColorModel().getColorSpace();
    int bands = img.getRaster().getNumBands();
    return cs.getType() == java.awt.color.ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2);
  }

  private static ImageU8 grayToPlanar(BufferedImage img, int channels) {
    var raster = img.getRaster();
    int w = img.getWidth();
    int h = img.getHeight();
    int bits = img.getColorModel().getComponentSize(0);
    boolean alpha = raster.getNumBands() == 2;
    int abits = alpha ? img.getColorModel().getComponentSize(1) : 8;
    int plane = w * h;
    byte[] gray = new byte[plane];
    int[] row = new int[w * raster.getNumBands()];
    for (int y = 0; y < h; y++) {
      raster.getPixels(0, y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int bands = raster.getNumBands();
        int v = scaleTo8(row[x * bands], bits);
        if (alpha) {
          int a = scaleTo8(row[x * bands + 1], abits);
          v = (v * a + 255 * (255 - a) + 127) / 255; // composite on white
        }
        gray[y * w + x] = (byte) v;
      }
    }
    ImageU8 g = new ImageU8(1, h, w, gray);
    return channels == 1 ? g : convertChannels(g, channels);
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
