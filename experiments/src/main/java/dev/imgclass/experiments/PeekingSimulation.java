package dev.imgclass.experiments;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Simulated two-arm experiments with 0/1 outcomes, looked at repeatedly: how often the always-valid
 * {@link Difference#sequential} test and the naive {@link Difference#fixedHorizon} test reject at
 * some look, and how many outcomes the sequential test needs to decide. With equal rates it
 * measures false-positive rates under peeking; with different rates, power.
 *
 * <p>Each experiment draws outcomes one at a time, each from a new unit with one outcome, the units
 * going alternately to control (first) and treatment; after every {@code peekEvery} outcomes (in
 * total over both arms) both tests are run at level alpha, up to {@code maxOutcomes}. Each test's
 * first rejection counts; an experiment stops once both have rejected. Experiment j uses the j-th
 * {@link SplittableRandom#split()} of a generator seeded with {@code seed}, so results are
 * reproducible.
 */
public final class PeekingSimulation {
  private PeekingSimulation() {}

  /**
   * What to simulate.
   *
   * @param controlRate P(outcome = 1) in control, in [0, 1]
   * @param treatmentRate P(outcome = 1) in treatment, in [0, 1]
   * @param experiments how many experiments (&gt; 0)
   * @param peekEvery outcomes between looks (&gt; 0)
   * @param maxOutcomes the last look is at the largest multiple of peekEvery not above this
   * @param alpha the level both tests use, in (0, 1)
   * @param tuning the sequential test's tuning (total outcomes where it is tightest), &gt; 0
   * @param seed the random seed
   */
  public record Setup(
      double controlRate,
      double treatmentRate,
      int experiments,
      int peekEvery,
      int maxOutcomes,
      double alpha,
      double tuning,
      long seed) {
    /**
     * @throws IllegalArgumentException if a field is out of its range
     */
    public Setup {
      if (!(controlRate >= 0 && controlRate <= 1) || !(treatmentRate >= 0 && treatmentRate <= 1)) {
        throw new IllegalArgumentException("rates must be in [0, 1]");
      }
      if (experiments <= 0 || peekEvery <= 0 || maxOutcomes < peekEvery) {
        throw new IllegalArgumentException(
            "need experiments > 0, peekEvery > 0 and maxOutcomes >= peekEvery");
      }
      if (!(alpha > 0 && alpha < 1)) {
        throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
      }
      if (!(tuning > 0) || Double.isInfinite(tuning)) {
        throw new IllegalArgumentException("tuning must be finite and > 0, got " + tuning);
      }
    }
  }

  /**
   * What happened.
   *
   * @param experiments how many experiments ran
   * @param sequentialRejectionRate share of experiments where the sequential p fell below alpha at
   *     some look
   * @param sequentialRightSignRate share where the sequential test's first rejection had the sign
   *     of treatmentRate − controlRate (0 when the rates are equal: no sign is right)
   * @param fixedHorizonRejectionRate share where the fixed-horizon p fell below alpha at some look
   * @param medianOutcomesToDecision median total outcomes at the sequential test's first rejection,
   *     over the experiments where it rejected (NaN if none did)
   */
  public record Result(
      int experiments,
      double sequentialRejectionRate,
      double sequentialRightSignRate,
      double fixedHorizonRejectionRate,
      double medianOutcomesToDecision) {}

  /** Runs the experiments of {@code setup}. */
  public static Result run(Setup setup) {
    SplittableRandom root = new SplittableRandom(setup.seed());
    double trueSign = Math.signum(setup.treatmentRate() - setup.controlRate());
    int sequentialRejections = 0;
    int rightSign = 0;
    int fixedRejections = 0;
    long[] decisionOutcomes = new long[setup.experiments()];
    int decisions = 0;
    for (int e = 0; e < setup.experiments(); e++) {
      SplittableRandom random = root.split();
      long controlN = 0;
      long treatmentN = 0;
      double controlSum = 0;
      double treatmentSum = 0;
      boolean sequentialDone = false;
      boolean fixedDone = false;
      for (long outcome = 1; outcome <= setup.maxOutcomes(); outcome++) {
        // Outcome 1 goes to control, 2 to treatment, and so on.
        if ((outcome & 1) == 1) {
          controlN++;
          controlSum += random.nextDouble() < setup.controlRate() ? 1 : 0;
        } else {
          treatmentN++;
          treatmentSum += random.nextDouble() < setup.treatmentRate() ? 1 : 0;
        }
        if (outcome % setup.peekEvery() != 0) {
          continue;
        }
        // 0/1 outcomes: the sum of squares is the sum.
        UnitMean control = UnitMean.ofSingleOutcomes(controlSum, controlSum, controlN);
        UnitMean treatment = UnitMean.ofSingleOutcomes(treatmentSum, treatmentSum, treatmentN);
        if (!sequentialDone) {
          Difference d = Difference.sequential(treatment, control, setup.alpha(), setup.tuning());
          if (d.pValue() < setup.alpha()) {
            sequentialDone = true;
            sequentialRejections++;
            if (trueSign != 0 && Math.signum(d.estimate()) == trueSign) {
              rightSign++;
            }
            decisionOutcomes[decisions++] = outcome;
          }
        }
        if (!fixedDone) {
          Difference d = Difference.fixedHorizon(treatment, control, setup.alpha());
          if (d.pValue() < setup.alpha()) {
            fixedDone = true;
            fixedRejections++;
          }
        }
        if (sequentialDone && fixedDone) {
          break;
        }
      }
    }
    double experiments = setup.experiments();
    return new Result(
        setup.experiments(),
        sequentialRejections / experiments,
        rightSign / experiments,
        fixedRejections / experiments,
        median(Arrays.copyOf(decisionOutcomes, decisions)));
  }

  private static double median(long[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(values);
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
  }
}
