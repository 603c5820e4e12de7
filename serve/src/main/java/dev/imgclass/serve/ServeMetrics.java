package dev.imgclass.serve;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, through the Prometheus Java client: requests by model, version,
 * protocol and status; latency histograms of queueing, decoding, inference and whole requests;
 * batch sizes; queue depth and loaded models; the JVM and process (resident memory) collectors. One
 * registry per server, so two servers in one JVM (tests) keep separate counts.
 */
final class ServeMetrics {
  private static final double[] SECONDS = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10
  };
  private static final double[] BATCH = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests =
      Counter.builder()
          .name("imgclass_requests_total")
          .help("Inference requests answered, by model, version, protocol and HTTP status")
          .labelNames("model", "version", "protocol", "status")
          .register(registry);
  private final Histogram requestSeconds = seconds("imgclass_request_seconds", "Whole request");
  private final Histogram decodeSeconds =
      seconds("imgclass_decode_seconds", "Decoding and preprocessing one request's images");
  private final Histogram queueSeconds =
      seconds("imgclass_queue_seconds", "Time a request waited for its batch to start");
  private final Histogram inferenceSeconds =
      seconds("imgclass_inference_seconds", "ONNX Runtime time of one batch");
  private final Histogram batchSize =
      Histogram.builder()
          .name("imgclass_batch_size")
          .help("Images per batch run")
          .labelNames("model", "version")
          .classicOnly()
          .classicUpperBounds(BATCH)
          .register(registry);
  private final Counter accessLogDropped =
      Counter.builder()
          .name("imgclass_access_log_dropped_total")
          .help("Access log lines dropped because the writer fell behind")
          .register(registry);

  ServeMetrics(Supplier<Iterable<LoadedVersion>> loaded) {
    GaugeWithCallback.builder()
        .name("imgclass_queue_depth")
        .help("Requests waiting for a batch")
        .labelNames("model", "version")
        .callback(
            cb -> {
              for (LoadedVersion v : loaded.get())
                cb.call(v.queued(), v.name(), Integer.toString(v.version()));
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("imgclass_model_loaded")
        .help("1 for each model version loaded and taking traffic")
        .labelNames("model", "version")
        .callback(
            cb -> {
              for (LoadedVersion v : loaded.get())
                cb.call(1, v.name(), Integer.toString(v.version()));
            })
        .register(registry);
    JvmMetrics.builder().register(registry);
  }

  private Histogram seconds(String name, String help) {
    return Histogram.builder()
        .name(name)
        .help(help + ", seconds")
        .labelNames("model")
        .classicOnly()
        .classicUpperBounds(SECONDS)
        .register(registry);
  }

  /** Events and re-evaluation gauges, read from the experiments runtime at each scrape. */
  void experiments(ServeExperiments ex) {
    if (!ex.enabled) return;
    GaugeWithCallback.builder()
        .name("imgclass_events_written")
        .help("Exposure and feedback events stored since the server started")
        .callback(cb -> cb.call(ex.writer.written()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("imgclass_events_dropped")
        .help("Events dropped because the queue was full, since the server started")
        .callback(cb -> cb.call(ex.writer.dropped()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("imgclass_events_failed")
        .help("Events the store refused after retries, since the server started")
        .callback(cb -> cb.call(ex.writer.failed()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("imgclass_evaluation_alert")
        .help("1 when the newest re-evaluation of a model found a significant accuracy drop")
        .labelNames("model")
        .callback(
            cb -> {
              for (var e : ex.alerts().entrySet()) cb.call(e.getValue() ? 1 : 0, e.getKey());
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("imgclass_experiment_running")
        .help("1 for each experiment splitting traffic, 0 for stopped or rolled back ones")
        .labelNames("experiment", "state")
        .callback(
            cb -> {
              for (String id : ex.experiments.list().keySet()) {
                String s = ex.experiments.stateOf(id).orElse("unknown");
                cb.call(s.equals("running") ? 1 : 0, id, s);
              }
            })
        .register(registry);
  }

  /** The metrics of one model version, label values bound once. */
  ModelMetrics of(String model, int version) {
    return new ModelMetrics(model, Integer.toString(version));
  }

  void request(String model, String version, String protocol, int status, long nanos) {
    requests.labelValues(model, version, protocol, Integer.toString(status)).inc();
    if (!model.isEmpty()) requestSeconds.labelValues(model).observe(nanos / 1e9);
  }

  void decode(String model, long nanos) {
    decodeSeconds.labelValues(model).observe(nanos / 1e9);
  }

  void accessLogDropped() {
    accessLogDropped.inc();
  }

  /** The text exposition format. */
  byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  final class ModelMetrics {
    private final DistributionDataPoint queue;
    private final DistributionDataPoint inference;
    private final DistributionDataPoint batch;

    private ModelMetrics(String model, String version) {
      queue = queueSeconds.labelValues(model);
      inference = inferenceSeconds.labelValues(model);
      batch = batchSize.labelValues(model, version);
    }

    void queueSeconds(long nanos) {
      queue.observe(nanos / 1e9);
    }

    void batch(int images, long nanos) {
      batch.observe(images);
      inference.observe(nanos / 1e9);
    }
  }
}
