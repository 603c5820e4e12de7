package dev.imgclass.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.experiments.EvaluationRecord;
import dev.imgclass.experiments.EventStore;
import dev.imgclass.experiments.EventWriter;
import dev.imgclass.experiments.ExperimentConfig;
import dev.imgclass.experiments.Experiments;
import dev.imgclass.experiments.Exposure;
import dev.imgclass.experiments.Reevaluation;
import dev.imgclass.experiments.Route;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The server's side of experiments and monitoring: the events store and its writer, the {@link
 * Experiments} (routes, guardrails, analysis), the periodic {@link Reevaluation}, and the two
 * timers that drive them. Handlers ask it where a request goes and tell it what was served.
 */
final class ServeExperiments implements AutoCloseable {
  static final String EXPERIMENTS_DIR = "_experiments";
  static final String EVENTS_DIR = "_events";
  static final int WRITER_BATCH = 1000;
  static final int WRITER_CAPACITY = 200_000;

  final EventStore store;
  final EventWriter writer;
  final Experiments experiments;
  final Reevaluation reevaluation;
  final String eventsLocation;
  private final Models models;
  private final Consumer<String> log;
  private final ScheduledExecutorService timer;

  /** Latest alert per model: the newest evaluation's, for the metrics and the dashboard. */
  private final Map<String, EvaluationRecord> latest = new ConcurrentHashMap<>();

  /** {@code --events none}: no events store, so no experiments, feedback or re-evaluation. */
  static final String OFF = "none";

  /** False with {@code --events none}: then only {@link #rate} works and the rest is null. */
  final boolean enabled;

  ServeExperiments(Models models, ServeOptions o, LongSupplier clock, Consumer<String> log) {
    this.models = models;
    this.log = log;
    Path root = models.store().root();
    eventsLocation = o.events().orElse(root.resolve(EVENTS_DIR).resolve("events.db").toString());
    enabled = !eventsLocation.equals(OFF);
    if (!enabled) {
      if (o.evalData().isPresent())
        throw new ImgclassException(
            "--eval-data needs the events store, where the evaluation history is kept: drop --events none");
      store = null;
      writer = null;
      experiments = null;
      reevaluation = null;
      timer = null;
      log.accept("events: off (--events none): no experiments, feedback or re-evaluation");
      return;
    }
    store = EventStore.open(eventsLocation);
    try {
      writer = new EventWriter(store, o.eventsFlushMillis(), WRITER_BATCH, WRITER_CAPACITY);
      experiments = new Experiments(store, writer, this::classes, clock, log);
      experiments.loadDirectory(root.resolve(EXPERIMENTS_DIR));
      loadArms();
      reevaluation = new Reevaluation(store, writer, clock, o.evalEvery(), evalSet(o), log);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    timer =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "imgclass-monitor");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::guardrails, o.guardrailMillis(), o.guardrailMillis(), TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(
        this::evaluateDue,
        Math.min(o.evalTickMillis(), 5_000),
        o.evalTickMillis(),
        TimeUnit.MILLISECONDS);
    log.accept("events: " + eventsLocation + " (flushed every " + o.eventsFlushMillis() + " ms)");
  }

  private Optional<List<String>> classes(String model, int version) {
    try {
      if (!models.store().versions(model).contains(version)) return Optional.empty();
      return Optional.of(models.store().manifest(model, version).classes());
    } catch (ImgclassException e) {
      return Optional.empty();
    }
  }

  private Optional<Reevaluation.EvalSet> evalSet(ServeOptions o) {
    if (o.evalData().isEmpty()) return Optional.empty();
    String spec = o.evalData().get();
    // the first served model's input size; each model's own preprocessing then resizes
    int channels = 3;
    int size = 64;
    for (Models.Served s : models.snapshot().values()) {
      var spec0 = s.versions().get(s.defaultVersion()).classifier().spec();
      channels = spec0.inChannels();
      size = spec0.inputSize();
      break;
    }
    DataSplits splits = DataSources.open(spec, new DataSources.Load(channels, size, o.maxPixels()));
    Dataset d = splits.test().orElse(splits.train());
    log.accept(
        "re-evaluation set: " + spec + " (" + d.size() + " images), every " + human(o.evalEvery()));
    return Optional.of(new Reevaluation.EvalSet(spec, d));
  }

