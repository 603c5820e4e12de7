package dev.imgclass.data.augment;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Lays images out in a grid, each enlarged by an integer factor (nearest neighbour, so pixels stay
 * sharp) with a caption below it: a way to look at what an augmentation recipe does before training
 * with it. Cells are as large as the largest image; captions too wide for a cell are cut with
 * "...".
 */
public final class PreviewGrid {
  /** Pixels of background around each enlarged image. */
  public static final int PAD = 4;

  /** Height of the caption band under each image, when there are captions. */
  public static final int CAPTION_HEIGHT = 16;

  public static final int MAX_SCALE = 64;

  private static final Color BACKGROUND = Color.WHITE;
  private static final Color TEXT = Color.BLACK;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private PreviewGrid() {}

  /**
   * Renders {@code images} row by row, {@code columns} to a row (fewer if there are fewer images),
   * each {@code scale} times its size (1 to 64). {@code captions} is empty for none, else one per
   * image. Each cell is {@code maxWidth·scale + 2·PAD} wide and {@code maxHeight·scale + 2·PAD}
   * high, plus {@link #CAPTION_HEIGHT} with captions.
   */
  public static BufferedImage render(
      List<ImageU8> images, List<String> captions, int columns, int scale) {
    Checks.require(!images.isEmpty(), "preview grid needs at least one image");
    Checks.require(
        captions.isEmpty() || captions.size() == images.size(),
        "preview grid has " + images.size() + " images but " + captions.size() + " captions");
    Checks.require(columns >= 1, "preview grid columns must be at least 1, got " + columns);
    Checks.require(
        scale >= 1 && scale <= MAX_SCALE,
        "preview grid scale must be 1 to " + MAX_SCALE + ", got " + scale);
    int maxW = 0;
    int maxH = 0;
    for (ImageU8 img : images) {
      maxW = Math.max(maxW, img.width());
      maxH = Math.max(maxH, img.height());
    }
    int cols = Math.min(columns, images.size());
    int rows = (images.size() + cols - 1) / cols;
    int cellW = maxW * scale + 2 * PAD;
    int cellH = maxH * scale + 2 * PAD + (captions.isEmpty() ? 0 : CAPTION_HEIGHT);
    long pixels = (long) cols * cellW * rows * cellH;
    Checks.require(
        pixels <= 100_000_000L,
        "preview grid would be " + pixels + " pixels: lower scale or columns");
    BufferedImage grid = new BufferedImage(cols * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      g.setFont(FONT);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < images.size(); i++) {
        int x0 = (i % cols) * cellW;
        int y0 = (i / cols) * cellH;
        ImageU8 img = images.get(i);
        paint(grid, img, x0 + PAD, y0 + PAD, scale);
        if (!captions.isEmpty()) {
          String text = fit(captions.get(i), fm, cellW - 2);
          int tx = x0 + (cellW - fm.stringWidth(text)) / 2;
          int ty = y0 + maxH * scale + 2 * PAD + fm.getAscent();
          g.setColor(TEXT);
          g.drawString(text, tx, ty);
        }
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  /** Copies {@code img} into {@code out} at {@code (x0, y0)}, each pixel a scale × scale block. */
  private static void paint(BufferedImage out, ImageU8 img, int x0, int y0, int scale) {
    int plane = img.height() * img.width();
    byte[] d = img.data();
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        int i = y * img.width() + x;
        int r = d[i] & 0xff;
        int gr = img.channels() == 3 ? d[plane + i] & 0xff : r;
        int b = img.channels() == 3 ? d[2 * plane + i] & 0xff : r;
        int rgb = (r << 16) | (gr << 8) | b;
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++)
            out.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
        }
      }
    }
  }

  private static String fit(String text, FontMetrics fm, int width) {
    if (fm.stringWidth(text) <= width) return text;
    String cut = text;
    while (!cut.isEmpty() && fm.stringWidth(cut + "...") > width) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "...";
  }

  /** Writes {@code grid} as a PNG file, atomically (temporary file, then rename). */
  public static void write(BufferedImage grid, Path png) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(grid, "png", bytes)) {
        throw new ImgclassException("no PNG writer available to write " + png);
      }
    } catch (IOException e) {
      throw new ImgclassException("cannot encode " + png + " as PNG: " + e.getMessage(), e);
    }
    AtomicFiles.write(png, bytes.toByteArray());
  }
}
