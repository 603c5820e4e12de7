package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.cli.Pareto.Point;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The front and the pick of {@code imgclass advise}, on hand-made points; and its timing. */
class ParetoTest {
  static final Point A = new Point("a", "int8", 1.0, 0.70);
  static final Point B = new Point("b", "fp32", 2.0, 0.80);
  static final Point C = new Point("c", "fp32", 3.0, 0.75); // slower and worse than B
  static final Point D = new Point("d", "int8", 2.0, 0.60); // as fast as B, worse
  static final Point E = new Point("e", "fp32", 4.0, 0.85);
  static final List<Point> POINTS = List.of(C, E, D, A, B);

  @Test
  void the_front_keeps_the_points_nothing_beats_on_both_fastest_first() {
    assertThat(Pareto.front(POINTS)).containsExactly(A, B, E);
  }

  @Test
  void of_equal_points_one_stays_and_at_equal_latency_the_more_accurate() {
    Point a2 = new Point("a2", "fp32", 1.0, 0.70);
    Point a3 = new Point("a3", "fp32", 1.0, 0.72);
    assertThat(Pareto.front(List.of(A, a2))).containsExactly(A);
    assertThat(Pareto.front(List.of(A, a2, a3))).containsExactly(a3);
    assertThat(Pareto.front(List.of())).isEmpty();
  }

  @Test
  void a_budget_picks_the_most_accurate_point_within_it_inclusive() {
    Pareto.Advice in = Pareto.advise(POINTS, OptionalDouble.of(2.5));
    assertThat(in.met()).isTrue();
    assertThat(in.pick()).contains(B);
    assertThat(in.fastest()).contains(A);
    assertThat(Pareto.advise(POINTS, OptionalDouble.of(2.0)).pick()).contains(B);
    assertThat(Pareto.advise(POINTS, OptionalDouble.of(1.999)).pick()).contains(A);
    assertThat(Pareto.advise(POINTS, OptionalDouble.of(100)).pick()).contains(E);
  }

  @Test
  void no_point_within_the_budget_gives_no_pick_but_the_fastest() {
    Pareto.Advice none = Pareto.advise(POINTS, OptionalDouble.of(0.5));
    assertThat(none.met()).isFalse();
    assertThat(none.pick()).isEmpty();
    assertThat(none.fastest()).contains(A);
    assertThat(Pareto.advise(List.of(), OptionalDouble.empty()).fastest()).isEmpty();
  }

  @Test
  void without_a_budget_the_most_accurate_and_of_equal_accuracy_the_faster() {
    Point e2 = new Point("e2", "int8", 3.5, 0.85);
    Pareto.Advice a = Pareto.advise(List.of(A, B, E, e2), OptionalDouble.empty());
    assertThat(a.pick()).contains(e2);
    assertThat(a.fastest()).contains(A);
  }

  @Test
  void on_random_points_the_front_is_non_dominated_complete_and_holds_every_pick() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      List<Point> pts = new ArrayList<>();
      int n = 1 + rng.nextInt(30);
      for (int i = 0; i < n; i++) // coarse values, so that ties happen
      pts.add(new Point("m" + i, "fp32", 1 + rng.nextInt(10), rng.nextInt(10) / 10.0));
      List<Point> front = Pareto.front(pts);
      for (Point f : front) assertThat(pts).noneMatch(p -> p.dominates(f));
      for (Point p : pts)
        assertThat(front)
            .anyMatch(
                f -> f.dominates(p) || (f.latencyMs() == p.latencyMs() && f.top1() == p.top1()));
      double budget = 1 + rng.nextInt(10);
      Pareto.Advice a = Pareto.advise(pts, OptionalDouble.of(budget));
      if (a.met()) {
        Point pick = a.pick().get();
        assertThat(pick.latencyMs()).isLessThanOrEqualTo(budget);
        assertThat(pts)
            .noneMatch(p -> p.latencyMs() <= budget && p.top1() > pick.top1())
            .noneMatch(p -> p.dominates(pick));
      } else {
        assertThat(pts).allMatch(p -> p.latencyMs() > budget);
      }
    }
  }

  @Test
  void timing_takes_the_median_and_the_nearest_rank_90th_percentile() {
    Timing t = Timing.of(64, new double[] {10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
    assertThat(t.runs()).isEqualTo(10);
    assertThat(t.medianMs()).isEqualTo(5.5);
    assertThat(t.p90Ms()).isEqualTo(9.0);
    assertThat(t.imagesPerSecond()).isEqualTo(64 * 1000 / 5.5);
    assertThat(Timing.of(1, new double[] {3, 1, 2}).medianMs()).isEqualTo(2.0);
    assertThat(Timing.of(1, new double[] {4}).p90Ms()).isEqualTo(4.0);
  }

  @Test
  void a_tiny_budget_still_times_at_least_the_minimum_runs_after_a_warm_up() {
    int[] calls = new int[1];
    Classifier c =
        new Classifier() {
          @Override
          public ModelSpec spec() {
            return new ModelSpec(
                "resnet20",
                java.util.List.of("a", "b"),
                1,
                2,
                java.util.List.of(0.5),
                java.util.List.of(0.25));
          }

          @Override
          public float[][] logits(float[] inputs, int n) {
            calls[0]++;
            return new float[n][2];
          }

          @Override
          public void close() {}
        };
    Timing t = Timing.measure(c, new float[4], 1, 1e-9);
    assertThat(t.runs()).isEqualTo(Timing.MIN_RUNS);
    assertThat(calls[0]).isEqualTo(Timing.MIN_RUNS + 1);
    assertThat(t.medianMs()).isNotNegative();
  }
}
