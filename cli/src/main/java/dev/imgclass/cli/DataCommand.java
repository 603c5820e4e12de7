package dev.imgclass.cli;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataAudit;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.Seeds;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.data.augment.BatchMix;
import dev.imgclass.data.augment.PreviewGrid;
import dev.imgclass.train.models.ModelRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass data}: look at a dataset before training on it. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description =
        "Check a dataset for problems, preview its augmented training images, find likely"
            + " label errors and apply reviewed corrections, or measure how well its annotators"
            + " agree.",
    subcommands = {
      DataCommand.Check.class,
      DataCommand.Preview.class,
      AgreementCommand.class,
      LabelIssuesCommand.class,
      ApplyCorrectionsCommand.class
    })
final class DataCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this),
        "name a subcommand: check, preview, label-issues, apply-corrections or agreement");
  }

  /** {@code imgclass data check DATA}: exit 0 clean, 1 problems found, 2 could not run. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Audit a dataset: class counts and imbalance, image sizes and aspect ratios, colour"
              + " modes, unreadable or oversized files, exact duplicates within and across splits."
              + " Exit code 0: clean, 1: problems found, 2: could not run.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "DATA", description = DataHelp.FORMS)
    String data;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--workers", description = "Threads reading files (default: all cores).")
    Integer workers;

    @Option(
        names = "--max-pixels",
        description = "Files with more pixels than this are problems (default: 40000000).")
    long maxPixels = Images.DEFAULT_MAX_PIXELS;

    @Override
    public Integer call() {
      DataAudit.Report r;
      try {
        r =
            DataAudit.check(
                data,
                maxPixels,
                workers != null ? workers : Runtime.getRuntime().availableProcessors());
      } catch (ImgclassException e) {
        System.err.println("error: " + e.getMessage());
        return Main.FAILED;
      }
      if (json) {
        Map<String, Object> m =
            new java.util.LinkedHashMap<>(Json.MAPPER.convertValue(r, Map.class));
        m.put("clean", r.clean());
        m.put("problem_counts", r.problemCounts());
        m.put("advice", DataAdvice.of(r));
        System.out.println(Json.write(m));
      } else {
        System.out.print(table(r));
      }
      return r.clean() ? Main.OK : Main.PROBLEMS;
    }

    static String table(DataAudit.Report r) {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              Locale.ROOT,
              "%s: %d files checked in %.1f s%n%n",
              r.source(),
              r.images(),
              r.seconds()));
      int w = Math.max(5, r.classes().stream().mapToInt(String::length).max().orElse(5));
      sb.append(String.format("%-" + w + "s", "class"));
      for (String split : r.counts().keySet()) sb.append(String.format("  %7s", split));
      sb.append('\n');
      for (String c : r.classes()) {
        sb.append(String.format("%-" + w + "s", c));
        for (var split : r.counts().values()) sb.append(String.format("  %7d", split.get(c)));
        sb.append('\n');
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "imbalance ratio (largest / smallest training class): %s%n",
              Double.isInfinite(r.imbalanceRatio())
                  ? "infinite (a class is empty)"
                  : String.format(Locale.ROOT, "%.1f", r.imbalanceRatio())));
      for (String a : DataAdvice.of(r)) sb.append("advice: ").append(a).append('\n');
      if (!r.sizes().isEmpty()) {
        sb.append("\nlongest side (px)   ").append(histogram(r.sizes())).append('\n');
        sb.append("aspect (w/h)        ").append(histogram(r.aspects())).append('\n');
        sb.append("colour modes        ").append(histogram(r.colorModes())).append('\n');
        sb.append("formats             ").append(histogram(r.formats())).append('\n');
      }
      if (!r.skipped().isEmpty())
        sb.append("skipped on purpose  ").append(histogram(r.skipped())).append('\n');
      if (r.clean()) {
        sb.append("\nno problems found\n");
      } else {
        sb.append(
            String.format(
                "%n%d problem(s): %s%n", r.problems().size(), histogram(r.problemCounts())));
        for (DataAudit.Problem p : r.problems())
          sb.append("  ").append(p.kind()).append(": ").append(p.message()).append('\n');
      }
      return sb.toString();
    }

    private static String histogram(Map<String, Integer> m) {
      List<String> parts = new ArrayList<>();
      m.forEach((k, v) -> parts.add(k + ": " + v));
      return String.join(", ", parts);
    }
  }

  /** {@code imgclass data preview DATA --out grid.png}: what the model is trained on. */
  @Command(
      name = "preview",
      mixinStandardHelpOptions = true,
      description = "Write a grid of augmented training images with their labels (PNG).")
  static final class Preview implements Callable<Integer> {
    @Parameters(paramLabel = "DATA", description = DataHelp.FORMS)
    String data;

    @Option(names = "--out", required = true, description = "PNG file to write.")
    Path out;

    @Option(
        names = "--augment",
        defaultValue = "light",
        description = "Recipe spec, as for train (default: light).")
    String augment;

    @Option(
        names = "--count",
        defaultValue = "32",
        description = "Images in the grid (default: 32).")
    int count;

    @Option(names = "--columns", defaultValue = "8", description = "Images per row (default: 8).")
    int columns;

    @Option(names = "--json", description = "Print what was written as one JSON document.")
    boolean json;

    @Option(
        names = "--model",
        description = "Model whose input size image files are read at (default: resnet20).")
    String model = "resnet20";

    @Option(
        names = "--image-size",
        description = "Side image files are resized to (default: the model's).")
    Integer imageSize;

    @Option(
        names = "--channels",
        defaultValue = "3",
        description = "1 or 3 for image files (default: 3).")
    int channels;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Which images and which augmentations (default: 42).")
    long seed;

    @Override
    public Integer call() {
      if (count < 1 || count > 1024)
        throw new ImgclassException("--count must be in [1, 1024], got " + count);
      if (columns < 1) throw new ImgclassException("--columns must be at least 1, got " + columns);
      Augmentation aug = Augmentation.parse(augment);
      int size = imageSize != null ? imageSize : ModelRegistry.entry(model).defaultInputSize();
      Dataset d =
          DataSources.open(data, new DataSources.Load(channels, size, Images.DEFAULT_MAX_PIXELS))
              .train();
      SplittableRandom pick = new SplittableRandom(seed);
      List<ImageU8> images = new ArrayList<>();
      List<String> captions = new ArrayList<>();
      int tries = 0;
      while (images.size() < Math.min(count, d.size()) && tries++ < count * 4) {
        int i = pick.nextInt(d.size());
        ImageU8 img;
        try {
          img = d.image(i);
        } catch (ImgclassException e) {
          System.err.println("skipped: " + e.getMessage());
          continue;
        }
        images.add(aug.apply(img, new SplittableRandom(Seeds.mix(seed, images.size(), i))));
        captions.add(d.classes().get(d.label(i)));
      }
      if (images.isEmpty()) throw new ImgclassException("no readable images in " + data);
      aug.batchMix().ifPresent(m -> mixPreview(m, images, captions));
      PreviewGrid.write(PreviewGrid.render(images, captions, columns, Math.max(1, 96 / size)), out);
      if (json) {
        System.out.println(
            Json.write(
                Map.of("file", out.toString(), "images", images.size(), "augment", aug.spec())));
      } else {
        System.out.printf("wrote %s: %d images, augment %s%n", out, images.size(), aug.describe());
      }
      return 0;
    }

    /**
     * Shows the batch-level mix too: pixels mixed as the trainer mixes them, captions "A 60% / B
     * 40%".
     */
    private void mixPreview(BatchMix m, List<ImageU8> images, List<String> captions) {
      // mixing works on normalized floats; here pixels are mixed in [0, 255] the same way
      ImageU8 first = images.get(0);
      int len = first.data().length;
      int n = images.size();
      float[] x = new float[n * len];
      long[] y = new long[n];
      List<String> names = captions.stream().distinct().toList();
      for (int j = 0; j < n; j++) {
        byte[] px = images.get(j).data();
        for (int i = 0; i < len; i++) x[j * len + i] = px[i] & 0xff;
        y[j] = names.indexOf(captions.get(j));
      }
      float[] t =
          m.apply(
              x,
              y,
              n,
              first.channels(),
              first.height(),
              first.width(),
              names.size(),
              0,
              new SplittableRandom(seed));
      for (int j = 0; j < n; j++) {
        byte[] px = new byte[len];
        for (int i = 0; i < len; i++)
          px[i] = (byte) Math.max(0, Math.min(255, Math.round(x[j * len + i])));
        images.set(j, new ImageU8(first.channels(), first.height(), first.width(), px));
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
          float v = t[j * names.size() + c];
          if (v > 0.05f) parts.add(String.format(Locale.ROOT, "%s %.0f%%", names.get(c), 100 * v));
        }
        captions.set(j, String.join(" / ", parts));
      }
    }
  }
}
