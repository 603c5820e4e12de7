package dev.imgclass.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.HtmlEscape;
import dev.imgclass.core.Json;
import dev.imgclass.experiments.EvaluationRecord;
import dev.imgclass.experiments.ExperimentEvent;
import dev.imgclass.experiments.ExperimentReport;
import dev.imgclass.experiments.ExperimentReport.ArmReport;
import dev.imgclass.experiments.ExperimentReport.Comparison;
import dev.imgclass.experiments.ExperimentReport.HistoryPoint;
import dev.imgclass.experiments.Guardrail;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /dashboard} on the admin port: experiments (arms, split, sample-ratio status, the
 * effect with its always-valid interval over time, guardrails, decision, a stop button), models
 * with their evaluation history and drift, and live request rates. Rendered on the server as HTML
 * and SVG; its only script sends the stop request with the token typed into the page and reloads.
 * Nothing is fetched from anywhere else.
 */
final class DashboardPage {
  private final ServeExperiments ex;
  private final Models models;

  DashboardPage(ServeExperiments ex, Models models) {
    this.ex = ex;
    this.models = models;
  }

  String render() {
    StringBuilder b = new StringBuilder(32 << 10);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>imgclass dashboard</title><style>")
        .append(CSS)
        .append("</style></head><body>");
    b.append("<header><h1>imgclass dashboard</h1><span class=\"muted\">")
        .append(Instant.now().toString(), 0, 19)
        .append("Z &middot; events: ")
        .append(HtmlEscape.escape(ex.eventsLocation))
        .append(
            "</span><label>admin token <input id=\"token\" type=\"password\" autocomplete=\"off\"></label>")
        .append(
            "<label><input id=\"auto\" type=\"checkbox\" checked> refresh every 10 s</label></header>");
    b.append("<main><section><h2>Experiments</h2>");
    if (!ex.enabled) {
      b.append(
              "<p class=\"muted\">Events are off (--events none): no experiments or evaluations.</p>")
          .append("</section></main></body></html>");
      return b.toString();
    }
    var list = ex.experiments.list();
    if (list.isEmpty())
      b.append("<p class=\"muted\">No experiments. POST one to /admin/v1/experiments.</p>");
    for (String id : list.keySet()) experiment(b, ex.experiments.report(id));
    b.append("</section>");
    models(b);
    b.append("</main><script>").append(SCRIPT).append("</script></body></html>");
    return b.toString();
  }

