package dev.imgclass.data;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes small image-folder datasets for tests. */
final class FolderData {
  private FolderData() {}

  /** A 16×16 picture whose colour depends on {@code cls} and a little on {@code i}. */
  static BufferedImage picture(int cls, int i) {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    var g = img.createGraphics();
    g.setColor(new Color((cls * 90) % 256, (i * 37) % 256, 255 - (cls * 90) % 256));
    g.fillRect(0, 0, 16, 16);
    g.setColor(Color.WHITE);
    g.fillRect(cls * 4 % 16, 0, 3, 16);
    g.dispose();
    return img;
  }

  /** Writes {@code perClass} images into {@code dir/CLASS/} for each class; PNG and JPEG mixed. */
  static void write(Path dir, String[] classes, int perClass) throws Exception {
    for (int c = 0; c < classes.length; c++) {
      Path d = Files.createDirectories(dir.resolve(classes[c]));
      for (int i = 0; i < perClass; i++) {
        boolean png = i % 2 == 0;
        ImageIO.write(
            picture(c, i),
            png ? "png" : "jpg",
            d.resolve("img " + i + (png ? ".png" : ".JPG")).toFile());
      }
    }
  }
}
