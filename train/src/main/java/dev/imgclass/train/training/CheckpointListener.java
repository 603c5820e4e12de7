package dev.imgclass.train.training;

import dev.imgclass.train.models.Net;

/**
 * Saves {@code last} at every epoch end (and every {@code everySteps} steps when set), and {@code
 * best} when the epoch's score beats the best so far.
 */
final class CheckpointListener implements TrainListener {
  private final Checkpoints checkpoints;
  private final Net net;
  private final Optimizer optimizer;
  private final int everySteps;
  private final boolean haveVal;
  private TrainState state;
  private double seconds0;

  CheckpointListener(
      Checkpoints checkpoints, Net net, Optimizer optimizer, int everySteps, boolean haveVal) {
    this.checkpoints = checkpoints;
    this.net = net;
    this.optimizer = optimizer;
    this.everySteps = everySteps;
    this.haveVal = haveVal;
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, TrainState from) {
    state = from;
    seconds0 = from.trainSeconds();
  }

  @Override
  public void onStep(Step s) {
    if (everySteps > 0 && s.globalStep() % everySteps == 0 && s.batch() + 1 < s.batches()) {
      state =
          state.at(
              s.epoch(),
              s.batch() + 1,
              s.globalStep(),
              state.bestScore(),
              state.bestEpoch(),
              seconds0 + s.epochSeconds());
      checkpoints.save("last", net, optimizer, state);
    }
  }

  @Override
  public void onEpoch(Epoch e) {
    double score = haveVal ? e.valAcc() : e.trainAcc();
    boolean best = score > state.bestScore();
    seconds0 += e.seconds();
    state =
        state.at(
            e.epoch() + 1,
            0,
            e.globalStep(),
            best ? score : state.bestScore(),
            best ? e.epoch() + 1 : state.bestEpoch(),
            seconds0);
    checkpoints.save("last", net, optimizer, state);
    if (best) checkpoints.save("best", net, optimizer, state);
  }

  TrainState state() {
    return state;
  }
}
