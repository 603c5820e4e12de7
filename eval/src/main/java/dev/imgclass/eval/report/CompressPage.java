package dev.imgclass.eval.report;

import dev.imgclass.core.ModelComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTML page of {@code imgclass compress}: one row per step of the recipe (the original first),
 * each measured on the same test images and timed in the same ONNX Runtime session settings.
 */
public final class CompressPage {
  private CompressPage() {}

  /**
   * One measured step.
   *
   * @param step the step's name as the recipe writes it ({@code original} for the start)
   * @param file the ONNX file measured
   * @param precision {@code fp32} or {@code int8}
   * @param fileBytes size of that file
   * @param params parameters of the model
   * @param macs multiply-accumulates per image
   * @param top1 test top-1
   * @param agreement share of test images with the original's predicted class
   * @param pValue McNemar's exact p against the original (1 for the original itself)
   * @param batch1Ms median latency of one image
   * @param batch64Ms median latency of a batch of 64
   */
  public record Row(
      String step,
      String file,
      String precision,
      long fileBytes,
      long params,
      long macs,
      double top1,
      double agreement,
      double pValue,
      double batch1Ms,
      double batch64Ms) {
    /** Images per second at batch 64. */
    public double throughput64() {
      return 64_000 / batch64Ms;
    }
  }

  /** A self-contained page: the verdict for the last step, then the table. */
  public static String html(
      String model, String recipe, String data, int images, String machine, List<Row> rows) {
    Html h = new Html("imgclass compress: " + model);
    h.tag("h1", "Compression of " + model);
    h.p(
        "sub",
        "recipe "
            + recipe
            + " — "
            + images
            + " test images of "
            + data
            + " — ONNX Runtime on "
            + machine);
    h.p("verdict", verdict(rows));
    h.tag("h2", "Each step");
    h.table(columns(), cells(rows));
    h.p(
        "sub",
        "Agreement: share of test images given the same class as the original. McNemar p: exact"
            + " two-sided test of the paired predictions against the original (below "
            + ModelComparison.ALPHA
            + ": the accuracies differ). Latencies are medians of repeated runs in one process,"
            + " one step after another; ratios are against the original.");
    return h.end();
  }

  /** One sentence on the last step against the original. */
  public static String verdict(List<Row> rows) {
    Row a = rows.get(0);
    Row z = rows.get(rows.size() - 1);
    return String.format(
        Locale.ROOT,
        "%s: %.2f%% test top-1 against %.2f%% (%.2f%% of the original's accuracy, McNemar %s),"
            + " a file %.1f× smaller, %.2f× the throughput at batch 64 and %.2f× faster at batch"
            + " 1.",
        z.step(),
        100 * z.top1(),
        100 * a.top1(),
        100 * z.top1() / a.top1(),
        ModelComparison.formatP(z.pValue()),
        (double) a.fileBytes() / z.fileBytes(),
        z.throughput64() / a.throughput64(),
        a.batch1Ms() / z.batch1Ms());
  }

  /** The p-value alone: "0.003", "2.1e-05", "< 1e-300". */
  static String pValue(double p) {
    return ModelComparison.formatP(p).replace("p = ", "").replace("p < ", "< ");
  }

  /** The header of {@link #cells}. */
  public static List<String> columns() {
    return List.of(
        "step",
        "precision",
        "file",
        "size",
        "params",
        "MACs",
        "test top-1",
        "agreement",
        "McNemar p",
        "batch 1",
        "batch 64",
        "img/s at 64",
        "× smaller",
        "× throughput");
  }

  /** The table's cells, as the page and the terminal show them. */
  public static List<List<String>> cells(List<Row> rows) {
    Row a = rows.get(0);
    List<List<String>> out = new ArrayList<>();
    for (Row r : rows) {
      out.add(
          List.of(
              r.step(),
              r.precision(),
              r.file(),
              String.format(Locale.ROOT, "%,.1f kB", r.fileBytes() / 1e3),
              String.format(Locale.ROOT, "%,d", r.params()),
              String.format(Locale.ROOT, "%,d", r.macs()),
              String.format(Locale.ROOT, "%.2f%%", 100 * r.top1()),
              String.format(Locale.ROOT, "%.2f%%", 100 * r.agreement()),
              r == a ? "-" : pValue(r.pValue()),
              String.format(Locale.ROOT, "%.3f ms", r.batch1Ms()),
              String.format(Locale.ROOT, "%.2f ms", r.batch64Ms()),
              String.format(Locale.ROOT, "%,.0f", r.throughput64()),
              String.format(Locale.ROOT, "%.2f", (double) a.fileBytes() / r.fileBytes()),
              String.format(Locale.ROOT, "%.2f", r.throughput64() / a.throughput64())));
    }
    return out;
  }
}
