package dev.imgclass.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guardrail checks of one experiment on live per-arm numbers: each treatment's p99 latency and
 * error rate against the control's, once both arms have {@code min_requests}.
 *
 * @param arm the treatment checked
 * @param metric {@code p99_latency_ms} or {@code error_rate}
 * @param control the control's value
 * @param treatment the treatment's value
 * @param limit the most the treatment may have
 * @param checked whether both arms had enough requests to check
 * @param breached whether the treatment exceeded the limit
 */
public record Guardrail(
    String arm,
    String metric,
    double control,
    double treatment,
    double limit,
    boolean checked,
    boolean breached) {

  public static List<Guardrail> check(ExperimentConfig config, Map<String, ArmLive> live) {
    ExperimentConfig.Guardrails g = config.guardrails();
    ArmLive c = live.get(config.control());
    List<Guardrail> out = new ArrayList<>();
    for (ExperimentConfig.Arm arm : config.arms()) {
      if (arm.name().equals(config.control())) continue;
      ArmLive t = live.get(arm.name());
      boolean enough =
          c != null
              && t != null
              && c.requests() >= g.minRequests()
              && t.requests() >= g.minRequests();
      double cp = c == null ? 0 : c.latencyMs(99);
      double tp = t == null ? 0 : t.latencyMs(99);
      double latencyLimit = Math.max(cp * g.p99LatencyRatio(), cp + g.p99LatencyMarginMs());
      out.add(
          new Guardrail(
              arm.name(),
              "p99_latency_ms",
              cp,
              tp,
              latencyLimit,
              enough,
              enough && tp > latencyLimit));
      double ce = c == null ? 0 : c.errorRate();
      double te = t == null ? 0 : t.errorRate();
      double errorLimit = ce + g.errorRateIncrease();
      out.add(
          new Guardrail(
              arm.name(), "error_rate", ce, te, errorLimit, enough, enough && te > errorLimit));
    }
    return out;
  }

  /** One line naming the breach, for the rollback event and the decision. */
  public String describe() {
    return metric.equals("error_rate")
        ? String.format(
            "arm %s error rate %.4f > limit %.4f (control %.4f)", arm, treatment, limit, control)
        : String.format(
            "arm %s p99 latency %.2f ms > limit %.2f ms (control %.2f ms)",
            arm, treatment, limit, control);
  }
}
