package dev.imgclass.serve;

import dev.imgclass.core.Json;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;

/**
 * {@code imgclass serve}: every model of a store behind the Open Inference Protocol and the image
 * endpoint, with dynamic batching, on one port; the admin API, when a token file is given, on a
 * second port bound to the loopback address. {@link #drainAndStop} is the SIGTERM path: stop taking
 * requests, answer those in flight, close.
 */
public final class InferenceServer implements AutoCloseable {
  private final ServeOptions options;
  private final Models models;
  private final ServeExperiments experiments;
  private final ServeMetrics metrics;
  private final ExecutorService decodePool;
  private final ExecutorService responsePool;
  private final Optional<AccessLog> accessLog;
  private final Javalin app;
  private final Optional<Javalin> admin;
  private final Consumer<String> log;
  private final AtomicInteger open = new AtomicInteger(); // requests begun, not yet logged
  private volatile boolean draining;
  private volatile boolean stopped;

  private InferenceServer(
      Path storeDir, ServeOptions o, Consumer<String> log, java.util.function.LongSupplier clock) {
    this.options = o;
    this.log = log;
    // checked before anything starts: a token file open to others refuses the whole server
    Optional<AdminToken> token = o.adminTokenFile().map(AdminToken::read);
    ModelStore store = ModelStore.open(storeDir);
    metrics = new ServeMetrics(this::loadedVersions); // scraped only once models is set
    models = new Models(store, o, metrics, log);
    decodePool =
        new ThreadPoolExecutor(
            o.decodeThreads(),
            o.decodeThreads(),
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(o.decodeQueue()),
            daemons("decode"));
    responsePool = Executors.newFixedThreadPool(o.decodeThreads(), daemons("respond"));
    accessLog = o.accessLog().map(w -> AccessLog.open(w, metrics::accessLogDropped));
    ServeExperiments ex = null;
    try {
      models.loadAll();
      ex = new ServeExperiments(models, o, clock, log);
      final ServeExperiments exf = ex;
      metrics.experiments(ex);
      Pipeline pipeline = new Pipeline(decodePool, responsePool, metrics);
      V2Handlers v2 = new V2Handlers(models, pipeline, o, () -> draining, ex);
      ClassifyHandler v1 = new ClassifyHandler(models, pipeline, o, ex);
      ExperimentHandlers eh = new ExperimentHandlers(ex, models);
      DashboardPage dashboard = new DashboardPage(ex, models);
      app =
          Javalin.create(
                  cfg -> {
                    common(cfg, o.host(), o.port());
                    Routes.inference(cfg.routes, v2, v1, eh, metrics);
                  })
              .start();
      idleTimeout(app);
      admin =
          token.map(
              t ->
                  idleTimeout(
                      Javalin.create(
                              cfg -> {
                                common(cfg, "127.0.0.1", o.adminPort());
                                Routes.admin(
                                    cfg.routes, new AdminHandlers(models, t), eh, dashboard);
                              })
                          .start()));
      experiments = exf;
    } catch (RuntimeException e) {
      shutdownPools();
      if (ex != null) ex.close();
      models.close();
      accessLog.ifPresent(AccessLog::close);
      throw e;
    }
  }

  /** Opens the store, loads its models by their version policies, and starts listening. */
  public static InferenceServer start(Path storeDir, ServeOptions options, Consumer<String> log) {
    return new InferenceServer(storeDir, options, log, System::currentTimeMillis);
  }

  /**
   * As {@link #start(Path, ServeOptions, Consumer)} with the clock experiments and the
   * re-evaluation schedule read (epoch milliseconds): tests move time with it.
   */
  public static InferenceServer start(
      Path storeDir,
      ServeOptions options,
      Consumer<String> log,
      java.util.function.LongSupplier clock) {
    return new InferenceServer(storeDir, options, log, clock);
  }

  private void common(JavalinConfig cfg, String host, int port) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.jetty.host = host;
    cfg.jetty.port = port;
    cfg.http.maxRequestSize = options.maxBodyBytes();
    cfg.http.prefer405over404 = true;
    cfg.jetty.modifyHttpConfiguration(
        hc -> {
          hc.setSendServerVersion(false);
          hc.setSendXPoweredBy(false);
          hc.setRequestHeaderSize(8 << 10); // larger header sections: 431
        });
    cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
    cfg.routes.before(ctx -> open.incrementAndGet());
    cfg.requestLogger.http(
        (ctx, ms) -> {
          open.decrementAndGet();
          answered(ctx, ms);
        });
  }

  private Javalin idleTimeout(Javalin j) {
    for (Connector c : j.jettyServer().server().getConnectors())
      if (c instanceof AbstractConnector ac) ac.setIdleTimeout(options.idleTimeoutMs());
    return j;
  }

  /** After every request: the metrics and one access-log line. */
  private void answered(Context ctx, float ms) {
    Object protocol = ctx.attribute(Routes.PROTOCOL);
    Object model = ctx.attribute(Routes.MODEL);
    Object version = ctx.attribute(Routes.VERSION);
    int status = ctx.statusCode();
    // a model label only for a model that was found (version set): unknown names a client makes
    // up must not become new metric series
    if (protocol != null)
      metrics.request(
          model == null || version == null ? "" : model.toString(),
          version == null ? "" : version.toString(),
          protocol.toString(),
          status,
          (long) (ms * 1e6));
    if (accessLog.isPresent()) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("time", Instant.now().toString());
      line.put("request_id", ctx.attribute(Routes.REQUEST_ID));
      line.put("method", ctx.method().name());
      line.put("path", ctx.path());
      line.put("model", model);
      line.put("version", version);
      line.put("status", status);
      line.put("latency_ms", Math.round(ms * 1000) / 1000.0);
      line.put("remote", ctx.req().getRemoteAddr());
      accessLog.get().log(Json.line(line));
    }
  }

  private List<LoadedVersion> loadedVersions() {
    return models == null ? List.of() : models.loaded();
  }

  public int port() {
    return app.port();
  }

  /** The admin port, when the admin API is on. */
  public Optional<Integer> adminPort() {
    return admin.map(Javalin::port);
  }

  /** Names of the models being served. */
  public List<String> models() {
    return List.copyOf(models.snapshot().keySet());
  }

  /**
   * Stops taking new requests (readiness turns 503, new inference requests get 503), waits up to
   * the drain time for those in flight, then stops both ports and closes every model.
   */
  public synchronized void drainAndStop() {
    if (stopped) return;
    draining = true;
    models.drain();
    long until = System.currentTimeMillis() + options.drainMillis();
    // every request begun is answered and logged (its response written) before the ports close
    while (System.currentTimeMillis() < until && open.get() > 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    stopped = true;
    app.stop();
    admin.ifPresent(Javalin::stop);
    models.close();
    shutdownPools();
    experiments.close(); // flushes the events queued by the last requests
    accessLog.ifPresent(AccessLog::close);
    log.accept("stopped");
  }

  @Override
  public void close() {
    drainAndStop();
  }

  private void shutdownPools() {
    decodePool.shutdownNow();
    responsePool.shutdownNow();
  }

  private static ThreadFactory daemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