  private void experiment(StringBuilder b, ExperimentReport r) {
    String decision = r.decision().decision();
    b.append("<article class=\"experiment\" data-experiment=\"")
        .append(HtmlEscape.escape(r.id()))
        .append("\">");
    b.append("<h3>")
        .append(HtmlEscape.escape(r.id()))
        .append(" <small>on ")
        .append(HtmlEscape.escape(r.model()))
        .append(", period ")
        .append(r.period())
        .append(" since ")
        .append(HtmlEscape.escape(r.periodStart()))
        .append("</small> <span class=\"state state-")
        .append(HtmlEscape.escape(r.state()))
        .append("\" data-state=\"")
        .append(HtmlEscape.escape(r.state()))
        .append("\">")
        .append(HtmlEscape.escape(r.state()))
        .append("</span></h3>");
    b.append("<p class=\"decision decision-")
        .append(HtmlEscape.escape(decision))
        .append("\" data-decision=\"")
        .append(HtmlEscape.escape(decision))
        .append("\"><b>")
        .append(HtmlEscape.escape(decision.replace('_', ' ')))
        .append(
            r.decision().arm() == null ? "" : " (" + HtmlEscape.escape(r.decision().arm()) + ")")
        .append("</b>: ")
        .append(HtmlEscape.escape(r.decision().reason()))
        .append("</p>");
    if (r.state().equals("running") || r.state().equals("scheduled"))
      b.append("<button class=\"stop\" data-stop=\"")
          .append(HtmlEscape.escape(r.id()))
          .append("\">Stop experiment</button> ");
    boolean reward = r.metric().equals("reward");
    b.append(
            "<table class=\"arms\"><tr><th>arm</th><th>serves</th><th>weight</th><th>units</th><th>share</th>")
        .append("<th>requests</th><th>labelled</th><th>")
        .append(reward ? "mean reward" : "accuracy")
        .append(" (95 %)</th><th>mean conf.</th><th>p50 / p99 ms</th><th>errors</th></tr>");
    for (ArmReport a : r.arms())
      armRow(b, a, r.srm().observedShare().getOrDefault(a.name(), 0.0), reward);
    if (r.shadow() != null) armRow(b, r.shadow(), Double.NaN, reward);
    b.append("</table>");
    b.append("<p class=\"")
        .append(r.srm().mismatch() ? "bad" : "ok")
        .append("\">Sample ratio: chi-square p = ")
        .append(fmt(r.srmPValue(), "%.3g"))
        .append(
            r.srm().mismatch()
                ? " &mdash; <b>mismatch</b>: the split is not what was configured; results cannot be trusted"
                : " (no mismatch; flagged below 0.001)")
        .append(
            r.rebucketedUnits() > 0
                ? " &middot; " + r.rebucketedUnits() + " re-bucketed units left out"
                : "")
        .append("</p>");
    if (!r.comparisons().isEmpty()) {
      b.append(
              "<table><tr><th>treatment</th><th>difference</th><th>always-valid interval</th><th>always-valid p</th>")
          .append("<th>fixed-horizon interval</th><th>fixed-horizon p</th></tr>");
      for (Comparison c : r.comparisons())
        b.append("<tr><td>")
            .append(HtmlEscape.escape(c.arm()))
            .append("</td><td>")
            .append(pt(c.difference()))
            .append("</td><td>")
            .append(pt(c.sequential().low()))
            .append(" to ")
            .append(pt(c.sequential().high()))
            .append("</td><td>")
            .append(fmt(c.sequential().pValue(), "%.3g"))
            .append("</td><td>")
            .append(pt(c.fixedHorizon().low()))
            .append(" to ")
            .append(pt(c.fixedHorizon().high()))
            .append("</td><td>")
            .append(fmt(c.fixedHorizon().pValue(), "%.3g"))
            .append("</td></tr>");
      b.append("</table>");
    }
    Map<String, List<HistoryPoint>> byArm = new LinkedHashMap<>();
    for (HistoryPoint h : r.history())
      byArm.computeIfAbsent(h.arm(), k -> new ArrayList<>()).add(h);
    List<Svg.Series> series = new ArrayList<>();
    for (var e : byArm.entrySet()) {
      List<HistoryPoint> hs = e.getValue();
      double[] x = new double[hs.size()],
          y = new double[hs.size()],
          lo = new double[hs.size()],
          hi = new double[hs.size()];
      for (int i = 0; i < hs.size(); i++) {
        x[i] = hs.get(i).labelled();
        y[i] = 100 * hs.get(i).difference();
        lo[i] = 100 * hs.get(i).low();
        hi[i] = 100 * hs.get(i).high();
      }
      series.add(new Svg.Series(e.getKey() + " − " + r.config().control(), x, y, lo, hi));
    }
    b.append("<div class=\"charts\">")
        .append(
            Svg.chart(
                "effect with its always-valid interval",
                "labelled requests",
                "difference, pt",
                series,
                true,
                0.1
                    * (r.history().isEmpty()
                        ? 0
                        : r.history().get(r.history().size() - 1).labelled())))
        .append("</div>");
    b.append(
        "<table class=\"guardrails\"><tr><th>guardrail</th><th>arm</th><th>control</th><th>treatment</th><th>limit</th><th>status</th></tr>");
    for (Guardrail g : r.guardrails())
      b.append("<tr><td>")
          .append(HtmlEscape.escape(g.metric()))
          .append("</td><td>")
          .append(HtmlEscape.escape(g.arm()))
          .append("</td><td>")
          .append(fmt(g.control(), "%.4g"))
          .append("</td><td>")
          .append(fmt(g.treatment(), "%.4g"))
          .append("</td><td>")
          .append(fmt(g.limit(), "%.4g"))
          .append("</td><td class=\"")
          .append(
              g.breached()
                  ? "bad\">breached"
                  : g.checked() ? "ok\">ok" : "muted\">too few requests")
          .append("</td></tr>");
    b.append("</table><details><summary>events (")
        .append(r.events().size())
        .append(")</summary><ul>");
    for (ExperimentEvent e : r.events())
      b.append("<li>")
          .append(Instant.ofEpochMilli(e.timeMillis()).toString(), 0, 19)
          .append("Z <b>")
          .append(HtmlEscape.escape(e.kind()))
          .append("</b> ")
          .append(HtmlEscape.escape(e.detail()))
          .append("</li>");
    b.append("</ul></details></article>");
  }

