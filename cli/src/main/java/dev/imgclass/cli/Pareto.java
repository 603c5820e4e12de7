package dev.imgclass.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The speed/accuracy trade-off behind {@code imgclass advise}: which measured points (a model at a
 * precision) no other point beats on both batch-1 latency and accuracy, and which one to pick for a
 * latency budget. Pure: no timing, no models, so it is tested on hand-made points.
 */
final class Pareto {
  private Pareto() {}

  /** One model at one precision: its measured median batch-1 latency and its top-1 accuracy. */
  record Point(String model, String precision, double latencyMs, double top1) {
    /** At least as fast and as accurate as {@code o}, and strictly better on one of the two. */
    boolean dominates(Point o) {
      return latencyMs <= o.latencyMs
          && top1 >= o.top1
          && (latencyMs < o.latencyMs || top1 > o.top1);
    }

    String label() {
      return model + " " + precision;
    }
  }

  /**
   * What to use: {@code pick} is the most accurate point within the budget (or overall, without
   * one), empty when none is fast enough; {@code fastest} is the lowest-latency point.
   */
  record Advice(OptionalDouble budgetMs, Optional<Point> pick, Optional<Point> fastest) {
    boolean met() {
      return pick.isPresent();
    }
  }

  /** Faster first; at equal latency the more accurate first. */
  private static final Comparator<Point> FASTEST =
      Comparator.comparingDouble(Point::latencyMs)
          .thenComparing(Comparator.comparingDouble(Point::top1).reversed());

  /**
   * The points no other point dominates, fastest first (so accuracy rises along the list). Of
   * points equal on both measures the first one given is kept.
   */
  static List<Point> front(List<Point> points) {
    List<Point> sorted = new ArrayList<>(points);
    sorted.sort(FASTEST); // stable: equal points keep their order
    List<Point> front = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    for (Point p : sorted) {
      // every point before p is at least as fast, so p survives only by being more accurate
      if (p.top1() > best) {
        front.add(p);
        best = p.top1();
      }
    }
    return front;
  }

  /**
   * The most accurate point whose latency is within {@code budgetMs} (any point, without a budget);
   * among equally accurate ones the fastest. Always names the fastest point too.
   */
  static Advice advise(List<Point> points, OptionalDouble budgetMs) {
    Optional<Point> fastest = points.stream().min(FASTEST);
    Optional<Point> pick =
        points.stream()
            .filter(p -> budgetMs.isEmpty() || p.latencyMs() <= budgetMs.getAsDouble())
            .min(Comparator.comparingDouble(Point::top1).reversed().thenComparing(FASTEST));
    return new Advice(budgetMs, pick, fastest);
  }
}
