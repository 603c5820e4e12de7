package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.serve.InferenceServer;
import dev.imgclass.serve.ServeOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code imgclass serve}: the inference server over a model store, until SIGTERM or Ctrl-C, which
 * drain the requests in flight and exit 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Serve every model of a store over HTTP: the Open Inference Protocol (KServe V2) and"
            + " POST /v1/models/NAME:classify for image files, with dynamic batching, Prometheus"
            + " /metrics and, with --admin-token-file, an admin API and the dashboard on a"
            + " loopback-only port. Runs A/B experiments between versions (POST"
            + " /admin/v1/experiments, /v1/feedback, /v1/experiments/ID) and re-evaluates deployed"
            + " versions on a schedule (--eval-data, --eval-every).")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--store",
      required = true,
      paramLabel = "DIR",
      description = "Model store folder ('imgclass store add').")
  Path store;

  @Option(
      names = "--host",
      description = "Address to listen on (default: 127.0.0.1; 0.0.0.0 for all).")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Inference port (default: 8080; 0: any free port).")
  int port = 8080;

  @Option(names = "--admin-port", description = "Admin port, loopback only (default: 8081).")
  int adminPort = 8081;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description =
          "Bearer token for the admin API, in a file of mode 0600; without it the admin API is off.")
  Path adminTokenFile;

  @Option(
      names = "--threads",
      description = "ONNX Runtime intra-op threads per model (default: half the cores; 0: all).")
  Integer threads;

  @Option(names = "--decode-threads", description = "Threads decoding images (default: all cores).")
  Integer decodeThreads;

  @Option(names = "--max-body-bytes", description = "Largest request body (default: 8388608).")
  long maxBody = 8L << 20;

  @Option(
      names = "--max-pixels",
      description = "Largest image, width x height (default: 16000000).")
  long maxPixels = 16_000_000L;

  @Option(
      names = "--access-log",
      paramLabel = "FILE",
      description = "Write one JSON line per request to FILE ('-': standard output).")
  String accessLog;

  @Option(
      names = "--provider",
      description =
          "ONNX Runtime execution provider: cpu, cuda or tensorrt (the GPU ones need the onnxruntime_gpu artifact; default: cpu).")
  String provider = "cpu";

  @Option(
      names = "--spin-wait",
      description =
          "Let ONNX Runtime's idle threads spin for work (faster when the server has the cores to itself; default: off).")
  boolean spinWait;

  @Option(
      names = "--events",
      description =
          "Where exposure and feedback events go: a SQLite file, jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB?user=...&password=... (default: STORE/_events/events.db); none: no events, so no experiments, feedback or re-evaluation.")
  String events;

  @Option(
      names = "--events-flush-ms",
      description =
          "How often queued events are written; a crash loses at most this (default: 1000).")
  long eventsFlushMs = 1000;

  @Option(
      names = "--eval-data",
      description =
          "Labelled evaluation set for the periodic re-evaluation (image folder, CSV manifest, fashion-mnist); without it only feedback labels are evaluated.")
  String evalData;

  @Option(
      names = "--eval-every",
      description =
          "How often each deployed version is re-evaluated: 14d, 12h, 30m, 90s (default: 14d).")
  String evalEvery = "14d";

  @Option(
      names = "--guardrail-ms",
      hidden = true,
      description = "How often experiment guardrails are checked (default: 1000).")
  long guardrailMs = 1000;

  @Option(names = "--json", description = "Print where the server listens as one JSON document.")
  boolean json;

  /** {@code 14d}, {@code 12h}, {@code 30m}, {@code 90s}: a positive count and a unit. */
  static java.time.Duration duration(String s) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("([1-9][0-9]{0,8})([dhms])").matcher(s.trim());
    if (!m.matches())
      throw new ImgclassException(
          "--eval-every must be a count and a unit (d, h, m or s) such as 14d or 30m, got '"
              + s
              + "'");
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "d" -> java.time.Duration.ofDays(n);
      case "h" -> java.time.Duration.ofHours(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      default -> java.time.Duration.ofSeconds(n);
    };
  }

  @Override
  public Integer call() throws InterruptedException {
    if (json && "-".equals(accessLog))
      throw new ImgclassException(
          "--json keeps standard output for one document: give --access-log a file");
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    ServeOptions defaults = ServeOptions.defaults();
    ServeOptions o =
        defaults
            .withHost(host)
            .withPorts(port, adminPort)
            .withAdminTokenFile(adminTokenFile)
            .withThreads(
                threads != null ? threads : defaults.intraOpThreads(),
                decodeThreads != null ? decodeThreads : defaults.decodeThreads())
            .withLimits(maxBody, maxPixels)
            .withAccessLog(accessLog)
            .withProvider(provider)
            .withSpinWait(spinWait)
            .withEvents(events, eventsFlushMs)
            .withEvaluation(evalData, duration(evalEvery))
            .withSchedule(guardrailMs, defaults.evalTickMillis());
    long t0 = System.nanoTime();
    InferenceServer server = InferenceServer.start(store, o, line -> System.err.println(line));
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          System.err.println("draining...");
          server.drainAndStop();
          stopped.countDown();
        };
    for (String sig : new String[] {"TERM", "INT"})
      Signal.handle(new Signal(sig), s -> new Thread(stop, "drain").start());
    Map<String, Object> where = new LinkedHashMap<>();
    where.put("url", "http://" + host + ":" + server.port());
    where.put("port", server.port());
    where.put("admin_port", server.adminPort().orElse(null));
    where.put("models", server.models());
    server
        .adminPort()
        .ifPresent(p -> where.put("dashboard", "http://127.0.0.1:" + p + "/dashboard"));
    where.put("startup_ms", (System.nanoTime() - t0) / 1_000_000);
    if (json) {
      System.out.println(Json.line(where));
    } else {
      System.out.printf(
          "imgclass serve: %d model%s on http://%s:%d%s (started in %d ms)%n",
          server.models().size(),
          server.models().size() == 1 ? "" : "s",
          host,
          server.port(),
          server
              .adminPort()
              .map(p -> ", admin API and dashboard on http://127.0.0.1:" + p)
              .orElse(", admin API off (no --admin-token-file)"),
          where.get("startup_ms"));
    }
    System.out.flush();
    stopped.await();
    return Main.OK;
  }
}
