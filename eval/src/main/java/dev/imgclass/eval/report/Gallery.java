package dev.imgclass.eval.report;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import dev.imgclass.runtime.Prediction;
import dev.imgclass.runtime.TopK;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;

/** The test images a model got wrong, most confident mistakes first, with their top-3 classes. */
final class Gallery {
  /** One misclassified image: its index in the test set, true class, top-3 and PNG bytes. */
  record Item(int index, String truth, List<Prediction> top3, byte[] png) {}

  private Gallery() {}

  static List<Item> misclassified(Dataset data, Evaluator.Predictions p, int max) {
    List<String> classes = data.classes();
    List<Integer> wrong = new ArrayList<>();
    int[] predicted = p.predicted();
    for (int i = 0; i < predicted.length; i++) if (predicted[i] != p.labels()[i]) wrong.add(i);
    wrong.sort(
        Comparator.comparingDouble((Integer i) -> -p.probs()[i][predicted[i]])
            .thenComparingInt(i -> i));
    List<Item> items = new ArrayList<>();
    for (int i : wrong.subList(0, Math.min(max, wrong.size()))) {
      items.add(
          new Item(
              p.indices()[i],
              classes.get(p.labels()[i]),
              TopK.of(p.probs()[i], 3, classes),
              png(data.image(p.indices()[i]), Math.max(1, 96 / data.height()))));
    }
    return items;
  }

  /** Encodes an 8-bit planar image as PNG, enlarged {@code scale} times with square pixels. */
  static byte[] png(ImageU8 img, int scale) {
    int h = img.height() * scale;
    int w = img.width() * scale;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int sy = y / scale;
        int sx = x / scale;
        int r = img.get(0, sy, sx);
        int g = img.channels() == 3 ? img.get(1, sy, sx) : r;
        int b = img.channels() == 3 ? img.get(2, sy, sx) : r;
        out.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(out, "png", bytes);
    } catch (IOException e) {
      throw new ImgclassException("cannot encode a gallery image as PNG: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }
}
