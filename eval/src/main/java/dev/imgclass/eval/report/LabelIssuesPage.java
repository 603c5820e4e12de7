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
   * Writes the first {@code max} of {@code issues} (images read from {@code data}) to {@code file}.
   */
  public static void write(
      Path file, String title, String summary, Dataset data, List<LabelIssue> issues, int max) {
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
      byte[] png;
      try {
        png = Gallery.png(data.image(i.index()), Math.max(1, 96 / data.height()));
      } catch (ImgclassException e) {
        continue; // a file that broke since it was scored
      }
      b.append("<div class=\"card\" tabindex=\"0\" data-path=\"")
          .append(Html.esc(i.name()))
          .append("\" data-given=\"")
          .append(Html.esc(i.given()))
          .append("\" data-suggested=\"")
          .append(Html.esc(i.suggested()))
          .append("\"><img alt=\"")
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
          .append("<br><select class=\"decision\" aria-label=\"decision for ")
          .append(Html.esc(i.name()))
          .append("\"><option value=\"\">undecided</option><option value=\"accept\">accept: ")
          .append(Html.esc(i.suggested()))
          .append("</option><option value=\"keep\">keep: ")
          .append(Html.esc(i.given()))
          .append("</option><option value=\"unclear\">unclear (leave out)</option>");
      for (String c : classes)
        if (!c.equals(i.given()) && !c.equals(i.suggested()))
          b.append("<option value=\"relabel:")
              .append(Html.esc(c))
              .append("\">relabel: ")
              .append(Html.esc(c))
              .append("</option>");
      b.append("</select></div>\n");
    }
    b.append("</div>\n<script>").append(SCRIPT).append("</script>\n");
    h.raw(b.toString());
    AtomicFiles.write(file, h.end().getBytes(StandardCharsets.UTF_8));
  }

  private static final String CSS =
      ".bar{position:sticky;top:0;background:#f3f4f6;padding:6px 10px;border-bottom:1px solid #ddd;"
          + "z-index:1}.card:focus{outline:2px solid #2563eb}.card.decided{background:#f0fdf4}"
          + "select.decision{margin-top:4px;max-width:100%}";

  /** Keeps the choices in local storage and writes them as a CSV that apply-corrections reads. */
  private static final String SCRIPT =
      "const key='imgclass-review:'+document.title;"
          + "const saved=JSON.parse(localStorage.getItem(key)||'{}');"
          + "const cards=[...document.querySelectorAll('.card')];"
          + "document.getElementById('total').textContent=cards.length;"
          + "function count(){let n=0;for(const c of cards){const v=c.querySelector('select').value;"
          + "c.classList.toggle('decided',v!=='');if(v)n++;}"
          + "document.getElementById('count').textContent=n;}"
          + "for(const c of cards){const s=c.querySelector('select');"
          + "if(saved[c.dataset.path])s.value=saved[c.dataset.path];"
          + "s.addEventListener('change',()=>{if(s.value)saved[c.dataset.path]=s.value;"
          + "else delete saved[c.dataset.path];localStorage.setItem(key,JSON.stringify(saved));count();});"
          + "c.addEventListener('keydown',e=>{if(e.target.tagName==='SELECT')return;"
          + "const v={a:'accept',k:'keep',u:'unclear'}[e.key];"
          + "if(v){s.value=v;s.dispatchEvent(new Event('change'));}});}"
          + "count();"
          + "function q(x){return /[\",\\n\\r]/.test(x)?'\"'+x.replace(/\"/g,'\"\"')+'\"':x;}"
          + "document.getElementById('download').addEventListener('click',()=>{"
          + "let csv='path,decision,label\\n';"
          + "for(const c of cards){const v=c.querySelector('select').value;if(!v)continue;"
          + "let d=v,l='';if(v==='accept')l=c.dataset.suggested;else if(v==='keep')l=c.dataset.given;"
          + "else if(v.startsWith('relabel:')){d='relabel';l=v.slice(8);}"
          + "csv+=q(c.dataset.path)+','+d+','+q(l)+'\\n';}"
          + "const a=document.createElement('a');"
          + "a.href=URL.createObjectURL(new Blob([csv],{type:'text/csv'}));"
          + "a.download='decisions.csv';document.body.appendChild(a);a.click();a.remove();});"
          + "document.getElementById('clear').addEventListener('click',()=>{"
          + "for(const c of cards)c.querySelector('select').value='';"
          + "for(const k of Object.keys(saved))delete saved[k];localStorage.removeItem(key);count();});";
}
