package dev.imgclass.core;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * EXIF orientation (TIFF tag 274): how a camera's stored pixels must be turned to stand upright.
 * Values 5–8 swap width and height.
 */
final class Orientation {
  private Orientation() {}

  /**
   * Returns {@code img} turned upright for EXIF {@code orientation} 1–8; the same image for 1 or
   * any value out of range. Copies integer samples, so every image type read here keeps its colour
   * model; each source row becomes one row or column of the result, forwards or backwards.
   */
  static BufferedImage apply(BufferedImage img, int orientation) {
    if (orientation < 2 || orientation > 8) return img;
    int w = img.getWidth();
    int h = img.getHeight();
    boolean swap = orientation >= 5;
    boolean reverse = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
    WritableRaster src = img.getRaster();
    WritableRaster dst = src.createCompatibleWritableRaster(swap ? h : w, swap ? w : h);
    int bands = src.getNumBands();
    int[] row = new int[w * bands];
    for (int y = 0; y < h; y++) {
      src.getPixels(0, y, w, 1, row);
      if (reverse) reversePixels(row, bands);
      switch (orientation) {
        case 2 -> dst.setPixels(0, y, w, 1, row); // mirror left-right
        case 3, 4 -> dst.setPixels(0, h - 1 - y, w, 1, row); // rotate 180°, mirror top-bottom
        case 5, 8 -> dst.setPixels(y, 0, 1, w, row); // transpose, rotate 90° anticlockwise
        default -> dst.setPixels(h - 1 - y, 0, 1, w, row); // 6, 7: rotate 90° clockwise, transverse
      }
    }
    return new BufferedImage(img.getColorModel(), dst, img.isAlphaPremultiplied(), null);
  }

  private static void reversePixels(int[] row, int bands) {
    for (int i = 0, j = row.length - bands; i < j; i += bands, j -= bands) {
      for (int b = 0; b < bands; b++) {
        int t = row[i + b];
        row[i + b] = row[j + b];
        row[j + b] = t;
      }
    }
  }
}
