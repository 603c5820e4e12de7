package dev.imgclass.experiments;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The experiments of one server: their configurations and states (kept in the {@link EventStore},
 * so they survive a restart), which arm serves each request, the live numbers the guardrails read,
 * and the analysis. Free of HTTP: the server asks {@link #route} before it runs a request and calls
 * {@link #served} after.
 *
 * <p>At most one experiment runs on a model at a time. Changing a running experiment's arms,
 * weights, salt or coverage starts a new analysis period; units the change moved to another arm are
 * left out of the new period's analysis.
 */
public final class Experiments {
  public static final String RUNNING = "running";
  public static final String STOPPED = "stopped";
  public static final String ROLLED_BACK = "rolled_back";

  /** What the store holds: the classes of a model version, or empty when it has no such version. */
  public interface Catalog {
    Optional<List<String>> classes(String model, int version);
  }

  /** One experiment in memory: its config and stored record, and live numbers per arm. */
  private static final class Live {
    final ExperimentConfig config;
    final ExperimentRecord record;
    final Map<String, ArmLive> arms = new ConcurrentHashMap<>();
    final List<String> names;
    final double[] weights;
    final long start;
    final long stop;

    Live(ExperimentConfig config, ExperimentRecord record) {
      this.config = config;
      this.record = record;
      this.names = config.armNames();
      this.weights = config.weights();
      this.start = config.startInstant().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
      this.stop = config.stopInstant().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
      for (String n : names) arms.put(n, new ArmLive());
    }
  }

  private final EventStore store;
  private final EventWriter writer;
  private final Catalog catalog;
  private final LongSupplier clock;
  private final Consumer<String> log;
  private final ConcurrentHashMap<String, Live> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Live> runningByModel = new ConcurrentHashMap<>();
  private final Object changes = new Object();

  public Experiments(
      EventStore store,
      EventWriter writer,
      Catalog catalog,
      LongSupplier clock,
      Consumer<String> log) {
    this.store = store;
    this.writer = writer;
    this.catalog = catalog;
    this.clock = clock;
    this.log = log;
    for (ExperimentRecord r : store.experiments()) {
      ExperimentConfig cfg;
      try {
        cfg = ExperimentConfig.parse(r.configJson());
      } catch (ImgclassException e) {
        log.accept("experiment " + r.id() + " not resumed: " + e.getMessage());
        continue;
      }
      Live live = new Live(cfg, r);
      rebuildLive(live);
      byId.put(r.id(), live);
      if (!r.state().equals(STOPPED)) runningByModel.put(cfg.model(), live);
      if (r.state().equals(RUNNING))
        log.accept("resumed experiment " + r.id() + " (period " + r.period() + ")");
    }
  }

  /**
   * Registers every {@code *.json} of a folder ({@code STORE/_experiments}): new ones start,
   * changed ones are updated as through {@link #put}, unchanged ones keep their state. A file that
   * fails is reported and skipped.
   */
  public int loadDirectory(Path dir) {
    if (!Files.isDirectory(dir)) return 0;
    int n = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          String json = Files.readString(f, StandardCharsets.UTF_8);
          ExperimentConfig cfg = ExperimentConfig.parse(json);
          Live now = byId.get(cfg.id());
          if (now != null && now.config.equals(cfg)) continue;
          put(cfg);
          n++;
        } catch (ImgclassException | IOException e) {
          log.accept("experiment file " + f.getFileName() + " skipped: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      log.accept("cannot read " + dir + ": " + e.getMessage());
    }
    return n;
  }

  /** Creates or updates an experiment from its JSON; see {@link #put(ExperimentConfig)}. */
  public ExperimentRecord put(String json) {
    return put(ExperimentConfig.parse(json));
  }

  /**
   * Creates an experiment (running), or updates one: a new split (arms, weights, salt, coverage,
   * control) starts a new period; other changes (guardrails, alpha, ...) keep the period. A stopped
   * or rolled-back experiment that is put again runs again, in a new period. Refused: arms whose
   * model version is not in the store or whose classes differ from the control's, and a second
   * running experiment on the same model.
   */
  public ExperimentRecord put(ExperimentConfig cfg) {
    List<String> classes = checkArms(cfg);
    synchronized (changes) {
      Live other = runningByModel.get(cfg.model());
      if (other != null
          && !other.config.id().equals(cfg.id())
          && other.record.state().equals(RUNNING))
        throw new ExperimentConflictException(
            "model "
                + cfg.model()
                + " already runs experiment "
                + other.config.id()
                + "; stop it first");
      long now = clock.getAsLong();
      Live old = byId.get(cfg.id());
      ExperimentRecord rec;
      if (old == null) {
        rec = new ExperimentRecord(cfg.id(), cfg.toJson(), RUNNING, 1, now, now, null);
        event(cfg.id(), now, "created", summary(cfg));
      } else {
        if (!old.config.model().equals(cfg.model()))
          throw new ImgclassException(
              "experiment "
                  + cfg.id()
                  + " is on model "
                  + old.config.model()
                  + "; its model cannot change");
        boolean newPeriod = old.config.splitDiffers(cfg) || !old.record.state().equals(RUNNING);
        int period = newPeriod ? old.record.period() + 1 : old.record.period();
        rec =
            new ExperimentRecord(
                cfg.id(),
                cfg.toJson(),
                RUNNING,
                period,
                newPeriod ? now : old.record.periodStartMillis(),
                now,
                null);
        event(
            cfg.id(),
            now,
            newPeriod ? "period" : "updated",
            newPeriod ? "period " + period + " starts: " + summary(cfg) : summary(cfg));
      }
      store.saveExperiment(rec);
      Live live = new Live(cfg, rec);
      if (old != null && rec.period() == old.record.period()) live.arms.putAll(old.arms);
      byId.put(cfg.id(), live);
      runningByModel.put(cfg.model(), live);
      log.accept(
          "experiment "
              + cfg.id()
              + " running on "
              + cfg.model()
              + " ("
              + classes.size()
              + " classes), period "
              + rec.period());
      return rec;
    }
  }

  private List<String> checkArms(ExperimentConfig cfg) {
    ExperimentConfig.Arm control = cfg.controlArm();
    List<String> classes =
        catalog
            .classes(cfg.modelOf(control), control.version())
            .orElseThrow(
                () ->
                    new ImgclassException(
                        "control arm "
                            + control.name()
                            + ": model "
                            + cfg.modelOf(control)
                            + " has no version "
                            + control.version()
                            + " in the store"));
    List<ExperimentConfig.Arm> all = new ArrayList<>(cfg.arms());
    if (cfg.shadow() != null) all.add(cfg.shadow());
    for (ExperimentConfig.Arm a : all) {
      List<String> c =
          catalog
              .classes(cfg.modelOf(a), a.version())
              .orElseThrow(
                  () ->
                      new ImgclassException(
                          "arm "
                              + a.name()
                              + ": model "
                              + cfg.modelOf(a)
                              + " has no version "
                              + a.version()
                              + " in the store"));
      if (!c.equals(classes))
        throw new ImgclassException(
            "arm "
                + a.name()
                + " ("
                + cfg.modelOf(a)
                + " v"
                + a.version()
                + ") has other classes than the control: "
                + c
                + " vs "
                + classes);
    }
    return classes;
  }

  /** Stops splitting traffic: requests go to the model's default version again. */
  public ExperimentRecord stop(String id, String reason) {
    return setState(id, STOPPED, reason == null ? "stopped by the admin API" : reason, "stopped");
  }

  private ExperimentRecord setState(String id, String state, String reason, String kind) {
    synchronized (changes) {
      Live live = byId.get(id);
      if (live == null) throw new ImgclassException("no experiment '" + id + "'");
      long now = clock.getAsLong();
      ExperimentRecord r = live.record;
      ExperimentRecord next =
          new ExperimentRecord(
              id, r.configJson(), state, r.period(), r.periodStartMillis(), now, reason);
      store.saveExperiment(next);
      event(id, now, kind, reason);
      Live replaced = new Live(live.config, next);
      replaced.arms.putAll(live.arms);
      byId.put(id, replaced);
      if (state.equals(STOPPED)) runningByModel.remove(live.config.model(), live);
      else runningByModel.put(live.config.model(), replaced);
      log.accept("experiment " + id + " " + state + ": " + reason);
      return next;
    }
  }

  /**
   * Where a request to {@code model}'s default version goes. Empty: no experiment applies (serve
   * the default version, count nothing). A request without a unit id, or outside the coverage, or
   * after a rollback, goes to the control and is not counted.
   */
  public Optional<Route> route(String model, String unit) {
    Live live = runningByModel.get(model);
    if (live == null) return Optional.empty();
    ExperimentConfig cfg = live.config;
    ExperimentRecord rec = live.record;
    ExperimentConfig.Arm control = cfg.controlArm();
    if (rec.state().equals(ROLLED_BACK)) return Optional.of(uncounted(live, control, unit));
    long now = clock.getAsLong();
    if (now < live.start || now >= live.stop) return Optional.empty();
    if (unit == null || unit.isEmpty() || !Assignment.covered(cfg.salt(), unit, cfg.coverage()))
      return Optional.of(uncounted(live, control, unit));
    int i = Assignment.choose(cfg.salt(), unit, live.names, live.weights);
    ExperimentConfig.Arm arm = cfg.arms().get(i);
    return Optional.of(
        new Route(
            cfg.id(),
            rec.period(),
            arm.name(),
            cfg.modelOf(arm),
            arm.version(),
            unit,
            true,
            cfg.shadow()));
  }

  private static Route uncounted(Live live, ExperimentConfig.Arm control, String unit) {
    return new Route(
        live.config.id(),
        live.record.period(),
        control.name(),
        live.config.modelOf(control),
        control.version(),
        unit,
        false,
        null);
  }

  /** Where the unit id of requests to {@code model} comes from, when an experiment runs on it. */
  public Optional<ExperimentConfig.Unit> unitSource(String model) {
    Live live = runningByModel.get(model);
    return live == null ? Optional.empty() : Optional.of(live.config.unit());
  }

  /** Records a counted request's latency and outcome for the guardrails. */
  public void served(Route route, long latencyMicros, boolean error) {
    if (!route.counted()) return;
    Live live = byId.get(route.experiment());
    if (live == null || live.record.period() != route.period()) return;
    ArmLive a = live.arms.get(route.arm());
    if (a != null) a.record(latencyMicros, error);
  }

  /**
   * Checks every running experiment's guardrails; a breach stops it, sends all its traffic to the
   * control and records a {@code rollback} event with the reason. Returns the ids rolled back.
   */
  public List<String> checkGuardrails() {
    List<String> rolled = new ArrayList<>();
    for (Live live : byId.values()) {
      if (!live.record.state().equals(RUNNING)) continue;
      for (Guardrail g : Guardrail.check(live.config, live.arms)) {
        if (!g.breached()) continue;
        setState(live.config.id(), ROLLED_BACK, g.describe(), "rollback");
        rolled.add(live.config.id());
        break;
      }
    }
    return rolled;
  }

  /** The experiment's state and analysis; everything served before the call is included. */
  public ExperimentReport report(String id) {
    Live live = byId.get(id);
    if (live == null) throw new ImgclassException("no experiment '" + id + "'");
    writer.flush();
    ExperimentRecord rec = live.record;
    List<Observation> obs = store.observations(id, rec.period());
    List<Observation> shadow =
        live.config.shadow() == null ? List.of() : store.shadowObservations(id, rec.period());
    ExperimentConfig.Arm control = live.config.controlArm();
    List<String> classes =
        catalog.classes(live.config.modelOf(control), control.version()).orElse(List.of());
    return Analysis.run(
        new Analysis.Input(
            live.config,
            state(live),
            rec.period(),
            rec.periodStartMillis(),
            obs,
            new HashSet<>(store.rebucketedUnits(id, rec.period())),
            shadow,
            Guardrail.check(live.config, live.arms),
            store.events(id),
            classes,
            rec.reason()));
  }

  private String state(Live live) {
    String s = live.record.state();
    if (!s.equals(RUNNING)) return s;
    long now = clock.getAsLong();
    if (now < live.start) return "scheduled";
    if (now >= live.stop) return "ended";
    return s;
  }

  /** Every experiment: id → stored record, sorted by id. */
  public Map<String, ExperimentRecord> list() {
    Map<String, ExperimentRecord> m = new TreeMap<>();
    for (Live l : byId.values()) m.put(l.config.id(), l.record);
    return m;
  }

  public Optional<ExperimentConfig> config(String id) {
    return Optional.ofNullable(byId.get(id)).map(l -> l.config);
  }

  /** The state as reported (running, stopped, rolled_back, scheduled, ended). */
  public Optional<String> stateOf(String id) {
    return Optional.ofNullable(byId.get(id)).map(this::state);
  }

  /** Model versions the running experiments need loaded: model → versions. */
  public Map<String, List<Integer>> versionsNeeded() {
    Map<String, List<Integer>> m = new LinkedHashMap<>();
    for (Live l : runningByModel.values()) {
      List<ExperimentConfig.Arm> arms = new ArrayList<>(l.config.arms());
      if (l.config.shadow() != null) arms.add(l.config.shadow());
      for (ExperimentConfig.Arm a : arms)
        m.computeIfAbsent(l.config.modelOf(a), k -> new ArrayList<>()).add(a.version());
    }
    return m;
  }

  private void rebuildLive(Live live) {
    if (!live.record.state().equals(RUNNING)) return;
    for (Observation o : store.observations(live.config.id(), live.record.period())) {
      ArmLive a = live.arms.get(o.arm());
      if (a != null) a.record(o.latencyMicros(), o.error());
    }
  }

  private void event(String id, long now, String kind, String detail) {
    store.appendEvent(new ExperimentEvent(id, now, kind, detail));
  }

  private static String summary(ExperimentConfig cfg) {
    StringBuilder b = new StringBuilder();
    for (ExperimentConfig.Arm a : cfg.arms()) {
      if (b.length() > 0) b.append(", ");
      b.append(a.name()).append('=').append(cfg.modelOf(a)).append(" v").append(a.version());
      b.append(" weight ").append(a.weight());
    }
    if (cfg.coverage() < 1) b.append(", coverage ").append(cfg.coverage());
    return b.toString();
  }
}