  /** 14d, 12h, 30m or 90s, as {@code --eval-every} takes it. */
  static String human(java.time.Duration d) {
    long s = d.getSeconds();
    if (s % 86_400 == 0) return s / 86_400 + "d";
    if (s % 3_600 == 0) return s / 3_600 + "h";
    if (s % 60 == 0) return s / 60 + "m";
    return s + "s";
  }

  /** Loads every version a running experiment needs, beside the defaults. */
  void loadArms() {
    if (!enabled) return;
    for (Map.Entry<String, List<Integer>> e : experiments.versionsNeeded().entrySet())
      for (int v : e.getValue()) models.ensureLoaded(e.getKey(), v);
  }

  private void guardrails() {
    try {
      experiments.checkGuardrails();
    } catch (RuntimeException e) {
      log.accept("guardrail check failed: " + e);
    }
  }

  private void evaluateDue() {
    try {
      record(reevaluation.tick(deployed()));
    } catch (RuntimeException e) {
      log.accept("re-evaluation failed: " + e.getMessage());
    }
  }

  /** The on-demand run of the admin API. */
  List<EvaluationRecord> evaluateNow(Optional<String> model) {
    if (!enabled) throw off();
    List<Reevaluation.Deployed> d = deployed();
    if (model.isPresent()) d.removeIf(x -> !x.model().equals(model.get()));
    List<EvaluationRecord> out = reevaluation.runNow(d);
    record(out);
    return out;
  }

  private void record(List<EvaluationRecord> runs) {
    for (EvaluationRecord r : runs) latest.put(r.model() + "\u0000" + r.source(), r);
  }

  /** Whether the newest evaluation of each (model, source) raised an alert: model → alert. */
  Map<String, Boolean> alerts() {
    Map<String, Boolean> m = new java.util.TreeMap<>();
    for (EvaluationRecord r : latest.values()) m.merge(r.model(), r.alert(), Boolean::logicalOr);
    return m;
  }

  /** Each served model's default version (the one re-evaluated). */
  private List<Reevaluation.Deployed> deployed() {
    List<Reevaluation.Deployed> out = new ArrayList<>();
    for (Map.Entry<String, Models.Served> e : models.snapshot().entrySet()) {
      LoadedVersion lv = e.getValue().versions().get(e.getValue().defaultVersion());
      if (lv != null) out.add(new Reevaluation.Deployed(e.getKey(), lv.version(), lv.classifier()));
    }
    return out;
  }

  /**
   * The unit id of a request to {@code model}: the configured header, or a JSON field of the body
   * (top level, or inside {@code parameters} for the Open Inference Protocol); null when absent.
   */
  String unit(Context ctx, String model, byte[] body) {
    if (!enabled) return null;
    Optional<ExperimentConfig.Unit> src = experiments.unitSource(model);
    if (src.isEmpty()) return null;
    ExperimentConfig.Unit u = src.get();
    String v = u.header() != null ? ctx.header(u.header()) : field(body, u.field()).orElse(null);
    if (v == null || v.isEmpty()) return null;
    if (v.length() > 256) throw HttpError.badRequest("the unit id is longer than 256 characters");
    return v;
  }

