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
            + " /metrics and, with --admin-token-file, an admin API on a loopback-only port.")
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

  @Option(names = "--json", description = "Print where the server listens as one JSON document.")
  boolean json;

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
            .withSpinWait(spinWait);
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
              .map(p -> ", admin API on http://127.0.0.1:" + p)
              .orElse(", admin API off (no --admin-token-file)"),
          where.get("startup_ms"));
    }
    System.out.flush();
    stopped.await();
    return Main.OK;
  }
}
