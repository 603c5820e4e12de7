package dev.imgclass.experiments;

import dev.imgclass.experiments.ExperimentReport.ArmReport;
import dev.imgclass.experiments.ExperimentReport.Comparison;
import dev.imgclass.experiments.ExperimentReport.Decision;
import dev.imgclass.experiments.ExperimentReport.HistoryPoint;
import dev.imgclass.experiments.ExperimentReport.Interval;
import dev.imgclass.experiments.ExperimentReport.SrmReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one period's observations into an {@link ExperimentReport}: per-arm numbers, the
 * sample-ratio test, each treatment against the control (always-valid and fixed-horizon), and a
 * decision. Pure: the same observations give the same report.
 *
 * <p>The decision, in order: a rollback stands; a sample-ratio mismatch makes every result
 * untrustworthy (inconclusive); an arm with fewer than {@code min_labelled} labelled requests keeps
 * it running; a treatment whose always-valid p-value is below {@code alpha / treatments} ships if
 * better (the best such one) or rolls back if worse; past {@code max_labelled} per arm it is
 * inconclusive; otherwise it keeps running.
 */
public final class Analysis {
  public static final String SHIP = "ship";
  public static final String ROLL_BACK = "roll_back";
  public static final String KEEP_RUNNING = "keep_running";
  public static final String INCONCLUSIVE = "inconclusive";

  private Analysis() {}

  /** What the analysis reads besides the observations. */
  public record Input(
      ExperimentConfig config,
      String state,
      int period,
      long periodStartMillis,
      List<Observation> observations,
      Set<String> rebucketed,
      List<Observation> shadow,
      List<Guardrail> guardrails,
      List<ExperimentEvent> events,
      List<String> classes,
      String rollbackReason) {}

  public static ExperimentReport run(Input in) {
    ExperimentConfig cfg = in.config();
    List<String> names = new ArrayList<>(cfg.armNames());
    // the control first
    names.remove(cfg.control());
    names.add(0, cfg.control());
    Map<String, List<Observation>> byArm = new LinkedHashMap<>();
    for (String n : names) byArm.put(n, new ArrayList<>());
    List<Observation> kept = new ArrayList<>();
    for (Observation o : in.observations()) {
      if (o.unit() == null || in.rebucketed().contains(o.unit())) continue;
      List<Observation> list = byArm.get(o.arm());
      if (list == null) continue; // an arm of an older config: not this period's
      list.add(o);
      kept.add(o);
    }
    List<ArmReport> arms = new ArrayList<>();
    long[] units = new long[names.size()];
    double[] weights = new double[names.size()];
    for (int i = 0; i < names.size(); i++) {
      ExperimentConfig.Arm a = cfg.arm(names.get(i)).orElseThrow();
      ArmReport r =
          armReport(
              a.name(), cfg.modelOf(a), a.version(), a.weight(), byArm.get(a.name()), in.classes());
      arms.add(r);
      units[i] = r.units();
      weights[i] = a.weight();
    }
    ArmReport shadow = null;
    if (cfg.shadow() != null) {
      ExperimentConfig.Arm s = cfg.shadow();
      shadow = armReport(s.name(), cfg.modelOf(s), s.version(), 0, in.shadow(), in.classes());
    }
    Srm.Result srm = Srm.test(units, weights);
    long totalUnits = Arrays.stream(units).sum();
    double wsum = Arrays.stream(weights).sum();
    Map<String, Double> expected = new LinkedHashMap<>();
    Map<String, Double> observed = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      expected.put(names.get(i), weights[i] / wsum);
      observed.put(names.get(i), totalUnits == 0 ? 0 : (double) units[i] / totalUnits);
    }
    SrmReport srmReport =
        new SrmReport(srm.chiSquare(), srm.pValue(), srm.mismatch(), expected, observed);