  /**
   * A top-level (or top-level {@code parameters}) string or number field, read with a streaming
   * scan that skips everything else. A body that is not a JSON object has none: the handler's own
   * parse answers it with a 400.
   */
  static Optional<String> field(byte[] body, String name) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
      return p.nextToken() == JsonToken.START_OBJECT ? scan(p, name, true) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> scan(JsonParser p, String name, boolean top) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken t = p.nextToken();
      if (f.equals(name) && (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT))
        return Optional.of(p.getText());
      if (top && f.equals("parameters") && t == JsonToken.START_OBJECT) {
        Optional<String> inner = scan(p, name, false);
        if (inner.isPresent()) return inner;
      } else p.skipChildren();
    }
    return Optional.empty();
  }

  /** The version a request runs on, and the experiment's route when one applies. */
  record Acquired(LoadedVersion version, Optional<Route> route) {}

  /**
   * Acquires the arm's version when the request is routed, else the named or default one. An arm
   * whose version is not loaded (unloaded by hand) falls back to the default, uncounted: the
   * sample-ratio test then shows the gap. Sets the {@code X-Experiment} and {@code
   * X-Experiment-Arm} response headers for counted requests.
   */
  Acquired acquire(Context ctx, String name, Optional<Integer> version, Optional<Route> route) {
    if (route.isPresent()) {
      Route r = route.get();
      try {
        LoadedVersion lv = models.acquire(r.model(), Optional.of(r.version()));
        if (r.counted()) {
          ctx.header("X-Experiment", r.experiment());
          ctx.header("X-Experiment-Arm", r.arm());
        }
        return new Acquired(lv, route);
      } catch (HttpError e) {
        if (e.status != 404) throw e;
      }
    }
    return new Acquired(models.acquire(name, version), Optional.empty());
  }

  /**
   * Sends a copy of a counted request to the experiment's shadow arm; its answer is logged as a
   * shadow exposure and never returned. Best effort: a shadow that is not loaded or is full is
   * skipped.
   */
  void mirror(String requestId, Route r, String unit, float[] input, int n) {
    if (!enabled || !r.counted() || r.shadow() == null) return;
    Optional<ExperimentConfig> cfg = experiments.config(r.experiment());
    if (cfg.isEmpty()) return;
    LoadedVersion lv;
    try {
      lv = models.acquire(cfg.get().modelOf(r.shadow()), Optional.of(r.shadow().version()));
    } catch (HttpError e) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      lv.batcher()
          .submit(input, n, t0 + lv.config().timeoutMs() * 1_000_000L)
          .whenComplete(
              (logits, err) -> {
                lv.release();
                if (err == null)
                  served(
                      requestId,
                      Optional.of(r),
                      lv.name(),
                      lv.version(),
                      unit,
                      logits,
                      (System.nanoTime() - t0) / 1000,
                      true);
              });
    } catch (RuntimeException e) {
      lv.release();
    }
  }

  /** Route for a request without a named version; empty when no experiment applies. */
  Optional<Route> route(String model, String unit) {
    return enabled ? experiments.route(model, unit) : Optional.empty();
  }

  /**
   * Records what one request served: one exposure per image (ids {@code REQUEST_ID} for one image,
   * {@code REQUEST_ID.I} for several), the arm's live numbers, and the shadow's copy when there is
   * one.
   */
  void served(
      String requestId,
      Optional<Route> route,
      String model,
      int version,
      String unit,
      float[][] logits,
      long latencyMicros,
      boolean shadow) {
    long now = System.currentTimeMillis();
    if (!enabled) {
      count(model, now);
      return;
    }
    Route r = route.orElse(null);
    for (int i = 0; i < logits.length; i++) {
      String id = logits.length == 1 ? requestId : requestId + "." + i;
      writer.offer(
          Exposure.answered(id, r, shadow, unit, model, version, logits[i], latencyMicros, now));
    }
    if (!shadow) count(model, now);
    if (!shadow && r != null) experiments.served(r, latencyMicros, false);
  }

  static final String SHADOW_SUFFIX = Exposure.SHADOW_SUFFIX;

  /** Requests per model in one-second slots over the last minute, for the dashboard. */
  private final Map<String, long[][]> rates = new ConcurrentHashMap<>();

  private void count(String model, long nowMillis) {
    long sec = nowMillis / 1000;
    long[][] slots = rates.computeIfAbsent(model, m -> new long[60][2]);
    long[] s = slots[(int) (sec % 60)];
    synchronized (s) {
      if (s[0] != sec) {
        s[0] = sec;
        s[1] = 0;
      }
      s[1]++;
    }
  }

  /** Requests per second to {@code model} over the last full minute. */
  double rate(String model) {
    long[][] slots = rates.get(model);
    if (slots == null) return 0;
    long now = System.currentTimeMillis() / 1000;
    long sum = 0;
    for (long[] s : slots)
      synchronized (s) {
        if (s[0] < now && s[0] >= now - 60) sum += s[1];
      }
    return sum / 60.0;
  }

  /** A request inside an experiment that failed: an error exposure, counted by the guardrails. */
  void failed(String requestId, Route r, String unit, long latencyMicros) {
    if (!enabled || !r.counted()) return;
    writer.offer(Exposure.failed(requestId, r, unit, latencyMicros, System.currentTimeMillis()));
    experiments.served(r, latencyMicros, true);
  }

  /** The 404 of every experiment, feedback and evaluation endpoint under {@code --events none}. */
  static HttpError off() {
    return HttpError.notFound(
        "experiments, feedback and evaluations are off: the server runs with --events none");
  }

  @Override
  public void close() {
    if (!enabled) return;
    timer.shutdownNow();
    try {
      writer.close();
    } finally {
      store.close();
    }
  }
}
