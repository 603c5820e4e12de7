package dev.imgclass.eval.report;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.Calibration;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.Json;
import dev.imgclass.core.LrSchedule;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.Evaluator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code report.html} of a run directory: curves, learning rate, confusion, per-class scores,
 * most-confused pairs, a reliability diagram, misclassified test images and the model card, in one
 * self-contained page; each chart is also written as a PNG next to it.
 */
public final class RunReport {
  public static final String FILE = "report.html";
  static final int GALLERY_SIZE = 24;
  static final int CALIBRATION_BINS = 15;
  static final int W = 540; // chart width: two charts side by side on a 1100-pixel page

  private RunReport() {}

  /** A test set and the model's predictions on it, in dataset order. */
  public record TestSet(Dataset data, Evaluator.Predictions predictions) {}

  /**
   * Writes the report and its charts into {@code runDir}; without a test set, the confusion and
   * per-class charts come from {@code eval.json} and the gallery and reliability diagram are left
   * out. Returns the files written, the page first.
   */
  public static List<Path> write(Path runDir, Optional<TestSet> test) {
    List<MetricsRow> rows = MetricsRow.read(runDir); // refuses a directory without metrics first
    ModelCard card = ModelCard.read(runDir);
    Optional<EvalReport> eval =
        test.map(
                t ->
                    EvalReport.of(
                            t.predictions().probs(),
                            t.predictions().labels(),
                            t.data().classes(),
                            t.predictions().seconds())
                        .withSkipped(t.predictions().skipped().size()))
            .or(() -> readEval(runDir));
    Map<String, byte[]> charts = new LinkedHashMap<>();
    charts.put("curves.png", Charts.png(Charts.curves(rows), W, 520));
    charts.put("lr.png", learningRate(card, rows));
    eval.ifPresent(
        e -> {
          int side = e.classes().size() > 12 ? 2 * W : W; // many classes need a bigger grid
          charts.put("confusion.png", Charts.png(Charts.confusion(e), side, side));
          charts.put("per_class.png", Charts.png(Charts.perClass(e), side, W));
        });
    Optional<Calibration> cal =
        test.map(
            t ->
                Calibration.of(
                    t.predictions().probs(), t.predictions().labels(), CALIBRATION_BINS));
    cal.ifPresent(c -> charts.put("reliability.png", Charts.png(Charts.reliability(c), W, 500)));
    List<Gallery.Item> gallery =
        test.map(t -> Gallery.misclassified(t.data(), t.predictions(), GALLERY_SIZE))
            .orElse(List.of());

    String html = page(runDir, card, rows, eval, charts, gallery, test.isPresent());
    List<Path> written = new ArrayList<>();
    Path page = runDir.resolve(FILE);
    AtomicFiles.write(page, html.getBytes(StandardCharsets.UTF_8));
    written.add(page);
    for (Map.Entry<String, byte[]> c : charts.entrySet()) {
      Path f = runDir.resolve(c.getKey());
      AtomicFiles.write(f, c.getValue());
      written.add(f);
    }
    return written;
  }

  private static Optional<EvalReport> readEval(Path runDir) {
    Path f = runDir.resolve("eval.json");
    return Files.isRegularFile(f)
        ? Optional.of(Json.readFile(f, EvalReport.class))
        : Optional.empty();
  }

  /** The schedule recomputed from the run's recipe in model.json; steps per epoch from the log. */
  private static byte[] learningRate(ModelCard card, List<MetricsRow> rows) {
    MetricsRow last = rows.get(rows.size() - 1);
    long perEpoch = Math.max(1, last.step() / Math.max(1, last.epoch()));
    double peak = number(card.train().get("lr"), last.lr());
    double warmup = number(card.train().get("warmupEpochs"), 0);
    long epochs = (long) number(card.train().get("epochs"), last.epoch());
    LrSchedule s = LrSchedule.warmupCosine(peak, warmup, perEpoch, epochs);
    return Charts.png(Charts.learningRate(perEpoch * epochs, s::at, rows), W, 520);
  }

  /** A count from model.json with thousands separators; runs written before it was recorded: -. */
  private static String count(Object v) {
    return v instanceof Number n ? String.format(Locale.ROOT, "%,d", n.longValue()) : "-";
  }

