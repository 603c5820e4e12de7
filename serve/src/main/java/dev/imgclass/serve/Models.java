package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The models the server is serving, each with its loaded versions and a default version. Changes
 * (load, unload, set default) are serialised per model; requests never wait for them: a new version
 * is loaded and warmed beside the old, then swapped in with one write, and the old one drains
 * before it closes.
 */
final class Models implements AutoCloseable {
  /** What one model serves: immutable, replaced whole on every change. */
  record Served(Map<Integer, LoadedVersion> versions, int defaultVersion) {}

  private final ModelStore store;
  private final ServeOptions options;
  private final long drainMillis;
  private final ServeMetrics metrics;
  private final Consumer<String> log;
  private final ConcurrentHashMap<String, Served> served = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
  private volatile boolean draining;

  Models(ModelStore store, ServeOptions options, ServeMetrics metrics, Consumer<String> log) {
    this.store = store;
    this.options = options;
    this.drainMillis = options.drainMillis();
    this.metrics = metrics;
    this.log = log;
  }

  ModelStore store() {
    return store;
  }

  /** Loads every model of the store by its version policy; a model that fails is reported. */
  int loadAll() {
    int ok = 0;
    for (String name : store.names()) {
      if (store.versions(name).isEmpty()) continue;
      try {
        LoadedVersion v = load(name, Optional.empty(), false);
        log.accept("serving " + v + " (" + v.manifest().architecture() + ")");
        ok++;
      } catch (ImgclassException e) {
        log.accept("not serving " + name + ": " + e.getMessage());
      }
    }
    return ok;
  }

  /**
   * Loads a version (the policy's when none is given), warms it, and makes it the default; unless
   * {@code keepPrevious}, the previous default then drains and closes. A version that fails to load
   * or to warm up changes nothing: the old one keeps serving and the error says why.
   */
  LoadedVersion load(String name, Optional<Integer> version, boolean keepPrevious) {
    ModelStore.checkName(name);
    synchronized (lock(name)) {
      int v = version.orElseGet(() -> policyVersion(name));
      Served now = served.get(name);
      if (now != null && now.versions().containsKey(v)) {
        setDefault(name, v);
        return now.versions().get(v);
      }
      LoadedVersion fresh = LoadedVersion.load(store, name, v, options, metrics);
      Map<Integer, LoadedVersion> next = new TreeMap<>();
      LoadedVersion old = null;
      if (now != null) {
        next.putAll(now.versions());
        if (!keepPrevious) old = next.remove(now.defaultVersion());
      }
      next.put(v, fresh);
      served.put(name, new Served(Map.copyOf(next), v));
      if (old != null) retire(old);
      return fresh;
    }
  }

  /**
   * Loads and warms a version beside the others without changing the default (an experiment's arm);
   * nothing happens when it is loaded already.
   */
  LoadedVersion ensureLoaded(String name, int v) {
    ModelStore.checkName(name);
    synchronized (lock(name)) {
      Served now = served.get(name);
      if (now != null && now.versions().containsKey(v)) return now.versions().get(v);
      LoadedVersion fresh = LoadedVersion.load(store, name, v, options, metrics);
      Map<Integer, LoadedVersion> next = new TreeMap<>();
      if (now != null) next.putAll(now.versions());
      next.put(v, fresh);
      served.put(name, new Served(Map.copyOf(next), now == null ? v : now.defaultVersion()));
      log.accept("loaded " + fresh + " beside the default (an experiment's arm)");
      return fresh;
    }
  }

  private int policyVersion(String name) {
    Optional<Integer> pinned = store.config(name).pinnedVersion();
    if (pinned.isPresent()) return pinned.get();
    return store
        .latest(name)
        .orElseThrow(() -> new ImgclassException("model " + name + " has no version in the store"));
  }

  /** Makes a loaded version the default. */
  void setDefault(String name, int version) {
    synchronized (lock(name)) {
      Served now = served.get(name);
      if (now == null || !now.versions().containsKey(version))
        throw HttpError.notFound(name + " version " + version + " is not loaded");
      served.put(name, new Served(now.versions(), version));
    }
  }

  /** Unloads one version (or, with none given, the whole model) after draining it. */
  void unload(String name, Optional<Integer> version) {
    synchronized (lock(name)) {
      Served now = served.get(name);
      if (now == null) throw HttpError.notFound("model " + name + " is not loaded");
      List<LoadedVersion> gone = new ArrayList<>();
      if (version.isEmpty()
          || now.versions().size() == 1 && now.versions().containsKey(version.get())) {
        served.remove(name);
        gone.addAll(now.versions().values());
      } else {
        int v = version.get();
        if (!now.versions().containsKey(v))
          throw HttpError.notFound(name + " version " + v + " is not loaded");
        Map<Integer, LoadedVersion> next = new TreeMap<>(now.versions());
        gone.add(next.remove(v));
        int def =
            now.defaultVersion() == v
                ? ((TreeMap<Integer, ?>) next).lastKey()
                : now.defaultVersion();
        served.put(name, new Served(Map.copyOf(next), def));
      }
      gone.forEach(this::retire);
    }
  }

  private void retire(LoadedVersion v) {
    int left = v.retire(drainMillis);
    log.accept(
        "unloaded "
            + v
            + (left == 0 ? " after draining" : " with " + left + " requests still in flight"));
  }

  /**
   * The version a request goes to, acquired: the default unless one is named. The caller must
   * {@link LoadedVersion#release} it.
   */
  LoadedVersion acquire(String name, Optional<Integer> version) {
    if (draining) throw HttpError.unavailable("the server is shutting down");
    for (int attempt = 0; attempt < 1000; attempt++) {
      Served s = served.get(name);
      if (s == null)
        throw HttpError.notFound("unknown model '" + ModelStore.abbreviate(name) + "'");
      int v = version.orElse(s.defaultVersion());
      LoadedVersion lv = s.versions().get(v);
      if (lv == null)
        throw HttpError.notFound("model '" + name + "' has no version " + v + " loaded");
      if (lv.acquire()) return lv;
      Thread.onSpinWait(); // retired between the lookup and the acquire: a swap is in progress
    }
    throw HttpError.unavailable("model '" + name + "' is being swapped; retry");
  }

  /** From now on requests are refused (503); those already in flight finish. */
  void drain() {
    draining = true;
  }

  Optional<Served> get(String name) {
    return Optional.ofNullable(served.get(name));
  }

  /** Every loaded version, for the metrics. */
  List<LoadedVersion> loaded() {
    List<LoadedVersion> all = new ArrayList<>();
    for (Served s : served.values()) all.addAll(s.versions().values());
    return all;
  }

  /** Model name → what it serves, sorted by name. */
  Map<String, Served> snapshot() {
    return new TreeMap<>(served);
  }

  /** What the admin API and {@code store list} report of one model. */
  Map<String, Object> describe(String name) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("store_versions", store.versions(name));
    Served s = served.get(name);
    m.put(
        "loaded_versions",
        s == null ? List.of() : List.copyOf(new TreeMap<>(s.versions()).keySet()));
    m.put("default_version", s == null ? null : s.defaultVersion());
    m.put("version_policy", store.config(name).versionPolicy());
    return m;
  }

  private Object lock(String name) {
    return locks.computeIfAbsent(name, n -> new Object());
  }

  @Override
  public void close() {
    for (String name : new ArrayList<>(served.keySet())) {
      try {
        unload(name, Optional.empty());
      } catch (HttpError ignored) {
        // unloaded meanwhile
      }
    }
  }
}
