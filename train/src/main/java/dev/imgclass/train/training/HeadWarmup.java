package dev.imgclass.train.training;

import dev.imgclass.data.Batch;
import dev.imgclass.train.models.Net;

/**
 * The head-only start of fine-tuning, around any task: for the first {@code headSteps} optimizer
 * updates the body groups from {@code thawFrom} on are frozen (no gradients, so no updates, and
 * batch norm on its running statistics), then they join. A fresh head's first gradients are large
 * and random; sent into a pretrained body they would undo what it learned before the head is of any
 * use. The phase follows from the optimizer's update count alone, which a checkpoint restores, so a
 * resumed run is in the same phase at the same step.
 */
final class HeadWarmup implements TrainTask {
  private final TrainTask inner;
  private final Net net;
  private final Optimizer optimizer;
  private final int thawFrom;
  private final long headSteps;
  private Boolean bodyFrozen; // null until the first step sets it

  HeadWarmup(TrainTask inner, Net net, Optimizer optimizer, int thawFrom, long headSteps) {
    this.inner = inner;
    this.net = net;
    this.optimizer = optimizer;
    this.thawFrom = thawFrom;
    this.headSteps = headSteps;
  }

  @Override
  public StepResult step(Batch batch, double lr) {
    boolean freeze = optimizer.steps() < headSteps;
    if (bodyFrozen == null || bodyFrozen != freeze) {
      net.setFrozen(thawFrom, net.groups().size(), freeze);
      bodyFrozen = freeze;
    }
    return inner.step(batch, lr);
  }

  /** Whether the body is frozen now (for tests). */
  boolean bodyFrozen() {
    return Boolean.TRUE.equals(bodyFrozen);
  }
}
