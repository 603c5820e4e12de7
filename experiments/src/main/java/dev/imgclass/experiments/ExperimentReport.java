package dev.imgclass.experiments;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The state and analysis of one experiment, as {@code GET /v1/experiments/{id}} returns it and the
 * dashboard draws it.
 *
 * @param id the experiment
 * @param model its model
 * @param state {@code running}, {@code stopped}, {@code rolled_back}, {@code scheduled} (before its
 *     start) or {@code ended} (after its stop)
 * @param period the analysis period reported (a change of weights starts a new one)
 * @param periodStart when it began (ISO-8601)
 * @param metric {@code accuracy} or {@code reward}
 * @param arms per arm, the control first
 * @param shadow the shadow arm's numbers, or null
 * @param srm the sample-ratio test on assigned units
 * @param srmPValue the same p-value, top level
 * @param comparisons each treatment against the control
 * @param pValue the smallest always-valid p-value over the treatments, Bonferroni-adjusted
 * @param guardrails the live guardrail checks
 * @param rebucketedUnits units left out because a change of weights moved them to another arm
 * @param decision what to do, and why
 * @param history the always-valid interval of each treatment's difference as labelled events came
 *     in
 * @param events what happened to the experiment
 * @param config the configuration in force
 */
public record ExperimentReport(
    String id,
    String model,
    String state,
    int period,
    @JsonProperty("period_start") String periodStart,
    String metric,
    List<ArmReport> arms,
    ArmReport shadow,
    SrmReport srm,
    @JsonProperty("srm_p_value") double srmPValue,
    List<Comparison> comparisons,
    @JsonProperty("p_value") double pValue,
    List<Guardrail> guardrails,
    @JsonProperty("rebucketed_units") int rebucketedUnits,
    Decision decision,
    List<HistoryPoint> history,
    List<ExperimentEvent> events,
    ExperimentConfig config) {

  /**
   * One arm's numbers in the period.
   *
   * @param units distinct units assigned (and exposed)
   * @param exposures requests served
   * @param labelled requests with feedback
   * @param accuracy the metric's mean over labelled requests (accuracy, or mean reward); NaN with
   *     none
   * @param accuracyLow lower end of its 95 % interval (delta method over units)
   * @param accuracyHigh upper end
   * @param meanConfidence mean top-1 probability
   * @param p50Ms median latency
   * @param p99Ms 99th-percentile latency
   * @param errorRate share of requests that failed
   * @param predictedClasses requests per predicted class name
   */
  public record ArmReport(
      String name,
      String model,
      int version,
      double weight,
      long units,
      long exposures,
      long labelled,
      double accuracy,
      @JsonProperty("accuracy_low") double accuracyLow,
      @JsonProperty("accuracy_high") double accuracyHigh,
      @JsonProperty("mean_confidence") double meanConfidence,
      @JsonProperty("p50_ms") double p50Ms,
      @JsonProperty("p99_ms") double p99Ms,
      @JsonProperty("error_rate") double errorRate,
      @JsonProperty("predicted_classes") Map<String, Long> predictedClasses) {}

  /** Observed against configured shares of assigned units. */
  public record SrmReport(
      @JsonProperty("chi_square") double chiSquare,
      @JsonProperty("p_value") double pValue,
      boolean mismatch,
      @JsonProperty("expected_share") Map<String, Double> expectedShare,
      @JsonProperty("observed_share") Map<String, Double> observedShare) {}

  /**
   * A treatment against the control: difference of the metric (treatment − control).
   *
   * @param alpha the false-positive rate this comparison is held to (alpha over the treatments)
   * @param sequential always-valid: the running intersection of the confidence sequence and the
   *     running minimum of its p-value, valid however often it was looked at
   * @param fixedHorizon the ordinary z-test, valid only if this is the one look planned in advance
   */
  public record Comparison(
      String arm,
      double difference,
      double alpha,
      Interval sequential,
      @JsonProperty("fixed_horizon") Interval fixedHorizon) {}

  public record Interval(double low, double high, @JsonProperty("p_value") double pValue) {}

  /** {@code ship}, {@code roll_back}, {@code keep_running} or {@code inconclusive}. */
  public record Decision(String decision, String arm, String reason) {}

  /** The always-valid interval of one treatment after {@code labelled} labelled requests. */
  public record HistoryPoint(
      String arm,
      long labelled,
      double difference,
      double low,
      double high,
      @JsonProperty("p_value") double pValue) {}
}
