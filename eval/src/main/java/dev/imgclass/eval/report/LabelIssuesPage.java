package dev.imgclass.eval.report;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.LabelIssue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained page of the images most likely mislabelled: each image enlarged, with its rank,
 * given label and the label the models suggest, and both probabilities. No scripts, no network.
 */
public final class LabelIssuesPage {
  private LabelIssuesPage() {}

  /**
   * Writes the first {@code max} of {@code issues} (images read from {@code data}) to {@code file}.
   */
  public static void write(
      Path file, String title, String summary, Dataset data, List<LabelIssue> issues, int max) {
    Html h = new Html(title);
    h.tag("h1", title);
    h.p("sub", summary);
    StringBuilder cards = new StringBuilder("<div class=\"cards\">\n");
    for (LabelIssue i : issues.subList(0, Math.min(max, issues.size()))) {
      byte[] png;
      try {
        png = Gallery.png(data.image(i.index()), Math.max(1, 96 / data.height()));
      } catch (ImgclassException e) {
        continue; // a file that broke since it was scored
      }
      cards
          .append("<div class=\"card\"><img alt=\"")
          .append(Html.esc(i.name()))
          .append("\" src=\"")
          .append(Html.dataUri(png))
          .append("\"><b>#")
          .append(i.rank())
          .append("</b> ")
          .append(Html.esc(i.name()))
          .append("<br>given <span class=\"bad\">")
          .append(Html.esc(i.given()))
          .append(String.format(Locale.ROOT, "</span> %.3f", i.givenProbability()))
          .append("<br>suggested <span class=\"good\">")
          .append(Html.esc(i.suggested()))
          .append(String.format(Locale.ROOT, "</span> %.3f", i.suggestedProbability()))
          .append("</div>\n");
    }
    cards.append("</div>\n");
    h.raw(cards.toString());
    AtomicFiles.write(file, h.end().getBytes(StandardCharsets.UTF_8));
  }
}
