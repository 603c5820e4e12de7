package dev.imgclass.eval.report;

import java.util.Base64;
import java.util.List;

/** A tiny HTML writer for self-contained pages: inline CSS, images as data URIs, no scripts. */
final class Html {
  static final String CSS =
      """
      body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;\
      color:#222;background:#fff}
      h1{font-size:26px;margin-bottom:4px}h2{font-size:20px;margin-top:32px;\
      border-bottom:1px solid #ddd;padding-bottom:4px}
      .sub{color:#666;margin-top:0}
      table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;text-align:left;\
      border-bottom:1px solid #eee}th{background:#f4f6f8}td.n{text-align:right;\
      font-variant-numeric:tabular-nums}
      img.chart{display:block;max-width:100%;border:1px solid #eee;margin:8px 0}
      .cards{display:flex;flex-wrap:wrap;gap:12px}
      .card{border:1px solid #ddd;border-radius:6px;padding:6px;width:150px;font-size:12px}
      .card img{display:block;margin:0 auto 4px;image-rendering:pixelated}
      .grid{display:grid;grid-template-columns:1fr 1fr;gap:16px;align-items:start}
      .bad{color:#c0392b}.good{color:#1e8449}
      .verdict{font-size:20px;padding:10px 14px;background:#f4f6f8;border-left:5px solid #1f77b4}
      """;

  private final StringBuilder sb = new StringBuilder();

  Html(String title) {
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(esc(title))
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body>\n");
  }

  Html raw(String html) {
    sb.append(html);
    return this;
  }

  Html tag(String tag, String text) {
    sb.append('<').append(tag).append('>').append(esc(text)).append("</").append(tag).append(">\n");
    return this;
  }

  Html p(String cssClass, String text) {
    sb.append("<p class=\"").append(cssClass).append("\">").append(esc(text)).append("</p>\n");
    return this;
  }

  Html chart(String alt, byte[] png) {
    sb.append("<img class=\"chart\" alt=\"")
        .append(esc(alt))
        .append("\" src=\"")
        .append(dataUri(png))
        .append("\">\n");
    return this;
  }

  /** A table; cells that parse as numbers are right-aligned. */
  Html table(List<String> header, List<List<String>> rows) {
    sb.append("<table><tr>");
    for (String h : header) sb.append("<th>").append(esc(h)).append("</th>");
    sb.append("</tr>\n");
    for (List<String> row : rows) {
      sb.append("<tr>");
      for (String c : row) {
        sb.append(numeric(c) ? "<td class=\"n\">" : "<td>").append(esc(c)).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
    return this;
  }

  String end() {
    return sb.append("</body></html>\n").toString();
  }

  static String dataUri(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  static String esc(String s) {
    return dev.imgclass.core.HtmlEscape.escape(s);
  }

  private static boolean numeric(String s) {
    return s.matches("[-+]?[0-9][0-9,.]*\\s*(%|pt)?");
  }
}
