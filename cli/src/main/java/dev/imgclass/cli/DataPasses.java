package dev.imgclass.cli;

import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.train.training.RunAssembly;
import dev.imgclass.train.training.TrainConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The passes {@code bench-data} times: each reads every image of a dataset once, one way, and
 * returns how many it delivered. From the peer (plain ImageIO, decode only) up to the full input
 * pipeline of training, so that each step's cost shows as the difference between two rows.
 */
final class DataPasses {
  /** One pass over the files (or over their in-memory cache); {@code epoch} varies augmentation. */
  @FunctionalInterface
  interface Pass {
    int run(FileDataset files, Dataset cached, int epoch) throws IOException;
  }

  /**
   * @param key short name, for JSON
   * @param what what the pass does, for the table
   * @param threads who does it
   */
  record Measurement(String key, String what, String threads, Pass pass) {}

  private final TrainConfig cfg;
  private final ModelSpec spec;
  private final Augmentation aug;
  private final DataIssues issues;
  private long sink; // consumes every result, so that no pass can be optimised away

  /**
   * @param cfg the run whose batches the pipeline passes build (batch size, augmentation, sampler,
   *     seed), through the loader a training run builds ({@link RunAssembly#loader})
   */
  DataPasses(TrainConfig cfg, ModelSpec spec, DataIssues issues) {
    this.cfg = cfg;
    this.spec = spec;
    this.aug = Augmentation.parse(cfg.augment());
    this.issues = issues;
  }

  /** The passes of one round, in the order they run: the peer first. */
  List<Measurement> all(String reader, List<Integer> workers) {
    List<Measurement> ms = new ArrayList<>();
    ms.add(
        new Measurement(
            "imageio",
            "ImageIO.read(file), decode only (" + shortName(reader) + ")",
            "1",
            (f, c, e) -> imageIo(f)));
    ms.add(
        new Measurement(
            "imageio-jdk",
            "ImageIO with the JDK's own reader, decode only",
            "1",
            (f, c, e) -> jdkReader(f)));
    ms.add(
        new Measurement(
            "safe-decode",
            "safe decode only (Images.decode: format sniffed, header checked, upright)",
            "1",
            (f, c, e) -> safeDecode(f)));
    ms.add(
        new Measurement(
            "decode",
            "safe decode + planar uint8 + resize (FileDataset.image)",
            "1",
            (f, c, e) -> decode(f)));
    for (int w : workers) {
      ms.add(
          new Measurement(
              "pipeline-w" + w,
              "pipeline from files: decode, resize, augment, normalize",
              threads(w),
              (f, c, e) -> pipeline(f, w, e)));
    }
    for (int w : workers) {
      ms.add(
          new Measurement(
              "cached-w" + w,
              "pipeline from the in-memory cache: augment, normalize",
              threads(w),
              (f, c, e) -> pipeline(c, w, e)));
    }
    return ms;
  }

  long checksum() {
    return sink;
  }

  /** The class of the reader {@link ImageIO#read} picks for {@code file}. */
  static String defaultReader(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) throw new ImgclassException("ImageIO has no reader for " + file);
      return readers.next().getClass().getName();
    }
  }

  private int imageIo(FileDataset f) throws IOException {
    int n = 0;
    for (FileDataset.Entry e : f.entries()) {
      BufferedImage img = ImageIO.read(e.path().toFile());
      if (img != null) {
        sink += img.getRGB(0, 0);
        n++;
      }
    }
    return n;
  }

  /** As {@link ImageIO#read} does it, but with the first reader that is not a plug-in's. */
  private int jdkReader(FileDataset f) throws IOException {
    int n = 0;
    for (FileDataset.Entry e : f.entries()) {
      try (ImageInputStream in = ImageIO.createImageInputStream(e.path().toFile())) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
          ImageReader r = readers.next();
          if (r.getClass().getName().startsWith("com.twelvemonkeys.")) continue;
          try {
            r.setInput(in, true, true);
            sink += r.read(0, r.getDefaultReadParam()).getRGB(0, 0);
            n++;
          } finally {
            r.dispose();
          }
          break;
        }
      }
    }
    return n;
  }

  private int safeDecode(FileDataset f) {
    int n = 0;
    for (FileDataset.Entry e : f.entries()) {
      try {
        sink += Images.decode(e.path()).getRGB(0, 0);
        n++;
      } catch (ImgclassException ex) {
        issues.bad(e.name(), "unreadable", ex.getMessage());
      }
    }
    return n;
  }

  private int decode(FileDataset f) {
    int n = 0;
    for (int i = 0; i < f.size(); i++) {
      try {
        sink += f.image(i).data()[0];
        n++;
      } catch (ImgclassException e) {
        issues.bad(f.name(i), "unreadable", e.getMessage());
      }
    }
    return n;
  }

  /** One epoch through the training run's {@link BatchLoader}, consumed as the trainer does. */
  private int pipeline(Dataset d, int workers, int epoch) {
    int n = 0;
    try (BatchLoader loader = RunAssembly.loader(cfg, d, spec, aug, workers, issues)) {
      for (Iterator<Batch> it = loader.epoch(loader.order(epoch), epoch, 0); it.hasNext(); ) {
        Batch b = it.next();
        sink += Float.floatToIntBits(b.inputs()[0]);
        n += b.size();
      }
    }
    return n;
  }

  private static String threads(int w) {
    return w == 0 ? "caller thread" : w + (w == 1 ? " worker" : " workers");
  }

  /**
   * {@code com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReader} → "JPEGImageReader,
   * twelvemonkeys".
   */
  private static String shortName(String className) {
    String[] parts = className.split("\\.");
    return parts[parts.length - 1] + (parts.length > 2 ? ", " + parts[1] : "");
  }
}
