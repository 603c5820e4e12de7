package dev.imgclass.cli;

import dev.imgclass.cli.Accuracies.Accuracy;
import dev.imgclass.cli.LatencyProbe.Result;
import dev.imgclass.cli.LatencyProbe.Speed;
import dev.imgclass.cli.Pareto.Point;
import dev.imgclass.core.ModelSpec;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What {@code imgclass advise} found: every measured model, the points with a known accuracy, their
 * Pareto front and the pick for the budget; written as a table or as one JSON document, both from
 * the same figures.
 */
final class AdviseReport {
  static final String INT8_NOTE =
      "INT8 points carry their model's FP32 accuracy: INT8 accuracy is not measured here (the timed"
          + " models have fresh weights); 'imgclass export --int8' reports what quantization costs"
          + " a trained model";

  private final List<Result> results;
  private final Accuracies accuracies;
  private final List<Point> points;
  private final List<Point> front;
  private final Pareto.Advice advice;

  private AdviseReport(
      List<Result> results, Accuracies accuracies, List<Point> points, OptionalDouble budgetMs) {
    this.results = List.copyOf(results);
    this.accuracies = accuracies;
    this.points = List.copyOf(points);
    this.front = Pareto.front(points);
    this.advice = Pareto.advise(points, budgetMs);
  }

  /** One point per model with a known accuracy and per precision that ran. */
  static AdviseReport of(List<Result> results, Accuracies accuracies, OptionalDouble budgetMs) {
    List<Point> points = new ArrayList<>();
    for (Result r : results) {
      Optional<Accuracy> a = accuracies.of(r.model());
      if (a.isEmpty()) continue;
      r.speeds()
          .forEach(
              (precision, s) ->
                  points.add(
                      new Point(r.model(), precision, s.batch1().medianMs(), a.get().top1())));
    }
    return new AdviseReport(results, accuracies, points, budgetMs);
  }

  List<Point> front() {
    return front;
  }

  Pareto.Advice advice() {
    return advice;
  }

