package dev.imgclass.cli;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.Splits;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.training.DataOptions;
import dev.imgclass.train.training.RunData;
import dev.imgclass.train.training.TrainConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass advise}: which model to train for this data on this machine. Every registered
 * model (or {@code --models}) is built at the data's shape, exported to ONNX FP32 and INT8 and
 * timed here ({@link LatencyProbe}); its accuracy comes from the shipped Fashion-MNIST leaderboard
 * or the user's runs ({@link Accuracies}); the Pareto front and the pick for a latency budget come
 * from {@link Pareto}. Nothing is inferred from a model's name: every speed is measured.
 */
@Command(
    name = "advise",
    mixinStandardHelpOptions = true,
    description =
        "Which model? Measures every registered model's latency (batch 1) and throughput (batch"
            + " 64) on this machine in ONNX Runtime, FP32 and INT8, at the data's input size, and"
            + " prints the latency/accuracy Pareto front with a pick for --latency-ms.")
final class AdviseCommand implements Callable<Integer> {
  static final int SAMPLE = 64; // data images read: the batch-64 input and the calibration set
  static final int CALIBRATION = 32; // of those, the images INT8 ranges are calibrated on

  @Option(
      names = "--data",
      required = true,
      description = "The data the model is for (its input shape and classes): " + DataHelp.FORMS)
  String data;

  @Option(
      names = "--latency-ms",
      description =
          "Batch-1 latency budget in milliseconds: recommend the most accurate model whose median"
              + " meets it (default: no budget; the most accurate and the fastest).")
  Double latencyMs;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "ONNX Runtime intra-op threads (default: all cores).")
  int threads;

  @Option(
      names = "--models",
      split = ",",
      description = "Models to measure, comma-separated (default: every one in 'imgclass models').")
  List<String> models;

  @Option(
      names = "--seconds",
      defaultValue = "2",
      description =
          "Time budget of each measurement (4 per model: FP32 and INT8 at batch 1 and 64), at"
              + " least "
              + Timing.MIN_RUNS
              + " timed runs each (default: 2).")
  double seconds;

  @Option(
      names = "--image-size",
      description =
          "Image files are read at this square, as train would (default: each model's, 32 or"
              + " 224); IDX and generated data keep their own size.")
  Integer imageSize;

  @Option(
      names = "--channels",
      description = "1 (gray) or 3 (RGB) for image files, as train (default: 3).")
  Integer channels;

  @Option(
      names = "--runs",
      split = ",",
      description =
          "Run directories of your own training (model.json and eval.json): their test top-1"
              + " replaces the leaderboard's for their model.")
  List<Path> runs;

  @Option(names = "--json", description = "Print one JSON document (progress goes to stderr).")
  boolean json;

  /** Readable images of the data at one shape, with its class names and description. */
  record Sample(String description, List<String> classes, List<ImageU8> images) {}

  @Override
  public Integer call() throws IOException {
    if (latencyMs != null && !(latencyMs > 0))
      throw new ImgclassException(
          "--latency-ms must be positive (a batch-1 budget in milliseconds), got " + latencyMs);
    if (!(seconds > 0) || seconds > 600)
      throw new ImgclassException("--seconds must be in (0, 600], got " + seconds);
    if (threads < 0) throw new ImgclassException("--threads must be >= 0, got " + threads);
    List<String> names = modelNames();
    Accuracies accuracies = Accuracies.load(runs == null ? List.of() : runs);
    PrintStream log = json ? System.err : System.out;
    // all cores by default, set explicitly so that the threads reported are the threads used
    int used = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    LatencyProbe probe = new LatencyProbe(used, seconds, CALIBRATION);
    Map<DataSources.Load, Sample> samples = new LinkedHashMap<>();
    List<LatencyProbe.Result> results = new ArrayList<>();
    Path tmp = Files.createTempDirectory("imgclass-advise");
    try {
      for (String name : names) {
        Sample s = samples.computeIfAbsent(load(name, log), this::sample);
        ImageU8 img = s.images().get(0);
        log.printf(
            "timing %s (%d/%d) at %dx%dx%d ...%n",
            name, results.size() + 1, names.size(), img.channels(), img.height(), img.width());
        results.add(probe.measure(name, s.classes(), s.images(), tmp));
      }
    } finally {
      deleteTree(tmp);
    }
    Sample first = samples.values().iterator().next();
    AdviseReport report =
        AdviseReport.of(
            results,
            accuracies,
            latencyMs == null ? OptionalDouble.empty() : OptionalDouble.of(latencyMs));
    if (json) {
      System.out.println(Json.write(report.document(first, machine(used))));
    } else {
      report.print(first, machine(used), System.out);
    }
    return 0;
  }

  /** {@code --models} checked against the registry (every model without it), duplicates dropped. */
  private List<String> modelNames() {
    if (models == null || models.isEmpty())
      return ModelRegistry.entries().stream().map(ModelRegistry.Entry::name).toList();
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (String m : models) {
      String name = m.trim();
      ModelRegistry.entry(name); // an unknown name is one error listing the known ones
      names.add(name);
    }
    return List.copyOf(names);
  }

  /** The shape train would read image files at for {@code model} (one code path: RunData). */
  private DataSources.Load load(String model, PrintStream log) {
    TrainConfig.Builder b = TrainConfig.builder();
    b.model = model;
    if (imageSize != null) b.imageSize = imageSize;
    if (channels != null) b.channels = channels;
    return RunData.load(b.build(), DataOptions.defaults(), log);
  }

  /** Up to {@link #SAMPLE} readable training images of the data at {@code load}'s shape. */
  private Sample sample(DataSources.Load load) {
    DataSplits splits = DataSources.open(data, load);
    Dataset train = splits.train();
    if (train.height() != train.width())
      throw new ImgclassException(
          "images are " + train.height() + "x" + train.width() + "; square images are expected");
    Dataset pick = Splits.limit(train, SAMPLE, 17);
    List<ImageU8> images = new ArrayList<>();
    for (int i = 0; i < pick.size(); i++) {
      try {
        images.add(pick.image(i));
      } catch (ImgclassException e) {
        System.err.println("skipped: " + e.getMessage()); // an unreadable file
      }
    }
    if (images.isEmpty())
      throw new ImgclassException(
          "none of the " + pick.size() + " sampled training images of " + data + " is readable");
    return new Sample(splits.description(), train.classes(), List.copyOf(images));
  }

  /** The CPU, cores and threads every figure was measured with. */
  private Map<String, Object> machine(int threadsUsed) {
    int cores = Runtime.getRuntime().availableProcessors();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpu", cpuModel());
    m.put("cores", cores);
    m.put("threads", threadsUsed);
    m.put("runtime", "ONNX Runtime, CPU execution provider");
    m.put("seconds_per_measurement", seconds);
    return m;
  }

  /** The first {@code model name} of /proc/cpuinfo, else the JVM's architecture name. */
  static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse(System.getProperty("os.arch"));
    } catch (IOException | RuntimeException e) {
      return System.getProperty("os.arch");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
