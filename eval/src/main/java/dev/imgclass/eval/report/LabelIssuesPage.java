package dev.imgclass.eval.report;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.LabelIssue;
import dev.imgclass.eval.NearDuplicates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A self-contained review page of the images most likely mislabelled: each image enlarged, with its
 * rank, given label, the label the models suggest, both probabilities, and a choice of decision
 * (accept the suggestion, keep the given label, relabel to any class, unclear). Decisions are kept
 * in the browser (local storage, per page) while one reviews, and "Download decisions.csv" writes
 * {@code path,decision,label}, the file {@code imgclass data apply-corrections} reads. Keys: a
 * (accept), k (keep), u (unclear) on the focused image. Nothing is fetched from anywhere.
 */
public final class LabelIssuesPage {
  private LabelIssuesPage() {}

  /**
   * Writes the first {@code max} of {@code issues} (images read from {@code data}) to {@code file},
   * without near-duplicates or top-3 lines.
   */
  public static void write(
      Path file, String title, String summary, Dataset data, List<LabelIssue> issues, int max) {
    write(file, title, summary, data, issues, max, List.of(), 0, i -> null);
  }

  /**
   * Writes the first {@code max} of {@code issues} and the first {@code maxPairs} of {@code pairs}
   * (near-duplicates with different labels, indices into {@code data}) to {@code file}; {@code
   * probs} gives an image's out-of-sample probabilities (or null) for its top-3 line.
   */
  public static void write(
      Path file,
      String title,
      String summary,
      Dataset data,
      List<LabelIssue> issues,
      int max,
      List<NearDuplicates.Pair> pairs,
      int maxPairs,
      IntFunction<float[]> probs) {
    Html h = new Html(title);
    h.tag("h1", title);
    h.p("sub", summary);
    StringBuilder b = new StringBuilder();
    b.append("<style>")
        .append(CSS)
        .append("</style>\n<div class=\"bar\"><span id=\"count\">0</span> of <span id=\"total\">")
        .append("</span> decided &middot; <button id=\"download\">Download decisions.csv</button>")
        .append(" <button id=\"clear\">Clear decisions</button> <span class=\"sub\">keys on the")
        .append(
            " focused image: a accept, k keep, u unclear</span></div>\n<div class=\"cards\">\n");
    List<String> classes = data.classes();
    for (LabelIssue i : issues.subList(0, Math.min(max, issues.size()))) {
      String extra =
          String.format(
                  Locale.ROOT,
                  "<b>#%d</b> %s<br>given <span class=\"bad\">%s</span> %.3f<br>suggested <span"
                      + " class=\"good\">%s</span> %.3f",
                  i.rank(),
                  Html.esc(i.name()),
                  Html.esc(i.given()),
                  i.givenProbability(),
                  Html.esc(i.suggested()),
                  i.suggestedProbability())
              + top3(probs.apply(i.index()), classes);
      card(b, data, i.index(), i.name(), i.given(), i.suggested(), true, extra);
    }
    b.append("</div>\n");
    int shown = Math.min(maxPairs, pairs.size());
    if (shown > 0) {
      b.append("<h2>Near-duplicates with different labels</h2>\n<p class=\"sub\">")
          .append(
              String.format(
                  Locale.ROOT,
                  "%,d pairs of images that look the same (perceptual hash, then pixel correlation)"
                      + " but carry different labels; the first %d here, most alike first. At most"
                      + " one label of each pair is right unless the classes overlap.",
                  pairs.size(),
                  shown))
          .append("</p>\n<div class=\"pairs\">\n");
      for (NearDuplicates.Pair p : pairs.subList(0, shown)) {
        String la = classes.get(data.label(p.a()));
        String lb = classes.get(data.label(p.b()));
        b.append("<div class=\"pair\"><div class=\"sub\">")
            .append(
                String.format(
                    Locale.ROOT,
                    "correlation %.4f, %d hash bits apart",
                    p.correlation(),
                    p.distance()))
            .append("</div>");
        String[] names = {data.name(p.a()), data.name(p.b())};
        int[] idx = {p.a(), p.b()};
        String[] labels = {la, lb};
        for (int k = 0; k < 2; k++) {
          String extra =
              Html.esc(names[k])
                  + "<br>labelled <span class=\"bad\">"
                  + Html.esc(labels[k])
                  + "</span>"
                  + top3(probs.apply(idx[k]), classes);
          card(b, data, idx[k], names[k], labels[k], labels[1 - k], false, extra);
        }
        b.append("</div>\n");
      }
      b.append("</div>\n");
    }
    b.append("<script>").append(SCRIPT).append("</script>\n");
    h.raw(b.toString());
    AtomicFiles.write(file, h.end().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * One image with its decision list. {@code issue} cards offer "accept" (the suggestion);
   * near-duplicate cards offer the other image's label as a relabel instead.
   */
  private static void card(
      StringBuilder b,
      Dataset data,
      int index,
      String name,
      String given,
      String suggested,
      boolean issue,
      String extra) {
    byte[] png;
    try {
      png = Gallery.png(data.image(index), Math.max(1, 96 / data.height()));
    } catch (ImgclassException e) {
      return; // a file that broke since it was scored
    }
    b.append("<div class=\"card")
        .append(issue ? "" : " dup")
        .append("\" tabindex=\"0\" data-path=\"")
        .append(Html.esc(name))
        .append("\" data-given=\"")
        .append(Html.esc(given))
        .append("\" data-suggested=\"")
        .append(Html.esc(suggested))
        .append("\"><img alt=\"")
        .append(Html.esc(name))
        .append("\" src=\"")
        .append(Html.dataUri(png))
        .append("\">")
        .append(extra)
        .append("<br><select class=\"decision\" aria-label=\"decision for ")
        .append(Html.esc(name))
        .append("\"><option value=\"\">undecided</option>");
    if (issue)
      b.append("<option value=\"accept\">accept: ").append(Html.esc(suggested)).append("</option>");
    b.append("<option value=\"keep\">keep: ")
        .append(Html.esc(given))
        .append("</option><option value=\"unclear\">unclear (leave out)</option>");
    if (!issue)
      b.append("<option value=\"relabel:")
          .append(Html.esc(suggested))
          .append("\">relabel: ")
          .append(Html.esc(suggested))
          .append(" (other)</option>");
    for (String c : data.classes())
      if (!c.equals(given) && !c.equals(suggested))
        b.append("<option value=\"relabel:")
            .append(Html.esc(c))
            .append("\">relabel: ")
            .append(Html.esc(c))
            .append("</option>");
    b.append("</select></div>\n");
  }

  /** "top-3: A 0.61, B 0.30, C 0.05", or nothing without probabilities. */
  private static String top3(float[] p, List<String> classes) {
    if (p == null) return "";
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < p.length; i++) order[i] = i;
    java.util.Arrays.sort(order, (x, y) -> Float.compare(p[y], p[x]));
    StringBuilder s = new StringBuilder("<br><span class=\"sub\">top-3:");
    for (int k = 0; k < Math.min(3, p.length); k++)
      s.append(k == 0 ? " " : ", ")
          .append(Html.esc(classes.get(order[k])))
          .append(String.format(Locale.ROOT, " %.2f", p[order[k]]));
    return s.append("</span>").toString();
  }

  private static final String CSS =
      ".bar{position:sticky;top:0;background:#f3f4f6;padding:6px 10px;border-bottom:1px solid #ddd;"
          + "z-index:1}.card:focus{outline:2px solid #2563eb}.card.decided{background:#f0fdf4}"
          + "select.decision{margin-top:4px;max-width:100%}.pairs{display:flex;flex-wrap:wrap;gap:12px}"
          + ".pair{display:flex;flex-wrap:wrap;gap:4px;border:1px solid #ddd;padding:6px}"
          + ".pair>.sub{flex-basis:100%}";

  /**
   * Keeps the choices in local storage, one per image path (an image shown twice, as an issue and
   * in a near-duplicate pair, has one decision, shown on both), and writes them as a CSV that
   * apply-corrections reads.
   */
  private static final String SCRIPT =
      "const key='imgclass-review:'+document.title;"
          + "const saved=JSON.parse(localStorage.getItem(key)||'{}');"
          + "const cards=[...document.querySelectorAll('.card')];"
          + "const paths=[...new Set(cards.map(c=>c.dataset.path))];"
          + "document.getElementById('total').textContent=paths.length;"
          // a decision as the label it leaves (or unclear), and back as one card's option
          + "function label(c,v){if(v==='accept')return c.dataset.suggested;"
          + "if(v==='keep')return c.dataset.given;if(v.startsWith('relabel:'))return v.slice(8);"
          + "return v;}"
          + "function option(c,v,l){if(!v||v==='unclear')return v;"
          + "if(l===c.dataset.given)return 'keep';"
          + "if(c.querySelector('option[value=\"accept\"]')&&l===c.dataset.suggested)return 'accept';"
          + "return 'relabel:'+l;}"
          + "function show(c){const d=saved[c.dataset.path];const s=c.querySelector('select');"
          + "s.value=d?option(c,d.v,d.l):'';c.classList.toggle('decided',s.value!=='');}"
          + "function count(){cards.forEach(show);"
          + "document.getElementById('count').textContent=paths.filter(p=>saved[p]).length;}"
          + "function decide(c,v){if(v)saved[c.dataset.path]={v:v,l:label(c,v)};"
          + "else delete saved[c.dataset.path];localStorage.setItem(key,JSON.stringify(saved));count();}"
          + "for(const c of cards){const s=c.querySelector('select');"
          + "s.addEventListener('change',()=>decide(c,s.value));"
          + "c.addEventListener('keydown',e=>{if(e.target.tagName==='SELECT')return;"
          + "let v={a:'accept',k:'keep',u:'unclear'}[e.key];"
          + "if(v==='accept'&&!c.querySelector('option[value=\"accept\"]'))"
          + "v='relabel:'+c.dataset.suggested;if(v)decide(c,v);});}"
          + "count();"
          + "function q(x){return /[\",\\n\\r]/.test(x)?'\"'+x.replace(/\"/g,'\"\"')+'\"':x;}"
          + "document.getElementById('download').addEventListener('click',()=>{"
          + "let csv='path,decision,label\\n';"
          + "for(const p of paths){const d=saved[p];if(!d)continue;"
          + "const c=cards.find(x=>x.dataset.path===p);const v=option(c,d.v,d.l);"
          + "let dec=v,l='';if(v==='accept')l=c.dataset.suggested;else if(v==='keep')l=c.dataset.given;"
          + "else if(v.startsWith('relabel:')){dec='relabel';l=v.slice(8);}"
          + "csv+=q(p)+','+dec+','+q(l)+'\\n';}"
          + "const a=document.createElement('a');"
          + "a.href=URL.createObjectURL(new Blob([csv],{type:'text/csv'}));"
          + "a.download='decisions.csv';document.body.appendChild(a);a.click();a.remove();});"
          + "document.getElementById('clear').addEventListener('click',()=>{"
          + "for(const k of Object.keys(saved))delete saved[k];localStorage.removeItem(key);count();});";
}
