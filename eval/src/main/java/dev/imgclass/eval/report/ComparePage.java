package dev.imgclass.eval.report;

import dev.imgclass.core.ModelComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTML page of {@code imgclass compare}: verdict, accuracies with intervals, per-class deltas.
 */
public final class ComparePage {
  private ComparePage() {}

  /** A self-contained page for a comparison made on {@code data}. */
  public static String html(ModelComparison c, String data) {
    Html h = new Html("imgclass compare: " + c.modelA() + " vs " + c.modelB());
    h.tag("h1", "Model comparison");
    h.p(
        "sub",
        "A: "
            + c.modelA()
            + " — B: "
            + c.modelB()
            + " — "
            + c.images()
            + " test images of "
            + data);
    h.p("verdict", c.verdict());

    h.tag("h2", "Accuracy with 95% confidence intervals (Wilson)");
    h.table(
        List.of("model", "correct", "accuracy", "95% interval"),
        List.of(side("A: " + c.modelA(), c.a()), side("B: " + c.modelB(), c.b())));

    h.tag("h2", "Paired predictions (McNemar's exact test)");
    h.table(
        List.of("", "B right", "B wrong"),
        List.of(
            List.of("A right", Integer.toString(c.both()), Integer.toString(c.onlyA())),
            List.of("A wrong", Integer.toString(c.onlyB()), Integer.toString(c.neither()))));
    h.p(
        "sub",
        String.format(
            Locale.ROOT,
            "Only the %d images on which the models disagree carry evidence: %d went to A, %d to B."
                + " Two-sided exact binomial test: %s (significant below %.2f).",
            c.onlyA() + c.onlyB(),
            c.onlyA(),
            c.onlyB(),
            ModelComparison.formatP(c.pValue()),
            ModelComparison.ALPHA));

    h.tag("h2", "Per-class recall");
    List<String> names = new ArrayList<>();
    double[] deltas = new double[c.perClass().size()];
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < deltas.length; i++) {
      ModelComparison.ClassDelta d = c.perClass().get(i);
      names.add(d.name());
      deltas[i] = d.delta();
      rows.add(
          List.of(
              d.name(),
              pct(d.recallA()),
              pct(d.recallB()),
              String.format(Locale.ROOT, "%+.2f pt", d.delta()),
              Integer.toString(d.support())));
    }
    h.chart(
        "recall of B minus recall of A per class",
        Charts.png(Charts.recallDeltas(names, deltas), 1000, 400));
    h.table(List.of("class", "recall A", "recall B", "B - A", "support"), rows);
    return h.end();
  }

  private static List<String> side(String name, ModelComparison.Side s) {
    return List.of(
        name,
        Integer.toString(s.correct()),
        pct(s.accuracy()),
        pct(s.ciLow()) + " – " + pct(s.ciHigh()));
  }

  private static String pct(double v) {
    return String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }
}