  private static void armRow(StringBuilder b, ArmReport a, double share, boolean reward) {
    b.append("<tr data-arm=\"")
        .append(HtmlEscape.escape(a.name()))
        .append("\"><td>")
        .append(HtmlEscape.escape(a.name()))
        .append(Double.isNaN(share) ? " <small>(shadow)</small>" : "")
        .append("</td><td>")
        .append(HtmlEscape.escape(a.model()))
        .append(" v")
        .append(a.version())
        .append("</td><td>")
        .append(Double.isNaN(share) ? "" : fmt(a.weight(), "%.3g"))
        .append("</td><td>")
        .append(a.units())
        .append("</td><td>")
        .append(Double.isNaN(share) ? "" : fmt(100 * share, "%.1f %%"))
        .append("</td><td>")
        .append(a.exposures())
        .append("</td><td>")
        .append(a.labelled())
        .append("</td><td>");
    if (a.labelled() == 0) b.append("&ndash;");
    else if (reward)
      b.append(fmt(a.accuracy(), "%.4g"))
          .append(" [")
          .append(fmt(a.accuracyLow(), "%.4g"))
          .append(", ")
          .append(fmt(a.accuracyHigh(), "%.4g"))
          .append("]");
    else
      b.append(fmt(100 * a.accuracy(), "%.2f %%"))
          .append(" [")
          .append(fmt(100 * a.accuracyLow(), "%.2f"))
          .append(", ")
          .append(fmt(100 * a.accuracyHigh(), "%.2f"))
          .append("]");
    b.append("</td><td>")
        .append(fmt(a.meanConfidence(), "%.3f"))
        .append("</td><td>")
        .append(fmt(a.p50Ms(), "%.2f"))
        .append(" / ")
        .append(fmt(a.p99Ms(), "%.2f"))
        .append("</td><td>")
        .append(fmt(100 * a.errorRate(), "%.2f %%"))
        .append("</td></tr>");
  }

  private void models(StringBuilder b) {
    b.append(
            "<section><h2>Models</h2><table class=\"models\"><tr><th>model</th><th>loaded versions</th>")
        .append(
            "<th>default</th><th>requests/s (last minute)</th><th>latest evaluation</th><th>drift (PSI class / confidence)</th><th>alert</th></tr>");
    Map<String, Boolean> alerts = ex.alerts();
    List<String> charts = new ArrayList<>();
    for (var e : models.snapshot().entrySet()) {
      String name = e.getKey();
      List<EvaluationRecord> evals = ex.store.evaluations(name);
      EvaluationRecord last = evals.isEmpty() ? null : evals.get(evals.size() - 1);
      boolean alert = alerts.getOrDefault(name, false) || (last != null && last.alert());
      b.append("<tr data-model=\"")
          .append(HtmlEscape.escape(name))
          .append("\"><td>")
          .append(HtmlEscape.escape(name))
          .append("</td><td>")
          .append(new java.util.TreeSet<>(e.getValue().versions().keySet()))
          .append("</td><td>v")
          .append(e.getValue().defaultVersion())
          .append("</td><td>")
          .append(fmt(ex.rate(name), "%.1f"))
          .append("</td><td>");
      if (last == null) b.append("<span class=\"muted\">none yet</span>");
      else
        b.append(HtmlEscape.escape(last.source()))
            .append(" v")
            .append(last.version())
            .append(": ")
            .append(fmt(100 * last.accuracy(), "%.2f %%"))
            .append(" (")
            .append(last.n())
            .append(") ")
            .append(Instant.ofEpochMilli(last.timeMillis()).toString(), 0, 10);
      b.append("</td><td>")
          .append(drift(evals))
          .append("</td><td class=\"")
          .append(alert ? "bad\">ALERT" : "ok\">none")
          .append("</td></tr>");
      if (!evals.isEmpty()) charts.add(evaluationChart(name, evals));
    }
    b.append("</table><div class=\"charts\">");
    for (String c : charts) b.append(c);
    b.append("</div></section>");
  }

  private static String drift(List<EvaluationRecord> evals) {
    for (int i = evals.size() - 1; i >= 0; i--) {
      try {
        JsonNode d = Json.MAPPER.readTree(evals.get(i).resultJson()).path("drift");
        if (d.has("psi_predicted_class"))
          return String.format(
              Locale.ROOT,
              "%.3f / %.3f",
              d.get("psi_predicted_class").asDouble(),
              d.get("psi_confidence").asDouble());
      } catch (IOException ignored) {
        // an unreadable result: look further back
      }
    }
    return "<span class=\"muted\">&ndash;</span>";
  }