  /** The {@code --json} document. */
  Map<String, Object> document(AdviseCommand.Sample sample, Map<String, Object> machine) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("machine", machine);
    doc.put("data", sample.description());
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("channels", results.get(0).spec().inChannels());
    input.put("sizes", results.stream().map(r -> r.spec().inputSize()).distinct().toList());
    input.put("classes", sample.classes().size());
    doc.put("input", input);
    Map<String, Object> acc = new LinkedHashMap<>();
    acc.put("leaderboard", accuracies.leaderboardInfo());
    acc.put("note", "accuracy is not measured on this data: it is the leaderboard's or your runs'");
    acc.put("int8", INT8_NOTE);
    doc.put("accuracy", acc);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result r : results) rows.add(row(r));
    doc.put("models", rows);
    doc.put("front", front.stream().map(this::point).toList());
    Map<String, Object> rec = new LinkedHashMap<>();
    advice.budgetMs().ifPresent(b -> rec.put("latency_budget_ms", b));
    rec.put("met", advice.met());
    rec.put("pick", advice.pick().map(this::point).orElse(null));
    rec.put("fastest", advice.fastest().map(this::point).orElse(null));
    rec.put("message", String.join("; ", recommendation()));
    doc.put("recommendation", rec);
    return doc;
  }

  private Map<String, Object> row(Result r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", r.model());
    m.put("input", shape(r.spec()));
    r.size()
        .ifPresent(
            s -> {
              m.put("params", s.params());
              m.put("macs", s.macs());
            });
    m.put(
        "accuracy",
        accuracies
            .of(r.model())
            .map(
                a -> {
                  Map<String, Object> x = new LinkedHashMap<>();
                  x.put("top1", a.top1());
                  x.put("source", a.source());
                  x.put("detail", a.detail());
                  return x;
                })
            .orElse(null));
    for (String p : LatencyProbe.PRECISIONS) {
      Map<String, Object> x = new LinkedHashMap<>();
      Speed s = r.speeds().get(p);
      if (s == null) {
        x.put("error", r.failed().get(p));
      } else {
        x.put("latency_ms_median", s.batch1().medianMs());
        x.put("latency_ms_p90", s.batch1().p90Ms());
        x.put("runs_batch1", s.batch1().runs());
        x.put("img_per_s_batch64", s.batch64().imagesPerSecond());
        x.put("runs_batch64", s.batch64().runs());
        x.put("onnx_bytes", s.fileBytes());
        x.put("on_front", front.stream().anyMatch(q -> q.model().equals(r.model()) && is(q, p)));
      }
      m.put(p, x);
    }
    return m;
  }

  private Map<String, Object> point(Point p) {
    Speed s = speed(p);
    Accuracy a = accuracies.of(p.model()).orElseThrow();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", p.model());
    m.put("precision", p.precision());
    m.put("latency_ms_median", p.latencyMs());
    m.put("latency_ms_p90", s.batch1().p90Ms());
    m.put("img_per_s_batch64", s.batch64().imagesPerSecond());
    m.put("top1", p.top1());
    m.put("top1_source", a.source());
    m.put("top1_from_fp32", !is(p, "fp32"));
    return m;
  }

  /** The table, the accuracy sources, the front and the recommendation. */
  void print(AdviseCommand.Sample sample, Map<String, Object> machine, PrintStream out) {
    List<String> shapes = results.stream().map(r -> shape(r.spec())).distinct().toList();
    out.printf(
        "data: %s; input %s, %d classes%s%n",
        sample.description(),
        String.join(", ", shapes),
        sample.classes().size(),
        shapes.size() > 1
            ? " (each model at its own default size, as train reads image files)"
            : "");
    out.printf(
        "machine: %s, %s cores; %s, %s intra-op threads; %s s per measurement%n%n",
        machine.get("cpu"),
        machine.get("cores"),
        machine.get("runtime"),
        machine.get("threads"),
        machine.get("seconds_per_measurement"));
    out.printf(
        "%-22s %-4s %-9s %7s %8s %10s %10s %10s %7s  %s%n",
        "model",
        "prec",
        "input",
        "params",
        "MACs",
        "b1 p50 ms",
        "b1 p90 ms",
        "b64 img/s",
        "top-1",
        "front");
    for (Result r : results) {
      Optional<Accuracy> a = accuracies.of(r.model());
      for (String p : LatencyProbe.PRECISIONS) {
        Speed s = r.speeds().get(p);
        if (s == null) {
          out.printf("%-22s %-4s failed: %s%n", r.model(), p, r.failed().get(p));
          continue;
        }
        boolean onFront = front.stream().anyMatch(q -> q.model().equals(r.model()) && is(q, p));
        out.printf(
            "%-22s %-4s %-9s %6.2fM %7.1fM %10.3f %10.3f %,10.0f %7s  %s%n",
            r.model(),
            p,
            shape(r.spec()),
            r.size().map(z -> z.params() / 1e6).orElse(Double.NaN),
            r.size().map(z -> z.macs() / 1e6).orElse(Double.NaN),
            s.batch1().medianMs(),
            s.batch1().p90Ms(),
            s.batch64().imagesPerSecond(),
            a.map(x -> String.format("%.2f%%", 100 * x.top1())).orElse("-"),
            onFront ? "*" : "");
      }
    }
    out.println();
    for (String line : accuracyNotes()) out.println(line);
    if (!front.isEmpty()) {
      out.println();
      out.println(
          "Pareto front (lower batch-1 latency, higher top-1; a point is a model at a precision):");
      for (Point p : front) out.println("  " + describe(p));
    }
    out.println();
    for (String line : recommendation()) out.println(line);
  }

  /** Where each accuracy comes from, and which models have none. */
  private List<String> accuracyNotes() {
    List<String> lines = new ArrayList<>();
    Map<String, Object> lb = accuracies.leaderboardInfo();
    List<String> none = new ArrayList<>();
    boolean leaderboard = false;
    for (Result r : results) {
      Optional<Accuracy> a = accuracies.of(r.model());
      if (a.isEmpty()) none.add(r.model());
      else if (a.get().source().equals("leaderboard")) leaderboard = true;
      else
        lines.add(
            "accuracy of " + r.model() + ": " + a.get().detail() + " (" + a.get().source() + ")");
    }
    if (leaderboard)
      lines.add(
          0,
          String.format(
              "accuracy: %s test top-1 from the leaderboard in %s (recipe %s; %s), not measured on"
                  + " this data",
              lb.get("dataset"), lb.get("source"), lb.get("recipe"), lb.get("date")));
    lines.add(INT8_NOTE);
    if (!none.isEmpty())
      lines.add(
          "no accuracy known for "
              + String.join(", ", none)
              + ": timed, but not on the front (train them and pass --runs RUN_DIR)");
    return lines;
  }

  /** The recommendation as sentences, for the text and for the JSON's message. */
  private List<String> recommendation() {
    List<String> lines = new ArrayList<>();
    if (points.isEmpty()) {
      lines.add(
          "no measured model has a known accuracy, so there is nothing to recommend: train one and"
              + " pass --runs RUN_DIR");
      return lines;
    }
    Point fastest = advice.fastest().orElseThrow();
    if (advice.budgetMs().isEmpty()) {
      lines.add("most accurate: " + describe(advice.pick().orElseThrow()));
      lines.add("fastest: " + describe(fastest));
      return lines;
    }
    String budget =
        BigDecimal.valueOf(advice.budgetMs().getAsDouble()).stripTrailingZeros().toPlainString();
    if (!advice.met()) {
      lines.add(
          "no model meets "
              + budget
              + " ms at batch 1 on this machine; the fastest is "
              + describe(fastest));
      return lines;
    }
    Point pick = advice.pick().get();
    lines.add("recommended for " + budget + " ms at batch 1: " + describe(pick));
    if (!pick.equals(fastest)) lines.add("fastest: " + describe(fastest));
    return lines;
  }

  private String describe(Point p) {
    Speed s = speed(p);
    return String.format(
        "%s %s (top-1 %.2f%%%s; batch 1: median %.3f ms, p90 %.3f ms; %,.0f img/s at batch 64)",
        p.model(),
        p.precision(),
        100 * p.top1(),
        is(p, "fp32") ? "" : " of fp32",
        p.latencyMs(),
        s.batch1().p90Ms(),
        s.batch64().imagesPerSecond());
  }

  private Speed speed(Point p) {
    return results.stream()
        .filter(r -> r.model().equals(p.model()))
        .findFirst()
        .orElseThrow()
        .speeds()
        .get(p.precision());
  }

  private static boolean is(Point p, String precision) {
    return p.precision().equals(precision);
  }

  private static String shape(ModelSpec s) {
    return s.inChannels() + "x" + s.inputSize() + "x" + s.inputSize();
  }
}
