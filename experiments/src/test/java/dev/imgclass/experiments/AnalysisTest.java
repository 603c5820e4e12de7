package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnalysisTest {
  static final List<String> CLASSES = List.of("bright", "dark");

  static ExperimentConfig config(String extra) {
    return ExperimentConfig.parse(
        "{\"id\":\"e1\",\"model\":\"m\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
            + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]"
            + extra
            + "}");
  }

  /** {@code units} units per arm, one request each, labelled, right with the given rates. */
  static List<Observation> traffic(
      int controlUnits, int treatmentUnits, double pc, double pt, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Observation> out = new ArrayList<>();
    int n = Math.max(controlUnits, treatmentUnits);
    for (int i = 0; i < n; i++) {
      if (i < controlUnits) out.add(obs("c" + i, "control", r.nextDouble() < pc, 1000, i));
      if (i < treatmentUnits) out.add(obs("t" + i, "treatment", r.nextDouble() < pt, 1200, i));
    }
    return out;
  }

  static Observation obs(String unit, String arm, boolean right, long latency, long t) {
    return new Observation(
        unit + "-r", arm, unit, 0, 0.9f, latency, false, t, right ? 0 : 1, null, t);
  }

  static ExperimentReport run(ExperimentConfig c, List<Observation> obs, Set<String> rebucketed) {
    return Analysis.run(
        new Analysis.Input(
            c, "running", 1, 0, obs, rebucketed, List.of(), List.of(), List.of(), CLASSES, null));
  }

  @Test
  void per_arm_numbers_are_counted_from_the_observations() {
    List<Observation> obs = new ArrayList<>();
    obs.add(obs("u1", "control", true, 1000, 1));
    obs.add(obs("u1", "control", false, 3000, 2));
    obs.add(obs("u2", "control", true, 2000, 3));
    obs.add(
        new Observation(
            "x", "control", "u3", 1, 0.6f, 5000, false, 4, null, null, 0)); // unlabelled
    obs.add(new Observation("y", "control", "u3", -1, 0f, 9000, true, 5, null, null, 0)); // failed
    obs.add(obs("v1", "treatment", true, 1000, 6));
    ExperimentReport r = run(config(""), obs, Set.of());
    ExperimentReport.ArmReport c = r.arms().get(0);
    assertThat(c.name()).isEqualTo("control");
    assertThat(c.units()).isEqualTo(3);
    assertThat(c.exposures()).isEqualTo(5);
    assertThat(c.labelled()).isEqualTo(3);
    assertThat(c.accuracy()).isEqualTo(2.0 / 3);
    assertThat(c.errorRate()).isEqualTo(0.2);
    assertThat(c.p50Ms()).isEqualTo(3.0); // nearest rank of 1,2,3,5,9 ms
    assertThat(c.p99Ms()).isEqualTo(9.0);
    assertThat(c.meanConfidence())
        .isEqualTo((0.9 * 3 + 0.6) / 4, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(c.predictedClasses()).containsEntry("bright", 3L).containsEntry("dark", 1L);
    assertThat(r.decision().decision()).isEqualTo(Analysis.KEEP_RUNNING);
    assertThat(r.decision().reason()).contains("needs 100");
  }

  @Test
  void a_clear_improvement_ships_and_a_clear_loss_rolls_back() {
    ExperimentReport better = run(config(""), traffic(3000, 3000, 0.80, 0.90, 1), Set.of());
    assertThat(better.decision().decision()).isEqualTo(Analysis.SHIP);
    assertThat(better.decision().arm()).isEqualTo("treatment");
    assertThat(better.pValue()).isLessThan(0.05);
    assertThat(better.comparisons().get(0).sequential().low()).isGreaterThan(0);
    assertThat(better.history()).isNotEmpty();
    // the always-valid interval is wider than the fixed-horizon one
    var cmp = better.comparisons().get(0);
    assertThat(cmp.sequential().high() - cmp.sequential().low())
        .isGreaterThan(cmp.fixedHorizon().high() - cmp.fixedHorizon().low());

    ExperimentReport worse = run(config(""), traffic(3000, 3000, 0.90, 0.80, 2), Set.of());
    assertThat(worse.decision().decision()).isEqualTo(Analysis.ROLL_BACK);
    assertThat(worse.decision().arm()).isEqualTo("control");
  }

  @Test
  void no_difference_keeps_running_then_is_inconclusive_at_the_horizon() {
    List<Observation> same = traffic(2000, 2000, 0.9, 0.9, 3);
    assertThat(run(config(""), same, Set.of()).decision().decision())
        .isEqualTo(Analysis.KEEP_RUNNING);
    assertThat(run(config(",\"max_labelled\":1000"), same, Set.of()).decision().decision())
        .isEqualTo(Analysis.INCONCLUSIVE);
  }

  @Test
  void a_45_55_split_is_a_sample_ratio_mismatch_and_blocks_every_decision() {
    ExperimentReport r = run(config(""), traffic(4500, 5500, 0.80, 0.90, 4), Set.of());
    assertThat(r.srm().mismatch()).isTrue();
    assertThat(r.srmPValue()).isLessThan(1e-6);
    assertThat(r.srm().observedShare().get("control")).isEqualTo(0.45);
    assertThat(r.decision().decision()).isEqualTo(Analysis.INCONCLUSIVE);
    assertThat(r.decision().reason()).contains("sample ratio mismatch");
    assertThat(run(config(""), traffic(5000, 5000, 0.8, 0.9, 5), Set.of()).srm().mismatch())
        .isFalse();
  }

  @Test
  void reading_again_as_data_grows_never_raises_the_always_valid_p_value() {
    List<Observation> all = traffic(4000, 4000, 0.90, 0.92, 9);
    double last = 1;
    for (int n = 500; n <= all.size(); n += 700) {
      double p = run(config(""), all.subList(0, n), Set.of()).pValue();
      assertThat(p).as("after %d observations", n).isLessThanOrEqualTo(last);
      last = p;
    }
    assertThat(last).isLessThan(0.05);
    assertThat(Analysis.onGrid(9_900)).isTrue();
    assertThat(Analysis.onGrid(10_250)).isFalse();
    assertThat(Analysis.onGrid(10_500)).isTrue();
  }

  @Test
  void rebucketed_units_are_left_out() {
    List<Observation> obs = traffic(300, 300, 0.9, 0.9, 6);
    ExperimentReport all = run(config(""), obs, Set.of());
    ExperimentReport some = run(config(""), obs, Set.of("c1", "c2", "t5"));
    assertThat(some.rebucketedUnits()).isEqualTo(3);
    assertThat(some.arms().get(0).units()).isEqualTo(all.arms().get(0).units() - 2);
    assertThat(some.arms().get(1).units()).isEqualTo(all.arms().get(1).units() - 1);
  }

  @Test
  void a_rollback_stands_whatever_the_numbers() {
    ExperimentReport r =
        Analysis.run(
            new Analysis.Input(
                config(""),
                Experiments.ROLLED_BACK,
                1,
                0,
                traffic(3000, 3000, 0.8, 0.9, 7),
                Set.of(),
                List.of(),
                List.of(),
                List.of(),
                CLASSES,
                "arm treatment p99 latency 50 ms > limit 7 ms"));
    assertThat(r.decision().decision()).isEqualTo(Analysis.ROLL_BACK);
    assertThat(r.decision().reason()).contains("p99 latency 50 ms");
  }

  @Test
  void several_requests_per_unit_widen_the_interval_against_counting_them_as_independent() {
    // 200 units per arm, 20 requests each, every request of a unit equally right or wrong: the
    // unit, not the request, is the independent observation
    SplittableRandom r = new SplittableRandom(8);
    List<Observation> clustered = new ArrayList<>();
    List<Observation> independent = new ArrayList<>();
    int k = 0;
    for (String arm : List.of("control", "treatment"))
      for (int u = 0; u < 200; u++) {
        boolean right = r.nextDouble() < 0.8;
        for (int j = 0; j < 20; j++) {
          clustered.add(obs(arm + u, arm, right, 1000, k));
          independent.add(obs(arm + u + "-" + j, arm, right, 1000, k++));
        }
      }
    var a = run(config(""), clustered, Set.of()).comparisons().get(0).fixedHorizon();
    var b = run(config(""), independent, Set.of()).comparisons().get(0).fixedHorizon();
    assertThat(a.high() - a.low()).isGreaterThan(3 * (b.high() - b.low()));
  }
}
