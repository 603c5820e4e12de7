package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.runtime.OnnxOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the server runs. Defaults suit one machine: all cores for ONNX Runtime and for decoding.
 *
 * @param host address of the inference port ({@code 127.0.0.1} unless told otherwise)
 * @param port inference port (0: any free port)
 * @param adminPort admin port, always bound to the loopback address (0: any free port)
 * @param adminTokenFile file holding the admin bearer token, mode 0600; no admin API without it
 * @param intraOpThreads ONNX Runtime intra-op threads per model (0: all cores; the default is half
 *     the cores, leaving the rest to HTTP and decoding, which measured best on 2 cores)
 * @param decodeThreads threads decoding images and parsing tensors, off the inference threads
 * @param decodeQueue requests waiting for a decoding thread beyond which new ones get 503
 * @param maxBodyBytes largest request body (413 above)
 * @param maxPixels largest image, width × height as its header says (413 above, before decoding)
 * @param bodyTimeoutMs time allowed to receive a whole request body (408 after: slow clients)
 * @param idleTimeoutMs a connection silent this long is closed
 * @param drainMillis how long an unloading version (or a stopping server) waits for requests in
 *     flight
 * @param accessLog where the JSON access log goes: a file, {@code -} for standard output, or
 *     nowhere
 * @param provider ONNX Runtime execution provider: {@code cpu}, {@code cuda} or {@code tensorrt}
 * @param spinWait whether ONNX Runtime's idle intra-op threads spin-wait for work (off by default:
 *     they share the cores with HTTP and decoding threads)
 * @param events where exposure and feedback events go: a SQLite file or a {@code
 *     jdbc:sqlite:}/{@code jdbc:postgresql:} URL (default {@code STORE/_events/events.db})
 * @param eventsFlushMillis how often queued events are written (a crash loses at most this much)
 * @param evalData the labelled evaluation set of the periodic re-evaluation (any data spec: image
 *     folder, CSV manifest, {@code fashion-mnist}); none: feedback labels only
 * @param evalEvery how often each deployed version is re-evaluated (default 14 days)
 * @param guardrailMillis how often the experiments' guardrails are checked
 * @param evalTickMillis how often the re-evaluation schedule is looked at
 */
