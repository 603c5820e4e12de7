package dev.imgclass.serve;

import dev.imgclass.core.HtmlEscape;
import java.util.List;
import java.util.Locale;

/**
 * Small server-rendered SVG line charts for the dashboard: no script, no network, no dependency.
 * One series may carry a band (an interval around each point).
 */
final class Svg {
  static final int W = 560;
  static final int H = 220;
  private static final int L = 56;
  private static final int R = 12;
  private static final int T = 14;
  private static final int B = 34;
  static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

  /** One line: x and y values, and optionally the band's low and high ends (NaN: none). */
  record Series(String name, double[] x, double[] y, double[] low, double[] high) {}

  private Svg() {}

  static String chart(
      String title, String xLabel, String yLabel, List<Series> series, boolean zeroLine) {
    return chart(title, xLabel, yLabel, series, zeroLine, Double.NEGATIVE_INFINITY);
  }

  /**
   * As above; the y range is taken from the points at or after {@code focusFromX} only, so a wide
   * start (an interval over the first hundred requests) does not flatten the rest. Earlier points
   * are clipped to it.
   */
  static String chart(
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      boolean zeroLine,
      double focusFromX) {
    double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
    for (Series s : series)
      for (int i = 0; i < s.x().length; i++) {
        x0 = Math.min(x0, s.x()[i]);
        x1 = Math.max(x1, s.x()[i]);
        if (s.x()[i] < focusFromX) continue;
        for (double v : new double[] {s.y()[i], at(s.low(), i), at(s.high(), i)})
          if (Double.isFinite(v)) {
            y0 = Math.min(y0, v);
            y1 = Math.max(y1, v);
          }
      }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" role=\"img\" aria-label=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
            HtmlEscape.escape(title),
            W,
            H,
            W,
            H));
    b.append("<title>").append(HtmlEscape.escape(title)).append("</title>");
    if (!Double.isFinite(x0) || !Double.isFinite(y0)) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" class=\"muted\">no data yet</text></svg>",
              W / 2 - 30,
              H / 2));
      return b.toString();
    }
    if (zeroLine) {
      y0 = Math.min(y0, 0);
      y1 = Math.max(y1, 0);
    }
    if (x1 == x0) x1 = x0 + 1;
    if (y1 - y0 < 1e-9) {
      y0 -= 0.5;
      y1 += 0.5;
    }
    double pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
    final double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
    java.util.function.DoubleUnaryOperator px = v -> L + (v - fx0) / (fx1 - fx0) * (W - L - R);
    java.util.function.DoubleUnaryOperator py = v -> T + (fy1 - v) / (fy1 - fy0) * (H - T - B);
    // axes and ticks
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#bbb\"/>",
            L,
            T,
            W - L - R,
            H - T - B));
    double ys = niceStep((y1 - y0) / 4);
    for (double v = Math.ceil(y0 / ys) * ys; v <= y1 + ys * 1e-9; v += ys) {
      double y = py.applyAsDouble(v);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
              L,
              W - R,
              y,
              y));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">%s</text>",
              L - 4,
              y + 3,
              num(Math.abs(v) < ys * 1e-9 ? 0 : v, ys)));
    }
    double xs = niceStep((x1 - x0) / 4);
    for (double xv = Math.ceil(x0 / xs) * xs; xv <= x1 + xs * 1e-9; xv += xs)
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%s</text>",
              px.applyAsDouble(xv),
              H - B + 14,
              num(Math.abs(xv) < xs * 1e-9 ? 0 : xv, xs)));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%s</text>",
            (L + W - R) / 2,
            H - 4,
            HtmlEscape.escape(xLabel)));
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"12\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
            (T + H - B) / 2,
            (T + H - B) / 2,
            HtmlEscape.escape(yLabel)));
    if (zeroLine && 0 >= y0 && 0 <= y1) {
      double y = py.applyAsDouble(0);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>",
              L,
              W - R,
              y,
              y));
    }
    for (int s = 0; s < series.size(); s++) {
      Series se = series.get(s);
      String colour = COLOURS[s % COLOURS.length];
      if (se.low() != null) {
        StringBuilder up = new StringBuilder();
        StringBuilder down = new StringBuilder();
        for (int i = 0; i < se.x().length; i++) {
          double lo = clamp(at(se.low(), i), y0, y1);
          double hi = clamp(at(se.high(), i), y0, y1);
          up.append(
              String.format(
                  Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(se.x()[i]), py.applyAsDouble(hi)));
          down.insert(
              0,
              String.format(
                  Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(se.x()[i]), py.applyAsDouble(lo)));
        }
        b.append("<polygon fill=\"")
            .append(colour)
            .append("\" fill-opacity=\"0.18\" stroke=\"none\" points=\"")
            .append(up)
            .append(down)
            .append("\"/>");
      }
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < se.x().length; i++)
        if (Double.isFinite(se.y()[i]))
          pts.append(
              String.format(
                  Locale.ROOT,
                  "%.1f,%.1f ",
                  px.applyAsDouble(se.x()[i]),
                  py.applyAsDouble(clamp(se.y()[i], y0, y1))));
      b.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(colour)
          .append("\" points=\"")
          .append(pts)
          .append("\"/>");
      if (se.x().length == 1 && Double.isFinite(se.y()[0]))
        b.append(
            String.format(
                Locale.ROOT,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                px.applyAsDouble(se.x()[0]),
                py.applyAsDouble(se.y()[0]),
                colour));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\">%s</text>",
              L + 8,
              T + 14 + 13 * s,
              colour,
              HtmlEscape.escape(se.name())));
    }
    return b.append("</svg>").toString();
  }

  private static double at(double[] a, int i) {
    return a == null ? Double.NaN : a[i];
  }

  private static double clamp(double v, double lo, double hi) {
    if (Double.isNaN(v)) return lo;
    return Math.max(lo, Math.min(hi, v));
  }

  /** 1, 2 or 5 times a power of ten, the nearest at or above {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0) || !Double.isFinite(raw)) return 1;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }

  /** A tick label with the decimals its step needs. */
  static String num(double v, double step) {
    if (Math.abs(v) >= 1e4 && step >= 1000) return num(v);
    int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
    return String.format(Locale.ROOT, "%." + Math.min(6, decimals) + "f", v);
  }

  static String num(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) return String.format(Locale.ROOT, "%.2gM", v / 1e6);
    if (a >= 1e4) return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
    if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