    int treatments = names.size() - 1;
    double alphaEach = cfg.alpha() / treatments;
    Sequence seq = sequence(cfg, names, kept, alphaEach);
    List<Comparison> comparisons = new ArrayList<>();
    double minP = 1;
    for (int i = 1; i < names.size(); i++) {
      String arm = names.get(i);
      UnitMean t = labelledMean(byArm.get(arm));
      UnitMean c = labelledMean(byArm.get(cfg.control()));
      Difference fixed = Difference.fixedHorizon(t, c, alphaEach);
      Running run = seq.running.get(arm);
      Interval sequential =
          run == null
              ? new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1)
              : new Interval(run.low, run.high, run.p);
      comparisons.add(
          new Comparison(
              arm,
              t.mean() - c.mean(),
              alphaEach,
              sequential,
              new Interval(fixed.low(), fixed.high(), fixed.pValue())));
      minP = Math.min(minP, Math.min(1, sequential.pValue() * treatments));
    }
    Decision decision = decide(in, cfg, arms, srm, comparisons);
    if (in.state().equals(Experiments.STOPPED) && decision.decision().equals(KEEP_RUNNING))
      decision =
          new Decision(INCONCLUSIVE, null, "stopped before a decision: " + decision.reason());
    return new ExperimentReport(
        cfg.id(),
        cfg.model(),
        in.state(),
        in.period(),
        Instant.ofEpochMilli(in.periodStartMillis()).toString(),
        cfg.metric(),
        arms,
        shadow,
        srmReport,
        srm.pValue(),
        comparisons,
        minP,
        in.guardrails(),
        in.rebucketed().size(),
        decision,
        seq.history,
        in.events(),
        cfg);
  }

  private static Decision decide(
      Input in, ExperimentConfig cfg, List<ArmReport> arms, Srm.Result srm, List<Comparison> cmp) {
    if (in.state().equals(Experiments.ROLLED_BACK))
      return new Decision(
          ROLL_BACK,
          cfg.control(),
          "a guardrail stopped the experiment and sent all traffic to the control: "
              + in.rollbackReason());
    if (srm.mismatch())
      return new Decision(
          INCONCLUSIVE,
          null,
          String.format(
              "sample ratio mismatch (chi-square p = %.2g < %.3g): the arms did not get the configured"
                  + " split, so no result can be trusted until the cause is found",
              srm.pValue(), Srm.THRESHOLD));
    for (ArmReport a : arms)
      if (a.labelled() < cfg.minLabelled())
        return new Decision(
            KEEP_RUNNING,
            null,
            "arm "
                + a.name()
                + " has "
                + a.labelled()
                + " labelled requests; every arm needs "
                + cfg.minLabelled()
                + " before a decision");
    Comparison best = null;
    Comparison worst = null;
    for (Comparison c : cmp) {
      if (c.sequential().pValue() >= c.alpha()) continue;
      if (c.difference() > 0 && (best == null || c.difference() > best.difference())) best = c;
      if (c.difference() < 0 && (worst == null || c.difference() < worst.difference())) worst = c;
    }
    String what = cfg.metric().equals(ExperimentConfig.REWARD) ? "mean reward" : "accuracy";
    if (best != null)
      return new Decision(
          SHIP,
          best.arm(),
          String.format(
              "arm %s beats %s on %s by %+.2f pt (always-valid %.0f%% interval %+.2f to %+.2f pt,"
                  + " p = %.2g < %.3g)",
              best.arm(),
              cfg.control(),
              what,
              100 * best.difference(),
              100 * (1 - best.alpha()),
              100 * best.sequential().low(),
              100 * best.sequential().high(),
              best.sequential().pValue(),
              best.alpha()));
    if (worst != null)
      return new Decision(
          ROLL_BACK,
          cfg.control(),
          String.format(
              "arm %s is worse than %s on %s by %.2f pt (always-valid interval %+.2f to %+.2f pt,"
                  + " p = %.2g < %.3g)",
              worst.arm(),
              cfg.control(),
              what,
              -100 * worst.difference(),
              100 * worst.sequential().low(),
              100 * worst.sequential().high(),
              worst.sequential().pValue(),
              worst.alpha()));
    long least = arms.stream().mapToLong(ArmReport::labelled).min().orElse(0);
    if (cfg.maxLabelled() > 0 && least >= cfg.maxLabelled())
      return new Decision(
          INCONCLUSIVE,
          null,
          "every arm reached max_labelled ("
              + cfg.maxLabelled()
              + ") without a significant difference; the true difference is likely within the"
              + " always-valid interval");
    return new Decision(
        KEEP_RUNNING,
        null,
        "no significant difference yet ("
            + least
            + " labelled requests in the smallest arm); the always-valid test may be watched at any"
            + " time");
  }

  private static ArmReport armReport(
      String name,
      String model,
      int version,
      double weight,
      List<Observation> obs,
      List<String> classes) {
    Set<String> units = new HashSet<>();
    long errors = 0;
    double confidence = 0;
    long ok = 0;
    long[] latency = new long[obs.size()];
    Map<String, Long> predicted = new LinkedHashMap<>();
    for (int i = 0; i < obs.size(); i++) {
      Observation o = obs.get(i);
      units.add(o.unit());
      latency[i] = o.latencyMicros();
      if (o.error()) {
        errors++;
        continue;
      }
      ok++;
      confidence += o.confidence();
      String cls =
          o.predicted() >= 0 && o.predicted() < classes.size()
              ? classes.get(o.predicted())
              : String.valueOf(o.predicted());
      predicted.merge(cls, 1L, Long::sum);
    }
    Arrays.sort(latency);
    UnitMean m = labelledMean(obs);
    double half = 1.959963984540054 * Math.sqrt(m.variance());
    return new ArmReport(
        name,
        model,
        version,
        weight,
        units.size(),
        obs.size(),
        m.n(),
        m.mean(),
        m.n() == 0 ? Double.NaN : Math.max(0, m.mean() - half),
        m.n() == 0 ? Double.NaN : Math.min(1, m.mean() + half),
        ok == 0 ? Double.NaN : confidence / ok,
        percentile(latency, 50) / 1000.0,
        percentile(latency, 99) / 1000.0,
        obs.isEmpty() ? 0 : (double) errors / obs.size(),
        predicted);
  }

  /** The nearest-rank percentile of sorted values; 0 when empty. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The metric over the labelled requests of one arm, per unit (delta method). */
  static UnitMean labelledMean(List<Observation> obs) {
    Map<String, double[]> perUnit = new HashMap<>();
    for (Observation o : obs) {
      if (!o.labelled() || o.error()) continue;
      double[] s = perUnit.computeIfAbsent(o.unit(), u -> new double[2]);
      s[0] += o.outcome();
      s[1]++;
    }
    return fromUnits(perUnit);
  }

  private static UnitMean fromUnits(Map<String, double[]> perUnit) {
    double[] sums = new double[perUnit.size()];
    long[] counts = new long[perUnit.size()];
    int i = 0;
    for (double[] s : perUnit.values()) {
      sums[i] = s[0];
      counts[i++] = (long) s[1];
    }
    return UnitMean.of(sums, counts);
  }

  private static final class Running {
    double low = Double.NEGATIVE_INFINITY;
    double high = Double.POSITIVE_INFINITY;
    double p = 1;
  }

  private record Sequence(List<HistoryPoint> history, Map<String, Running> running) {}

  /** Running per-unit moments of one arm: what {@link UnitMean#ofMoments} reads. */
  private static final class Moments {
    final Map<String, double[]> perUnit = new HashMap<>();
    long units;
    long n;
    double sumX;
    double sumXX;
    double sumXY;
    double sumYY;

    void add(String unit, double outcome) {
      double[] s = perUnit.computeIfAbsent(unit, u -> new double[2]);
      double x = s[0];
      double y = s[1];
      if (y == 0) units++;
      double x1 = x + outcome;
      double y1 = y + 1;
      sumX += outcome;
      sumXX += x1 * x1 - x * x;
      sumXY += x1 * y1 - x * y;
      sumYY += y1 * y1 - y * y;
      n++;
      s[0] = x1;
      s[1] = y1;
    }

    UnitMean mean() {
      return UnitMean.ofMoments(units, n, sumX, sumXX, sumXY, sumYY);
    }
  }

  /**
   * Labelled counts at which the always-valid test is looked at: every 100 up to 10,000, every 500
   * up to 100,000, every 2,000 beyond. A fixed grid, so a later read replays the same looks and the
   * running minimum never goes back up.
   */
  static boolean onGrid(long labelled) {
    long step = labelled <= 10_000 ? 100 : labelled <= 100_000 ? 500 : 2_000;
    return labelled % step == 0;
  }

  /**
   * Replays the labelled requests in the order they were served, computing each treatment's
   * always-valid interval at every grid point ({@link #onGrid}): the reported interval is the
   * running intersection, the p-value the running minimum (both stay valid under continuous
   * monitoring). Per-unit moments are kept incrementally, so each look costs O(1).
   */
  private static Sequence sequence(
      ExperimentConfig cfg, List<String> names, List<Observation> kept, double alpha) {
    Map<String, Moments> perArm = new HashMap<>();
    for (String n : names) perArm.put(n, new Moments());
    Map<String, Running> running = new LinkedHashMap<>();
    List<HistoryPoint> history = new ArrayList<>();
    long labelled = 0;
    for (Observation o : kept) {
      if (!o.labelled() || o.error()) continue;
      perArm.get(o.arm()).add(o.unit(), o.outcome());
      labelled++;
      if (!onGrid(labelled)) continue;
      UnitMean c = perArm.get(cfg.control()).mean();
      if (c.units() < 2) continue;
      for (String arm : names) {
        if (arm.equals(cfg.control())) continue;
        UnitMean t = perArm.get(arm).mean();
        if (t.units() < 2) continue;
        Difference d = Difference.sequential(t, c, alpha, cfg.sequentialTuning());
        Running r = running.computeIfAbsent(arm, a -> new Running());
        r.low = Math.max(r.low, d.low());
        r.high = Math.min(r.high, d.high());
        r.p = Math.min(r.p, d.pValue());
        history.add(new HistoryPoint(arm, labelled, d.estimate(), r.low, r.high, r.p));
      }
    }
    return new Sequence(history, running);
  }
}
