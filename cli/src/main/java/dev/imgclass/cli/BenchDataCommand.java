package dev.imgclass.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.DataIssues;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.FileDataset;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.train.training.TrainConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass bench-data} (hidden; used by bench/data_pipeline.sh): images/s of the input
 * pipeline (the batch loader a training run with these settings builds) against one thread of plain
 * ImageIO on the same files. The passes ({@link DataPasses}) run interleaved, round after round, so
 * that drift on a shared machine hits them all alike; each also records the CPU this process got,
 * since on a loaded machine that, not the code, sets img/s.
 */
@Command(
    name = "bench-data",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "Measure the input pipeline against plain ImageIO (for bench/).")
final class BenchDataCommand implements Callable<Integer> {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  @Option(
      names = "--data",
      required = true,
      description = "An image folder or CSV manifest (of the forms: " + DataHelp.FORMS + ")")
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

  @Option(
      names = "--warmup-rounds",
      defaultValue = "1",
      description =
          "Untimed rounds first: JIT, and the heap the cache build grew (its first use costs"
              + " page faults that would land on round 1).")
  int warmupRounds;

  @Option(names = "--seed", defaultValue = "42")
  long seed;

  @Option(names = "--json", description = "One JSON document instead of the table.")
  boolean json;

  /** One pass's numbers, one entry per round. */
  private record Result(DataPasses.Measurement m, List<Double> imgPerS, List<Double> cores) {
    double median() {
      return BenchDataCommand.median(imgPerS);
    }

    /** Images per CPU-second of this process: far less sensitive than img/s to others' load. */
    List<Double> perCpu() {
      return IntStream.range(0, imgPerS.size())
          .mapToObj(i -> imgPerS.get(i) / cores.get(i))
          .toList();
    }
  }

  @Override
  public Integer call() throws IOException {
    if (rounds < 1) throw new ImgclassException("--rounds must be at least 1, got " + rounds);
    if (warmupRounds < 0) {
      throw new ImgclassException("--warmup-rounds must be >= 0, got " + warmupRounds);
    }
    if (batchSize < 1) throw new ImgclassException("--batch-size must be >= 1, got " + batchSize);
    if (workers.isEmpty() || workers.stream().anyMatch(w -> w < 0)) {
      throw new ImgclassException("--workers must list counts >= 0, e.g. 1,2; got " + workers);
    }
    Augmentation aug = Augmentation.parse(augment);
    DataSources.Load load = new DataSources.Load(channels, size, Images.DEFAULT_MAX_PIXELS);
    if (!(DataSources.open(data, load).train() instanceof FileDataset files)) {
      throw new ImgclassException(
          "bench-data times decoding files: --data must be an image folder or a CSV manifest, not "
              + data);
    }
    // mean and std change no timing; the pipeline only needs some
    List<Double> mean = Collections.nCopies(channels, 0.5);
    List<Double> std = Collections.nCopies(channels, 0.25);
    ModelSpec spec = new ModelSpec("bench", files.classes(), channels, size, mean, std);
    TrainConfig.Builder run = TrainConfig.builder();
    run.batchSize = batchSize;
    run.augment = augment;
    run.seed = seed;
    DataIssues issues = new DataIssues();
    DataPasses passes = new DataPasses(run.build(), spec, issues);
    String reader = DataPasses.defaultReader(files.entries().get(0).path());

    // untimed: every file into the OS page cache, and the cache of decoded images
    long bytes = 0;
    for (FileDataset.Entry e : files.entries()) bytes += Files.readAllBytes(e.path()).length;
    int cacheWorkers = Math.max(1, Collections.max(workers));
    long t0 = System.nanoTime();
    Dataset cached = files.cache(cacheWorkers, issues);
    double cacheSeconds = (System.nanoTime() - t0) / 1e9;

    List<Result> results = new ArrayList<>();
    for (DataPasses.Measurement m : passes.all(reader, workers)) {
      results.add(new Result(m, new ArrayList<>(), new ArrayList<>()));
    }
    for (int r = 1 - warmupRounds; r <= rounds; r++) {
      for (Result res : results) {
        long start = System.nanoTime();
        long cpu = OS.getProcessCpuTime();
        int n = res.m().pass().run(files, cached, r + warmupRounds);
        double s = (System.nanoTime() - start) / 1e9;
        if (r < 1) continue; // warm-up
        res.imgPerS().add(n / s);
        res.cores().add((OS.getProcessCpuTime() - cpu) / 1e9 / s);
      }
    }

    double base = results.get(0).median(); // plain ImageIO.read, the peer
    if (!json) {
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
          "cache: %d images decoded into memory once, on %d workers, in %.1f s (%.0f img/s);"
              + " then %d untimed warm-up round(s), %d timed%n%n",
          cached.size(),
          cacheWorkers,
          cacheSeconds,
          files.size() / cacheSeconds,
          warmupRounds,
          rounds);
      System.out.println(
          "| measurement | threads | median img/s | vs ImageIO.read | cores used | img per CPU-s"
              + " | rounds (img/s) |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (Result res : results) {
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %.0f | %.2f | %.2f | %.0f | %s |%n",
            res.m().what(),
            res.m().threads(),
            res.median(),
            res.median() / base,
            median(res.cores()),
            median(res.perCpu()),
            String.join(
                ", ",
                res.imgPerS().stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList()));
      }
      if (issues.badCount() > 0) System.out.println("unreadable files: " + issues.summary());
      return 0;
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
    doc.put("warmup_rounds", warmupRounds);
    Map<String, Object> cache = new LinkedHashMap<>();
    cache.put("workers", cacheWorkers);
    cache.put("seconds", cacheSeconds);
    cache.put("img_per_s", files.size() / cacheSeconds);
    cache.put("bytes", (long) cached.size() * channels * size * size);
    doc.put("cache", cache);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result res : results) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("key", res.m().key());
      row.put("what", res.m().what());
      row.put("threads", res.m().threads());
      row.put("img_per_s", res.imgPerS());
      row.put("median", res.median());
      row.put("vs_imageio", res.median() / base);
      row.put("cores_used", res.cores());
      row.put("img_per_cpu_s", res.perCpu());
      row.put("median_img_per_cpu_s", median(res.perCpu()));
      rows.add(row);
    }
    doc.put("results", rows);
    doc.put("bad_files", issues.badCount());
    doc.put("checksum", passes.checksum());
    System.out.println(Json.write(doc));
    return 0;
  }

  static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