  private static String evaluationChart(String model, List<EvaluationRecord> evals) {
    Map<String, List<EvaluationRecord>> bySource = new LinkedHashMap<>();
    for (EvaluationRecord r : evals)
      bySource.computeIfAbsent(r.source(), k -> new ArrayList<>()).add(r);
    List<Svg.Series> series = new ArrayList<>();
    long t0 = evals.get(0).timeMillis();
    long span = evals.get(evals.size() - 1).timeMillis() - t0;
    double unit = span < 7_200_000 ? 60_000.0 : span < 172_800_000 ? 3_600_000.0 : 86_400_000.0;
    String unitName = unit == 60_000.0 ? "minutes" : unit == 3_600_000.0 ? "hours" : "days";
    for (var e : bySource.entrySet()) {
      List<EvaluationRecord> rs = e.getValue();
      double[] x = new double[rs.size()], y = new double[rs.size()];
      for (int i = 0; i < rs.size(); i++) {
        x[i] = (rs.get(i).timeMillis() - t0) / unit;
        y[i] = 100 * rs.get(i).accuracy();
      }
      series.add(new Svg.Series(e.getKey(), x, y, null, null));
    }
    return Svg.chart(
        model + ": accuracy at each re-evaluation",
        unitName + " since the first",
        "accuracy, %",
        series,
        false);
  }

  private static String pt(double v) {
    if (Double.isNaN(v)) return "&ndash;";
    if (Double.isInfinite(v)) return v > 0 ? "+&infin;" : "&minus;&infin;";
    return String.format(Locale.ROOT, "%+.2f pt", 100 * v);
  }

  private static String fmt(double v, String f) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "&ndash;";
  }

  private static final String CSS =
      "body{font:14px system-ui,sans-serif;margin:0;color:#222}header{display:flex;flex-wrap:wrap;gap:6px 18px;"
          + "align-items:center;padding:10px 18px;background:#f3f4f6;border-bottom:1px solid #ddd}"
          + "h1{font-size:18px;margin:0}h1,header label{white-space:nowrap}"
          + "main{padding:0 18px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;"
          + "padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.muted{color:#888}"
          + ".ok{color:#176b2c}.bad{color:#b00020;font-weight:600}.state{font-size:12px;padding:2px 8px;"
          + "border-radius:9px;background:#e5e7eb}.state-running{background:#d1fae5}.state-rolled_back{background:#fee2e2}"
          + ".decision{font-size:15px;padding:6px 10px;background:#f9fafb;border-left:4px solid #9ca3af}"
          + ".decision-ship{border-color:#16a34a}.decision-roll_back{border-color:#dc2626}"
          + ".decision-inconclusive{border-color:#d97706}.experiment{border:1px solid #e5e7eb;padding:4px 14px;"
          + "margin:12px 0;border-radius:6px}.charts{display:flex;flex-wrap:wrap;gap:12px}button{padding:5px 12px}"
          + "#msg{color:#b00020}";

  private static final String SCRIPT =
      "const tok=document.getElementById('token');tok.value=sessionStorage.getItem('imgclass-token')||'';"
          + "tok.addEventListener('change',()=>sessionStorage.setItem('imgclass-token',tok.value));"
          + "const auto=document.getElementById('auto');"
          + "setInterval(()=>{if(auto.checked)location.reload()},10000);"
          + "document.querySelectorAll('button[data-stop]').forEach(btn=>btn.addEventListener('click',async()=>{"
          + "sessionStorage.setItem('imgclass-token',tok.value);"
          + "const r=await fetch('/admin/v1/experiments/'+encodeURIComponent(btn.dataset.stop)+'/stop',"
          + "{method:'POST',headers:{'Authorization':'Bearer '+tok.value,'Content-Type':'application/json'},"
          + "body:JSON.stringify({reason:'stopped from the dashboard'})});"
          + "if(r.ok){location.reload()}else{const j=await r.json().catch(()=>({error:r.statusText}));"
          + "btn.insertAdjacentHTML('afterend','<span id=\"msg\"> '+String(j.error).replace(/</g,'&lt;')+'</span>')}}));";
}
