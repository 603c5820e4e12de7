package dev.imgclass.cli;

import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.train.augment.Augmentation;
import dev.imgclass.train.data.Batch;
import dev.imgclass.train.data.BatchLoader;
import dev.imgclass.train.data.DataIssues;
import dev.imgclass.train.data.DataSources;
import dev.imgclass.train.data.Dataset;
import dev.imgclass.train.data.FileDataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass bench-data} (hidden; used by bench/data_pipeline.sh): images/s of the input
 * pipeline against one thread of plain ImageIO on the same files. The measurements run interleaved,
 * round after round, so that drift on a shared machine hits them all alike.
 */
@Command(
    name = "bench-data",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "Measure the input pipeline against plain ImageIO (for bench/).")
final class BenchDataCommand implements Callable<Integer> {
  private static final int WARMUP_IMAGES = 256;

  @Option(names = "--data", required = true, description = "An image folder or CSV manifest.")
  String data;

  @Option(names = "--size", defaultValue = "224")
  int size;

  @Option(names = "--channels", defaultValue = "3")
  int channels;

  @Option(names = "--batch-size", defaultValue = "64")
  int batchSize;

  @Option(
      names = "--workers",
      split = ",",
      defaultValue = "1,2",
      description = "Pipeline worker counts to measure (0: batches built on the caller thread).")
  List<Integer> workers;

  @Option(names = "--augment", defaultValue = "standard")
  String augment;

  @Option(names = "--rounds", defaultValue = "3")
  int rounds;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--json", description = "One JSON document instead of the table.")
  boolean json;

  /** One timed pass over a dataset; returns the images it delivered. */
  @FunctionalInterface
  private interface Pass {
    int run(FileDataset files, Dataset cached, int epoch) throws IOException;
  }

  private record Measurement(String key, String what, String threads, Pass pass) {}

  private final DataIssues issues = new DataIssues();
  private Augmentation aug;
  private Preprocessor pre;
  private long sink; // consumes results so that no pass can be optimised away