  private static double number(Object v, double fallback) {
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  private static String page(
      Path runDir,
      ModelCard card,
      List<MetricsRow> rows,
      Optional<EvalReport> eval,
      Map<String, byte[]> charts,
      List<Gallery.Item> gallery,
      boolean hasTest) {
    ModelSpec spec = card.spec();
    Html h = new Html("imgclass report: " + runDir.getFileName());
    h.tag("h1", "Run report: " + runDir.getFileName());
    String headline =
        eval.map(
                e ->
                    String.format(
                        Locale.ROOT,
                        "%s on %s: test top-1 %.2f%%, top-5 %.2f%%, balanced %.2f%%, %d images%s",
                        spec.architecture(),
                        str(card.provenance().get("data")),
                        100 * e.top1(),
                        100 * e.top5(),
                        100 * e.balancedAccuracy(),
                        e.images(),
                        e.skipped() > 0
                            ? " (" + e.skipped() + " unreadable test images skipped)"
                            : ""))
            .orElse(spec.architecture() + ": no test split was evaluated");
    h.p("sub", headline);

    h.tag("h2", "Model card");
    h.table(List.of("field", "value", "field", "value"), twoColumns(modelCard(card, rows)));

    h.tag("h2", "Training");
    h.raw("<div class=\"grid\"><div>");
    h.chart("training and validation loss and accuracy per epoch", charts.get("curves.png"));
    h.raw("</div><div>");
    h.chart("learning rate schedule", charts.get("lr.png"));
    h.raw("</div></div>\n");

    if (eval.isPresent()) {
      EvalReport e = eval.get();
      h.tag("h2", "Errors by class");
      h.raw("<div class=\"grid\"><div>");
      h.chart("confusion matrix", charts.get("confusion.png"));
      h.raw("</div><div>");
      h.chart("precision, recall and F1 per class", charts.get("per_class.png"));
      h.raw("</div><div>");
      h.tag("h3", "Most confused pairs");
      h.table(
          List.of("true class", "predicted as", "images", "share of the true class"),
          confusedPairs(e, 8));
      h.raw("</div><div>");
      if (charts.containsKey("reliability.png")) {
        h.tag("h3", "Calibration: is the confidence trustworthy?");
        h.chart("reliability diagram", charts.get("reliability.png"));
      }
      h.raw("</div></div>\n");
      List<List<String>> per = new ArrayList<>();
      for (EvalReport.ClassStats c : e.perClass()) {
        per.add(
            List.of(
                c.name(),
                f3(c.precision()),
                f3(c.recall()),
                f3(c.f1()),
                Integer.toString(c.support())));
      }
      h.tag("h3", "Per-class scores");
      h.table(List.of("class", "precision", "recall", "F1", "support"), per);
    }
    if (hasTest) {
      h.tag("h2", "Misclassified test images (most confident mistakes first)");
      h.raw("<div class=\"cards\">\n");
      for (Gallery.Item g : gallery) {
        StringBuilder c = new StringBuilder("<div class=\"card\">");
        c.append("<img alt=\"test image ")
            .append(g.index())
            .append("\" src=\"")
            .append(Html.dataUri(g.png()))
            .append("\">");
        c.append("#")
            .append(g.index())
            .append(" true: <b>")
            .append(Html.esc(g.truth()))
            .append("</b><br>");
        for (var p : g.top3()) {
          boolean right = p.label().equals(g.truth());
          c.append(right ? "<span class=\"good\">" : "<span class=\"bad\">")
              .append(Html.esc(p.label()))
              .append(String.format(Locale.ROOT, " %.1f%%", 100 * p.probability()))
              .append("</span><br>");
        }
        h.raw(c.append("</div>\n").toString());
      }
      if (gallery.isEmpty()) h.p("sub", "No test image was misclassified.");
      h.raw("</div>\n");
    } else {
      h.p(
          "sub",
          "The reliability diagram and the gallery of misclassified images need the test images: run 'imgclass report "
              + runDir
              + " --data DATA'.");
    }
    h.p(
        "sub",
        "Written by imgclass "
            + str(
                card.provenance()
                    .getOrDefault("imgclass_version", card.provenance().get("tool_version")))
            + "; the charts are also in "
            + String.join(", ", charts.keySet())
            + ".");
    return h.end();
  }

  private static List<List<String>> modelCard(ModelCard card, List<MetricsRow> rows) {
    ModelSpec s = card.spec();
    Map<String, Object> t = card.train();
    Map<String, Object> p = card.provenance();
    Map<String, Object> m = card.metrics();
    List<List<String>> out = new ArrayList<>();
    out.add(List.of("architecture", s.architecture()));
    out.add(List.of("input", s.inChannels() + " x " + s.inputSize() + " x " + s.inputSize()));
    out.add(List.of("classes", s.numClasses() + ": " + String.join(", ", s.classes())));
    out.add(List.of("parameters", count(p.get("parameters"))));
    out.add(List.of("MACs per image", count(p.get("macs_per_image"))));
    out.add(
        List.of(
            "data", str(p.get("data")) + " (" + str(p.get("train_images")) + " training images)"));
    out.add(List.of("data fingerprint", str(p.get("data_fingerprint"))));
    out.add(
        List.of(
            "recipe",
            String.format(
                Locale.ROOT,
                "%s epochs, batch %s, %s lr %s (warm-up %s epochs, cosine), weight decay %s, label smoothing %s, augmentation %s, %s",
                str(t.get("epochs")),
                str(t.get("batchSize")),
                str(t.get("optimizer")),
                str(t.get("lr")),
                str(t.get("warmupEpochs")),
                str(t.get("weightDecay")),
                str(t.get("labelSmoothing")),
                str(t.get("augment")),
                str(p.get("precision")))));
    out.add(List.of("seed", str(p.get("seed"))));
    out.add(
        List.of(
            "wall time",
            String.format(Locale.ROOT, "%.1f s", number(m.get("wall_seconds"), Double.NaN))));
    out.add(
        List.of(
            "training speed",
            String.format(
                Locale.ROOT, "%.0f img/s", number(m.get("train_images_per_second"), Double.NaN))));
    out.add(List.of("threads", str(p.get("threads"))));
    out.add(
        List.of(
            "peak memory (RSS)",
            String.format(
                Locale.ROOT,
                "%.0f MB",
                rows.stream().mapToDouble(MetricsRow::rssMb).max().orElse(Double.NaN))));
    out.add(List.of("best epoch", str(m.get("best_epoch"))));
    // runs before imgclass_commit recorded the git commit of the folder training started in
    out.add(
        List.of("imgclass commit", str(p.getOrDefault("imgclass_commit", p.get("git_commit")))));
    out.add(List.of("created", str(p.get("created"))));
    return out;
  }

  /** Lays field/value rows out in four columns, so the card takes half the height. */
  private static List<List<String>> twoColumns(List<List<String>> rows) {
    List<List<String>> out = new ArrayList<>();
    int half = (rows.size() + 1) / 2;
    for (int i = 0; i < half; i++) {
      List<String> row = new ArrayList<>(rows.get(i));
      row.addAll(i + half < rows.size() ? rows.get(i + half) : List.of("", ""));
      out.add(row);
    }
    return out;
  }

  /** Off-diagonal cells of the confusion matrix, largest first. */
  static List<List<String>> confusedPairs(EvalReport e, int max) {
    record Pair(int truth, int pred, int count, int support) {}
    List<Pair> pairs = new ArrayList<>();
    int[][] cm = e.confusion();
    for (int i = 0; i < cm.length; i++) {
      int support = 0;
      for (int v : cm[i]) support += v;
      for (int j = 0; j < cm.length; j++)
        if (i != j && cm[i][j] > 0) pairs.add(new Pair(i, j, cm[i][j], support));
    }
    pairs.sort(Comparator.comparingInt(Pair::count).reversed());
    List<List<String>> out = new ArrayList<>();
    for (Pair q : pairs.subList(0, Math.min(max, pairs.size()))) {
      out.add(
          List.of(
              e.classes().get(q.truth()),
              e.classes().get(q.pred()),
              Integer.toString(q.count()),
              String.format(Locale.ROOT, "%.1f%%", 100.0 * q.count() / q.support())));
    }
    return out;
  }

  private static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String str(Object o) {
    return o == null ? "unknown" : o.toString();
  }
}
