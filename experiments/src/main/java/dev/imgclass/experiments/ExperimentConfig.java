package dev.imgclass.experiments;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgclass.core.ImgclassException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An experiment as its owner writes it: a JSON file {@code STORE/experiments/ID.json}, or the body
 * of {@code POST /admin/v1/experiments}. Every field but {@code id}, {@code model} and {@code arms}
 * is optional; unknown fields are refused, so a misspelt guardrail cannot be silently ignored.
 *
 * @param id the experiment's name, {@code [a-z0-9][a-z0-9._-]*}
 * @param model the model whose default traffic is split
 * @param arms two or more arms; the first is the control unless {@code control} names another
 * @param control the arm every other arm is compared with, and where a rollback sends traffic
 * @param unit where the unit id comes from: a header ({@code X-Unit-Id} by default) or a JSON field
 *     of the request body
 * @param salt mixed into the assignment hash (default: the id); a new salt reshuffles every unit
 * @param coverage the share of units in the experiment (default 1); the others get the default
 *     version and are not counted
 * @param shadow an optional arm that sees a copy of every counted request; its answers are logged,
 *     never returned
 * @param metric {@code accuracy} (feedback labels) or {@code reward} (feedback rewards)
 * @param alpha the false-positive rate of the decision (default 0.05), split over the treatments
 * @param sequentialTuning the total labelled count at which the confidence sequence is tightest
 *     (GrowthBook's default, 5,000)
 * @param minLabelled labelled requests each arm needs before any decision (default 100)
 * @param maxLabelled the horizon: labelled requests per arm after which an experiment without a
 *     significant difference is called inconclusive (default 0: no horizon)
 * @param guardrails latency and error limits of each treatment against the control
 * @param start when traffic starts being split (default: at once)
 * @param stop when it stops being split (default: never)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentConfig(
    @JsonProperty("id") String id,
    @JsonProperty("model") String model,
    @JsonProperty("arms") List<Arm> arms,
    @JsonProperty("control") String control,
    @JsonProperty("unit") Unit unit,
    @JsonProperty("salt") String salt,
    @JsonProperty("coverage") Double coverage,
    @JsonProperty("shadow") Arm shadow,
    @JsonProperty("metric") String metric,
    @JsonProperty("alpha") Double alpha,
    @JsonProperty("sequential_tuning") Double sequentialTuning,
    @JsonProperty("min_labelled") Integer minLabelled,
    @JsonProperty("max_labelled") Integer maxLabelled,
    @JsonProperty("guardrails") Guardrails guardrails,
    @JsonProperty("start") String start,
    @JsonProperty("stop") String stop) {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  static final Pattern HEADER = Pattern.compile("[A-Za-z0-9-]{1,64}");
  static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  public static final String ACCURACY = "accuracy";
  public static final String REWARD = "reward";
  public static final String DEFAULT_UNIT_HEADER = "X-Unit-Id";

  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * One arm: a version of the experiment's model, or of another model with the same classes.
   *
   * @param name the arm's name, {@code [a-z0-9][a-z0-9._-]*}
   * @param model another model of the store (default: the experiment's)
   * @param version the version it serves
   * @param weight its share of the units (any positive scale; ignored for the shadow)
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Arm(
      @JsonProperty("name") String name,
      @JsonProperty("model") String model,
      @JsonProperty("version") Integer version,
      @JsonProperty("weight") Double weight) {}

  /** Exactly one of a request header and a JSON field of the body. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Unit(@JsonProperty("header") String header, @JsonProperty("field") String field) {}

  /**
   * Limits on each treatment against the control, checked on live traffic. A breach stops the
   * experiment and sends all its traffic to the control.
   *
   * @param p99LatencyRatio the treatment's p99 latency may be at most this multiple of the
   *     control's (default 1.5)
   * @param p99LatencyMarginMs ... and at most this many milliseconds above it (default 5): both
   *     must be exceeded, so sub-millisecond jitter never trips it
   * @param errorRateIncrease the treatment's error rate may exceed the control's by at most this
   *     (default 0.01)
   * @param minRequests requests each arm needs before the guardrails are checked (default 200)
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Guardrails(
      @JsonProperty("p99_latency_ratio") Double p99LatencyRatio,
      @JsonProperty("p99_latency_margin_ms") Double p99LatencyMarginMs,
      @JsonProperty("error_rate_increase") Double errorRateIncrease,
      @JsonProperty("min_requests") Integer minRequests) {
    public Guardrails {
      if (p99LatencyRatio == null) p99LatencyRatio = 1.5;
      if (p99LatencyMarginMs == null) p99LatencyMarginMs = 5.0;
      if (errorRateIncrease == null) errorRateIncrease = 0.01;
      if (minRequests == null) minRequests = 200;
      require(
          p99LatencyRatio >= 1 && p99LatencyRatio <= 1000,
          "guardrails.p99_latency_ratio must be in [1, 1000], got " + p99LatencyRatio);
      require(
          p99LatencyMarginMs >= 0 && p99LatencyMarginMs <= 600_000,
          "guardrails.p99_latency_margin_ms must be in [0, 600000], got " + p99LatencyMarginMs);
      require(
          errorRateIncrease >= 0 && errorRateIncrease <= 1,
          "guardrails.error_rate_increase must be in [0, 1], got " + errorRateIncrease);
      require(
          minRequests >= 1 && minRequests <= 100_000_000,
          "guardrails.min_requests must be in [1, 100000000], got " + minRequests);
    }

    public static Guardrails defaults() {
      return new Guardrails(null, null, null, null);
    }
  }

  public ExperimentConfig {
    require(id != null, "an experiment needs an 'id'");
    require(
        NAME.matcher(id).matches(), "experiment id '" + id + "' must match [a-z0-9][a-z0-9._-]*");
    require(model != null, "experiment '" + id + "' needs a 'model'");
    require(NAME.matcher(model).matches(), "model name '" + model + "' is not a store name");
    require(arms != null && arms.size() >= 2, "experiment '" + id + "' needs at least two arms");
    require(arms.size() <= 16, "experiment '" + id + "' has " + arms.size() + " arms; at most 16");
    Set<String> names = new HashSet<>();
    for (Arm a : arms) {
      checkArm(a, "arm");
      require(
          a.weight() != null && Double.isFinite(a.weight()) && a.weight() > 0,
          "arm '" + a.name() + "' needs a 'weight' > 0");
      require(names.add(a.name()), "two arms are named '" + a.name() + "'");
    }
    if (control == null) control = arms.get(0).name();
    require(names.contains(control), "control '" + control + "' is not one of the arms " + names);
    if (unit == null) unit = new Unit(DEFAULT_UNIT_HEADER, null);
    require(
        (unit.header() == null) != (unit.field() == null),
        "'unit' needs exactly one of 'header' and 'field'");
    require(
        unit.header() == null || HEADER.matcher(unit.header()).matches(),
        "unit header '" + unit.header() + "' is not a header name");
    require(
        unit.field() == null || FIELD.matcher(unit.field()).matches(),
        "unit field '" + unit.field() + "' is not a plain JSON field name");
    if (salt == null) salt = id;
    require(!salt.isEmpty() && salt.length() <= 256, "salt must be 1 to 256 characters");
    if (coverage == null) coverage = 1.0;
    require(coverage > 0 && coverage <= 1, "coverage must be in (0, 1], got " + coverage);
    if (shadow != null) {
      checkArm(shadow, "shadow");
      require(!names.contains(shadow.name()), "the shadow's name '" + shadow.name() + "' is taken");
    }
    if (metric == null) metric = ACCURACY;
    require(
        metric.equals(ACCURACY) || metric.equals(REWARD),
        "metric must be 'accuracy' or 'reward', got '" + metric + "'");
    if (alpha == null) alpha = 0.05;
    require(alpha > 0 && alpha < 0.5, "alpha must be in (0, 0.5), got " + alpha);
    if (sequentialTuning == null) sequentialTuning = 5000.0;
    require(
        sequentialTuning >= 10 && sequentialTuning <= 1e9,
        "sequential_tuning must be in [10, 1e9], got " + sequentialTuning);
    if (minLabelled == null) minLabelled = 100;
    require(minLabelled >= 1, "min_labelled must be >= 1, got " + minLabelled);
    if (maxLabelled == null) maxLabelled = 0;
    require(
        maxLabelled == 0 || maxLabelled >= minLabelled,
        "max_labelled must be 0 (no horizon) or >= min_labelled, got " + maxLabelled);
    if (guardrails == null) guardrails = Guardrails.defaults();
    Instant from = instant(start, "start");
    Instant to = instant(stop, "stop");
    require(from == null || to == null || from.isBefore(to), "start must be before stop");
  }

  private static void checkArm(Arm a, String what) {
    require(a != null, "an " + what + " is null");
    require(a.name() != null, "an " + what + " needs a 'name'");
    require(
        NAME.matcher(a.name()).matches(),
        what + " name '" + a.name() + "' must match [a-z0-9][a-z0-9._-]*");
    require(
        a.version() != null && a.version() >= 1,
        what + " '" + a.name() + "' needs a 'version' >= 1");
    require(
        a.model() == null || NAME.matcher(a.model()).matches(),
        what + " '" + a.name() + "': model name '" + a.model() + "' is not a store name");
  }

  private static Instant instant(String value, String field) {
    if (value == null) return null;
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new ImgclassException(
          field + " must be an ISO-8601 instant such as 2026-12-01T09:00:00Z, got '" + value + "'");
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new ImgclassException(message);
  }

  /** Parses and checks a configuration; every problem is one {@link ImgclassException} line. */
  public static ExperimentConfig parse(String json) {
    try {
      return STRICT.readValue(json, ExperimentConfig.class);
    } catch (ImgclassException e) {
      throw e;
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ImgclassException ie) throw ie;
      throw new ImgclassException("experiment config: " + e.getOriginalMessage());
    }
  }

  public String toJson() {
    try {
      return STRICT.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new ImgclassException("cannot write experiment config: " + e.getMessage(), e);
    }
  }

  /** The model an arm serves. */
  public String modelOf(Arm arm) {
    return arm.model() == null ? model : arm.model();
  }

  public Arm controlArm() {
    return arm(control).orElseThrow();
  }

  public Optional<Arm> arm(String name) {
    return arms.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  public List<String> armNames() {
    return arms.stream().map(Arm::name).toList();
  }

  public double[] weights() {
    return arms.stream().mapToDouble(Arm::weight).toArray();
  }

  public Optional<Instant> startInstant() {
    return Optional.ofNullable(start).map(Instant::parse);
  }

  public Optional<Instant> stopInstant() {
    return Optional.ofNullable(stop).map(Instant::parse);
  }

  /**
   * Whether going from this config to {@code next} re-buckets units: other arms, weights, salt or
   * coverage. Such a change starts a new analysis period.
   */
  public boolean splitDiffers(ExperimentConfig next) {
    return !arms.equals(next.arms)
        || !salt.equals(next.salt)
        || !coverage.equals(next.coverage)
        || !control.equals(next.control);
  }
}
