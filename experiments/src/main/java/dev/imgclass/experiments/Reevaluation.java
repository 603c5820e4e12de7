package dev.imgclass.experiments;

import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.Stats;
import dev.imgclass.data.Dataset;
import dev.imgclass.runtime.Classifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The periodic re-evaluation of deployed models ("every two weeks" by default): each deployed
 * version on a labelled evaluation set, and on the feedback labels collected since its last run.
 * Each run is stored with the events; a significant accuracy drop raises an alert.
 *
 * <ul>
 *   <li>On the evaluation set: accuracy, balanced accuracy, per-class recall, ECE; drift of the
 *       live traffic since the last run against the model's own predictions on the set (PSI of the
 *       predicted classes and of the confidence, 10 bins); McNemar's exact test against the
 *       previous run of the model on the same set (whatever version ran then): an alert when
 *       accuracy fell and p &lt; {@link #ALERT_P}.
 *   <li>On feedback: the accuracy of the labelled requests since the last feedback run, against the
 *       previous window by a one-sided two-proportion z-test: an alert when it fell and p &lt;
 *       {@link #ALERT_P}.
 * </ul>
 *
 * <p>Time comes from the clock given, so a test can move it; {@link #tick} runs what is due.
 */
public final class Reevaluation {
  public static final double ALERT_P = 0.01;

  /** The source of runs on feedback labels. */
  static final String FEEDBACK = "feedback";

  public static final Duration DEFAULT_INTERVAL = Duration.ofDays(14);
  static final int CONFIDENCE_BINS = 10;
  static final int LIVE_LIMIT = 200_000;
  static final int BATCH = 64;

  /** A deployed model version to re-evaluate. */
  public record Deployed(String model, int version, Classifier classifier) {}

  /** A labelled evaluation set: its name (for "the same set") and its images. */
  public record EvalSet(String name, Dataset data) {}

  private final EventStore store;
  private final EventWriter writer;
  private final LongSupplier clock;
  private final Duration interval;
  private final Optional<EvalSet> evalSet;
  private final Consumer<String> log;
  private final Map<String, float[][]> referenceCache = new LinkedHashMap<>();

  public Reevaluation(
      EventStore store,
      EventWriter writer,
      LongSupplier clock,
      Duration interval,
      Optional<EvalSet> evalSet,
      Consumer<String> log) {
    if (interval.isNegative() || interval.isZero())
      throw new ImgclassException("the re-evaluation interval must be positive, got " + interval);
    this.store = store;
    this.writer = writer;
    this.clock = clock;
    this.interval = interval;
    this.evalSet = evalSet;
    this.log = log;
  }

  public Duration interval() {
    return interval;
  }

  public Optional<EvalSet> evalSet() {
    return evalSet;
  }

  /** Runs every evaluation that is due (never run, or last run an interval ago or more). */
  public List<EvaluationRecord> tick(List<Deployed> deployed) {
    return run(deployed, true);
  }

  /**
   * Runs every evaluation of the given versions now, due or not (the admin API's on-demand run).
   */
  public List<EvaluationRecord> runNow(List<Deployed> deployed) {
    return run(deployed, false);
  }

  private synchronized List<EvaluationRecord> run(List<Deployed> deployed, boolean onlyDue) {
    long now = clock.getAsLong();
    List<EvaluationRecord> out = new ArrayList<>();
    for (Deployed d : deployed) {
      List<EvaluationRecord> history = store.evaluations(d.model());
      if (evalSet.isPresent() && (!onlyDue || due(history, d.version(), setSource(), now)))
        out.add(onEvalSet(d, history, now));
      if (!onlyDue || due(history, d.version(), FEEDBACK, now))
        onFeedback(d, history, now).ifPresent(out::add);
    }
    return out;
  }

  private String setSource() {
    return "eval-set:" + evalSet.orElseThrow().name();
  }

  private boolean due(List<EvaluationRecord> history, int version, String source, long now) {
    long last = lastRun(history, version, source);
    return last == Long.MIN_VALUE || now - last >= interval.toMillis();
  }

  /** The newest run on {@code source}, whatever version it evaluated. */
  private static EvaluationRecord latest(List<EvaluationRecord> history, String source) {
    EvaluationRecord latest = null;
    for (EvaluationRecord r : history)
      if (r.source().equals(source) && (latest == null || r.timeMillis() >= latest.timeMillis()))
        latest = r;
    return latest;
  }

  private EvaluationRecord onEvalSet(Deployed d, List<EvaluationRecord> history, long now) {
    EvalSet set = evalSet.orElseThrow();
    String source = setSource();
    Dataset data = set.data();
    List<String> classes = d.classifier().spec().classes();
    int[] labels = labelsFor(data, classes);
    float[][] probs = probabilities(d, data);
    EvalReport report = EvalReport.of(probs, labels, classes, 0);
    byte[] correct = new byte[labels.length];
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      if (EvalReport.argmax(probs[i]) == labels[i]) {
        correct[i] = 1;
        right++;
      }
    }
    double accuracy = labels.length == 0 ? Double.NaN : (double) right / labels.length;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("images", labels.length);
    result.put("accuracy", accuracy);
    result.put("balanced_accuracy", report.balancedAccuracy());
    Map<String, Double> recall = new LinkedHashMap<>();
    for (EvalReport.ClassStats c : report.perClass()) recall.put(c.name(), c.recall());
    result.put("per_class_recall", recall);
    result.put("ece", report.ece());
    // the previous run on the same set, whatever version it was
    EvaluationRecord previous = latest(history, source);
    boolean alert = false;
    if (previous != null && previous.correct().length == correct.length) {
      long onlyPrev = 0;
      long onlyNow = 0;
      for (int i = 0; i < correct.length; i++) {
        if (previous.correct()[i] == 1 && correct[i] == 0) onlyPrev++;
        if (previous.correct()[i] == 0 && correct[i] == 1) onlyNow++;
      }
      double p = Stats.mcnemarExactP(onlyPrev, onlyNow);
      alert = accuracy < previous.accuracy() && p < ALERT_P;
      Map<String, Object> vs = new LinkedHashMap<>();
      vs.put("previous_version", previous.version());
      vs.put("previous_time", Instant.ofEpochMilli(previous.timeMillis()).toString());
      vs.put("previous_accuracy", previous.accuracy());
      vs.put("change_pt", 100 * (accuracy - previous.accuracy()));
      vs.put("only_previous_right", onlyPrev);
      vs.put("only_now_right", onlyNow);
      vs.put("mcnemar_p", p);
      result.put("against_previous", vs);
    } else if (previous != null) {
      result.put("against_previous", "the evaluation set changed size; no paired test");
    }
    result.put(
        "drift", drift(d, probs, classes.size(), lastRun(history, d.version(), source), now));
    result.put("alert", alert);
    if (alert)
      result.put(
          "alert_reason",
          String.format(
              "accuracy on %s fell from %.2f %% (v%d) to %.2f %% (v%d), McNemar p < %.2g",
              set.name(),
              100 * previous.accuracy(),
              previous.version(),
              100 * accuracy,
              d.version(),
              ALERT_P));
    EvaluationRecord rec =
        new EvaluationRecord(
            d.model(),
            d.version(),
            now,
            source,
            labels.length,
            accuracy,
            Json.line(result),
            correct,
            alert);
    store.saveEvaluation(rec);
    log.accept(
        String.format(
            "re-evaluated %s v%d on %s: %.2f %% top-1 over %d images%s",
            d.model(),
            d.version(),
            set.name(),
            100 * accuracy,
            labels.length,
            alert ? " -- ALERT: significant drop" : ""));
    return rec;
  }

  private Optional<EvaluationRecord> onFeedback(
      Deployed d, List<EvaluationRecord> history, long now) {
    writer.flush();
    long since = lastRun(history, d.version(), FEEDBACK);
    List<Observation> recent =
        store.recentObservations(
            d.model(), d.version(), since == Long.MIN_VALUE ? 0 : since, LIVE_LIMIT);
    long n = 0;
    long right = 0;
    for (Observation o : recent) {
      if (o.label() == null || o.error()) continue;
      n++;
      if (o.label() == o.predicted()) right++;
    }
    if (n == 0) return Optional.empty();
    double accuracy = (double) right / n;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("labelled", n);
    result.put("accuracy", accuracy);
    Stats.Interval ci = Stats.wilson(right, n);
    result.put("accuracy_low", ci.low());
    result.put("accuracy_high", ci.high());
    EvaluationRecord previous = latest(history, FEEDBACK);
    boolean alert = false;
    if (previous != null && previous.n() > 0) {
      double p = dropP(previous.accuracy(), previous.n(), accuracy, n);
      alert = accuracy < previous.accuracy() && p < ALERT_P;
      result.put(
          "against_previous",
          Map.of(
              "previous_version", previous.version(),
              "previous_accuracy", previous.accuracy(),
              "previous_labelled", previous.n(),
              "change_pt", 100 * (accuracy - previous.accuracy()),
              "two_proportion_p", p));
    }
    result.put("alert", alert);
    if (alert)
      result.put(
          "alert_reason",
          String.format(
              "feedback accuracy fell from %.2f %% to %.2f %% (one-sided p < %.2g)",
              100 * previous.accuracy(), 100 * accuracy, ALERT_P));
    EvaluationRecord rec =
        new EvaluationRecord(
            d.model(),
            d.version(),
            now,
            FEEDBACK,
            (int) n,
            accuracy,
            Json.line(result),
            new byte[0],
            alert);
    store.saveEvaluation(rec);
    return Optional.of(rec);
  }

  /** One-sided p-value of "the second proportion is lower" (pooled two-proportion z-test). */
  static double dropP(double p1, long n1, double p2, long n2) {
    double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    if (se == 0) return p2 < p1 ? 0 : 1;
    double z = (p1 - p2) / se;
    return 1 - Distributions.normalCdf(z);
  }

  private static long lastRun(List<EvaluationRecord> history, int version, String source) {
    long last = Long.MIN_VALUE;
    for (EvaluationRecord r : history)
      if (r.version() == version && r.source().equals(source))
        last = Math.max(last, r.timeMillis());
    return last;
  }

  private Map<String, Object> drift(Deployed d, float[][] reference, int k, long since, long now) {
    writer.flush();
    List<Observation> live =
        store.recentObservations(
            d.model(), d.version(), since == Long.MIN_VALUE ? 0 : since, LIVE_LIMIT);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("live_requests", live.size());
    if (live.isEmpty()) return m;
    double[] refClass = new double[k];
    float[] refConf = new float[reference.length];
    for (int i = 0; i < reference.length; i++) {
      int c = EvalReport.argmax(reference[i]);
      refClass[c]++;
      refConf[i] = reference[i][c];
    }
    double[] liveClass = new double[k];
    List<Float> conf = new ArrayList<>();
    for (Observation o : live) {
      if (o.error() || o.predicted() < 0 || o.predicted() >= k) continue;
      liveClass[o.predicted()]++;
      conf.add(Math.max(0f, Math.min(1f, o.confidence())));
    }
    float[] liveConf = new float[conf.size()];
    for (int i = 0; i < liveConf.length; i++) liveConf[i] = conf.get(i);
    if (liveConf.length == 0) return m;
    m.put("psi_predicted_class", Psi.of(refClass, liveClass));
    m.put(
        "psi_confidence",
        Psi.of(
            Psi.histogram01(refConf, CONFIDENCE_BINS), Psi.histogram01(liveConf, CONFIDENCE_BINS)));
    m.put("reference", "the model's predictions on the evaluation set");
    return m;
  }

  private float[][] probabilities(Deployed d, Dataset data) {
    String key = d.model() + "/" + d.version() + "/" + data.fingerprint();
    float[][] cached = referenceCache.get(key);
    if (cached != null) return cached;
    float[][] out = new float[data.size()][];
    for (int from = 0; from < data.size(); from += BATCH) {
      int to = Math.min(data.size(), from + BATCH);
      List<ImageU8> images = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) images.add(data.image(i));
      float[][] p = d.classifier().probabilities(images);
      System.arraycopy(p, 0, out, from, p.length);
    }
    if (referenceCache.size() > 8) referenceCache.clear();
    referenceCache.put(key, out);
    return out;
  }

  /** The set's labels as the model's class indices: the class names must be the model's. */
  static int[] labelsFor(Dataset data, List<String> modelClasses) {
    List<String> dataClasses = data.classes();
    int[] map = new int[dataClasses.size()];
    for (int c = 0; c < dataClasses.size(); c++) {
      map[c] = modelClasses.indexOf(dataClasses.get(c));
      if (map[c] < 0)
        throw new ImgclassException(
            "the evaluation set's class '"
                + dataClasses.get(c)
                + "' is not a class of the model "
                + modelClasses);
    }
    int[] labels = new int[data.size()];
    for (int i = 0; i < labels.length; i++) labels[i] = map[data.label(i)];
    return labels;
  }
}