public record ServeOptions(
    String host,
    int port,
    int adminPort,
    Optional<Path> adminTokenFile,
    int intraOpThreads,
    int decodeThreads,
    int decodeQueue,
    long maxBodyBytes,
    long maxPixels,
    long bodyTimeoutMs,
    long idleTimeoutMs,
    long drainMillis,
    Optional<String> accessLog,
    String provider,
    boolean spinWait,
    Optional<String> events,
    long eventsFlushMillis,
    Optional<String> evalData,
    java.time.Duration evalEvery,
    long guardrailMillis,
    long evalTickMillis) {
  public ServeOptions {
    if (port < 0 || port > 65535) throw new ImgclassException("port must be 0..65535, got " + port);
    if (adminPort < 0 || adminPort > 65535)
      throw new ImgclassException("admin port must be 0..65535, got " + adminPort);
    if (port != 0 && port == adminPort)
      throw new ImgclassException("the admin port must differ from the inference port " + port);
    if (intraOpThreads < 0)
      throw new ImgclassException("intra-op threads must be >= 0, got " + intraOpThreads);
    if (decodeThreads < 1)
      throw new ImgclassException("decode threads must be >= 1, got " + decodeThreads);
    if (decodeQueue < 1)
      throw new ImgclassException("decode queue must be >= 1, got " + decodeQueue);
    if (maxBodyBytes < 1024)
      throw new ImgclassException("body limit must be >= 1024 bytes, got " + maxBodyBytes);
    if (maxPixels < 1) throw new ImgclassException("pixel limit must be >= 1, got " + maxPixels);
    provider = OnnxOptions.cpu(0).withProvider(provider).provider(); // checked and normalised
    if (bodyTimeoutMs < 1 || idleTimeoutMs < 1 || drainMillis < 0)
      throw new ImgclassException("timeouts must be positive");
    if (eventsFlushMillis < 1 || eventsFlushMillis > 600_000)
      throw new ImgclassException(
          "the events flush interval must be 1 ms to 10 min, got " + eventsFlushMillis + " ms");
    if (evalEvery.isNegative() || evalEvery.isZero())
      throw new ImgclassException("the re-evaluation interval must be positive, got " + evalEvery);
    if (guardrailMillis < 1 || evalTickMillis < 1)
      throw new ImgclassException("schedule intervals must be positive");
  }

  /**
   * Loopback, ports 8080 and 8081, no admin API, half the cores for ONNX Runtime, 8 MiB bodies,
   * 16-megapixel images.
   */
  public static ServeOptions defaults() {
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServeOptions(
        "127.0.0.1",
        8080,
        8081,
        Optional.empty(),
        Math.max(1, cores / 2),
        cores,
        1024,
        8L << 20,
        16_000_000L,
        10_000,
        30_000,
        30_000,
        Optional.empty(),
        "cpu",
        false,
        Optional.empty(),
        1000,
        Optional.empty(),
        java.time.Duration.ofDays(14),
        1000,
        60_000);
  }

  public ServeOptions withPorts(int p, int admin) {
    return edit(
        b -> {
          b.port = p;
          b.adminPort = admin;
        });
  }

  public ServeOptions withHost(String h) {
    return edit(b -> b.host = h);
  }

  public ServeOptions withAdminTokenFile(Path f) {
    return edit(b -> b.adminTokenFile = Optional.ofNullable(f));
  }

  public ServeOptions withThreads(int intraOp, int decode) {
    return edit(
        b -> {
          b.intraOpThreads = intraOp;
          b.decodeThreads = decode;
        });
  }

  public ServeOptions withLimits(long bodyBytes, long pixels) {
    return edit(
        b -> {
          b.maxBodyBytes = bodyBytes;
          b.maxPixels = pixels;
        });
  }

  public ServeOptions withTimeouts(long body, long idle, long drain) {
    return edit(
        b -> {
          b.bodyTimeoutMs = body;
          b.idleTimeoutMs = idle;
          b.drainMillis = drain;
        });
  }

  public ServeOptions withAccessLog(String where) {
    return edit(b -> b.accessLog = Optional.ofNullable(where));
  }

  public ServeOptions withProvider(String p) {
    return edit(b -> b.provider = p);
  }

  public ServeOptions withSpinWait(boolean spin) {
    return edit(b -> b.spinWait = spin);
  }

  public ServeOptions withEvents(String where, long flushMillis) {
    return edit(
        b -> {
          b.events = Optional.ofNullable(where);
          b.eventsFlushMillis = flushMillis;
        });
  }

  public ServeOptions withEvaluation(String data, java.time.Duration every) {
    return edit(
        b -> {
          b.evalData = Optional.ofNullable(data);
          b.evalEvery = every;
        });
  }

  public ServeOptions withSchedule(long guardrails, long evalTick) {
    return edit(
        b -> {
          b.guardrailMillis = guardrails;
          b.evalTickMillis = evalTick;
        });
  }

  /** A copy with some components changed: the withers above, without repeating every component. */
  private ServeOptions edit(java.util.function.Consumer<Edit> change) {
    Edit b = new Edit(this);
    change.accept(b);
    return b.build();
  }

  /** The components of one {@link ServeOptions}, mutable while a wither changes some of them. */
  private static final class Edit {
    private String host;
    private int port;
    private int adminPort;
    private Optional<Path> adminTokenFile;
    private int intraOpThreads;
    private int decodeThreads;
    private int decodeQueue;
    private long maxBodyBytes;
    private long maxPixels;
    private long bodyTimeoutMs;
    private long idleTimeoutMs;
    private long drainMillis;
    private Optional<String> accessLog;
    private String provider;
    private boolean spinWait;
    private Optional<String> events;
    private long eventsFlushMillis;
    private Optional<String> evalData;
    private java.time.Duration evalEvery;
    private long guardrailMillis;
    private long evalTickMillis;

    Edit(ServeOptions o) {
      this.host = o.host();
      this.port = o.port();
      this.adminPort = o.adminPort();
      this.adminTokenFile = o.adminTokenFile();
      this.intraOpThreads = o.intraOpThreads();
      this.decodeThreads = o.decodeThreads();
      this.decodeQueue = o.decodeQueue();
      this.maxBodyBytes = o.maxBodyBytes();
      this.maxPixels = o.maxPixels();
      this.bodyTimeoutMs = o.bodyTimeoutMs();
      this.idleTimeoutMs = o.idleTimeoutMs();
      this.drainMillis = o.drainMillis();
      this.accessLog = o.accessLog();
      this.provider = o.provider();
      this.spinWait = o.spinWait();
      this.events = o.events();
      this.eventsFlushMillis = o.eventsFlushMillis();
      this.evalData = o.evalData();
      this.evalEvery = o.evalEvery();
      this.guardrailMillis = o.guardrailMillis();
      this.evalTickMillis = o.evalTickMillis();
    }

    ServeOptions build() {
      return new ServeOptions(
          host,
          port,
          adminPort,
          adminTokenFile,
          intraOpThreads,
          decodeThreads,
          decodeQueue,
          maxBodyBytes,
          maxPixels,
          bodyTimeoutMs,
          idleTimeoutMs,
          drainMillis,
          accessLog,
          provider,
          spinWait,
          events,
          eventsFlushMillis,
          evalData,
          evalEvery,
          guardrailMillis,
          evalTickMillis);
    }
  }
}
