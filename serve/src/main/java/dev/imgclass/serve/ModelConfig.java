package dev.imgclass.serve;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.imgclass.core.ImgclassException;
import java.util.Optional;

/**
 * How one model of the store is served: {@code DIR/NAME/config.json}, every field optional. The
 * batching fields take Triton's names.
 *
 * @param versionPolicy {@code latest} (serve the newest version) or {@code pinned} (serve {@code
 *     default_version})
 * @param defaultVersion the pinned version; unused under {@code latest}
 * @param maxBatchSize most images run as one batch
 * @param maxQueueDelayMicros how long the first request of a batch may wait for others (default 0)
 * @param queueCapacity requests waiting beyond which new ones get 503
 * @param timeoutMs per-request deadline from arrival; a request still queued then gets 504
 * @param warmupBatches batches run on a freshly loaded version before it takes traffic
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ModelConfig(
    @JsonProperty("version_policy") String versionPolicy,
    @JsonProperty("default_version") Integer defaultVersion,
    @JsonProperty("max_batch_size") Integer maxBatchSize,
    @JsonProperty("max_queue_delay_microseconds") Long maxQueueDelayMicros,
    @JsonProperty("queue_capacity") Integer queueCapacity,
    @JsonProperty("timeout_ms") Long timeoutMs,
    @JsonProperty("warmup_batches") Integer warmupBatches) {
  public static final String LATEST = "latest";
  public static final String PINNED = "pinned";

  public ModelConfig {
    if (versionPolicy == null) versionPolicy = LATEST;
    if (!versionPolicy.equals(LATEST) && !versionPolicy.equals(PINNED))
      throw new ImgclassException(
          "version_policy must be 'latest' or 'pinned', got '" + versionPolicy + "'");
    if (versionPolicy.equals(PINNED) && defaultVersion == null)
      throw new ImgclassException("version_policy 'pinned' needs a default_version");
    if (defaultVersion != null && defaultVersion < 1)
      throw new ImgclassException("default_version must be >= 1, got " + defaultVersion);
    if (maxBatchSize == null) maxBatchSize = 32;
    if (maxQueueDelayMicros == null) maxQueueDelayMicros = 0L; // Triton's default: take what waits
    if (queueCapacity == null) queueCapacity = 512;
    if (timeoutMs == null) timeoutMs = 10_000L;
    if (warmupBatches == null) warmupBatches = 3;
    check(maxBatchSize >= 1 && maxBatchSize <= 4096, "max_batch_size", "1..4096", maxBatchSize);
    check(
        maxQueueDelayMicros >= 0 && maxQueueDelayMicros <= 1_000_000,
        "max_queue_delay_microseconds",
        "0..1000000",
        maxQueueDelayMicros);
    check(
        queueCapacity >= 1 && queueCapacity <= 1_000_000,
        "queue_capacity",
        "1..1000000",
        queueCapacity);
    check(timeoutMs >= 1 && timeoutMs <= 3_600_000, "timeout_ms", "1..3600000", timeoutMs);
    check(warmupBatches >= 0 && warmupBatches <= 100, "warmup_batches", "0..100", warmupBatches);
  }

  /**
   * Every default: the newest version; batches of up to 32 of whatever is waiting when the previous
   * batch ends (no added delay: under load the queue fills while a batch runs).
   */
  public static ModelConfig defaults() {
    return new ModelConfig(null, null, null, null, null, null, null);
  }

  public Optional<Integer> pinnedVersion() {
    return versionPolicy.equals(PINNED) ? Optional.of(defaultVersion) : Optional.empty();
  }

  private static void check(boolean ok, String field, String range, Object value) {
    if (!ok) throw new ImgclassException(field + " must be in " + range + ", got " + value);
  }
}