  @Override
  public Integer call() throws IOException {
    if (rounds < 1) throw new ImgclassException("--rounds must be at least 1, got " + rounds);
    if (batchSize < 1) throw new ImgclassException("--batch-size must be >= 1, got " + batchSize);
    if (workers.isEmpty() || workers.stream().anyMatch(w -> w < 0)) {
      throw new ImgclassException("--workers must list counts >= 0, e.g. 1,2; got " + workers);
    }
    aug = Augmentation.parse(augment);
    if (!(DataSources.open(data, new DataSources.Load(channels, size, Images.DEFAULT_MAX_PIXELS))
            .train()
        instanceof FileDataset files)) {
      throw new ImgclassException(
          "bench-data measures decoding files: --data must be an image folder or a CSV manifest, not "
              + data);
    }
    // mean and std change no timing; the pipeline only needs some
    pre =
        new Preprocessor(
            new ModelSpec(
                "bench",
                files.classes(),
                channels,
                size,
                Collections.nCopies(channels, 0.5),
                Collections.nCopies(channels, 0.25)));
    List<Path> paths = files.entries().stream().map(FileDataset.Entry::path).toList();
    String reader = defaultReader(paths.get(0));

    // untimed: every file into the OS page cache, then each measurement once on a few images (JIT)
    long bytes = 0;
    for (Path p : paths) bytes += Files.readAllBytes(p).length;
    int maxWorkers = Math.max(1, Collections.max(workers));
    long t0 = System.nanoTime();
    Dataset cached = files.cache(maxWorkers, issues);
    double cacheSeconds = (System.nanoTime() - t0) / 1e9;
    List<Measurement> ms = measurements(reader);
    int[] head = IntStream.range(0, Math.min(WARMUP_IMAGES, files.size())).toArray();
    FileDataset warmFiles = files.subset(head);
    Dataset warmCached =
        cached.subset(IntStream.range(0, Math.min(head.length, cached.size())).toArray());
    for (Measurement m : ms) m.pass().run(warmFiles, warmCached, 0);

    Map<String, List<Double>> rates = new LinkedHashMap<>();
    for (int r = 1; r <= rounds; r++) {
      for (Measurement m : ms) {
        long start = System.nanoTime();
        int n = m.pass().run(files, cached, r);
        double s = (System.nanoTime() - start) / 1e9;
        rates.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(n / s);
      }
    }

    List<Map<String, Object>> rows = new ArrayList<>();
    double base = median(rates.get("imageio"));
    for (Measurement m : ms) {
      List<Double> v = rates.get(m.key());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("key", m.key());
      row.put("what", m.what());
      row.put("threads", m.threads());
      row.put("img_per_s", v);
      row.put("median", median(v));
      row.put("vs_imageio", median(v) / base);
      rows.add(row);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("data", data);
    doc.put("images", files.size());
    doc.put("classes", files.classes().size());
    doc.put("file_bytes", bytes);
    doc.put("shape", List.of(channels, size, size));
    doc.put("batch_size", batchSize);
    doc.put("augment", aug.describe());
    doc.put("rounds", rounds);
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("imageio_reader", reader);
    doc.put("warmup_images", head.length);
    Map<String, Object> cache = new LinkedHashMap<>();
    cache.put("workers", maxWorkers);
    cache.put("seconds", cacheSeconds);
    cache.put("img_per_s", files.size() / cacheSeconds);
    cache.put("bytes", (long) cached.size() * channels * size * size);
    doc.put("cache", cache);
    doc.put("results", rows);
    doc.put("bad_files", issues.badCount());
    doc.put("checksum", sink);
    if (json) {
      System.out.println(Json.write(doc));
      return 0;
    }
    System.out.printf(
        Locale.ROOT,
        "%d images (%d classes, %.1f KiB per file on average) from %s, read at %dx%dx%d;"
            + " batch %d; augment %s; %d cores for this JVM%n",
        files.size(),
        files.classes().size(),
        bytes / 1024.0 / files.size(),
        data,
        channels,
        size,
        size,
        batchSize,
        aug.describe(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(
        Locale.ROOT,
        "cache: %d images decoded into memory once, on %d workers, in %.1f s (%.0f img/s)%n%n",
        cached.size(),
        maxWorkers,
        cacheSeconds,
        files.size() / cacheSeconds);
    System.out.println(
        "| measurement | threads | median img/s | vs ImageIO.read | rounds (img/s) |");
    System.out.println("|---|---|---|---|---|");
    for (Map<String, Object> r : rows) {
      List<String> each =
          rates.get((String) r.get("key")).stream()
              .map(x -> String.format(Locale.ROOT, "%.0f", x))
              .toList();
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %.0f | %.2f | %s |%n",
          r.get("what"),
          r.get("threads"),
          (double) r.get("median"),
          (double) r.get("vs_imageio"),
          String.join(", ", each));
    }
    if (issues.badCount() > 0) System.out.println("unreadable files: " + issues.summary());
    return 0;
  }

  /** The measurements of one round, in the order they run: the peer first. */
  private List<Measurement> measurements(String reader) {
    List<Measurement> ms = new ArrayList<>();
    ms.add(
        new Measurement(
            "imageio",
            "ImageIO.read(file), decode only (" + simpleName(reader) + ")",
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

  /** As {@link ImageIO#read} does it, but with the first reader that is not a plug-in. */
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

  /** One epoch through {@link BatchLoader}, as the trainer consumes it. */
  private int pipeline(Dataset d, int w, int epoch) {
    BatchLoader.Mixer mixer =
        aug.batchMix()
            .<BatchLoader.Mixer>map(
                m ->
                    (x, y, n, rng) ->
                        m.apply(x, y, n, channels, size, size, d.classes().size(), 0, rng))
            .orElse(null);
    int n = 0;
    try (BatchLoader loader =
        new BatchLoader(d, pre, aug, mixer, batchSize, seed, false, false, w, issues)) {
      for (Iterator<Batch> it = loader.epoch(loader.order(epoch), epoch, 0); it.hasNext(); ) {
        Batch b = it.next();
        sink += Float.floatToIntBits(b.inputs()[0]);
        n += b.size();
      }
    }
    return n;
  }

  private static String defaultReader(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) throw new ImgclassException("ImageIO has no reader for " + file);
      return readers.next().getClass().getName();
    }
  }

  private static String threads(int w) {
    return w == 0 ? "caller thread" : w + (w == 1 ? " worker" : " workers");
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1)
        + " from "
        + className.split("\\.")[1];
  }

  private static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
