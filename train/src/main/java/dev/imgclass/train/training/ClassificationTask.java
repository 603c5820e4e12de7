package dev.imgclass.train.training;

import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.Net;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One training step: forward (under autocast for BF16), the {@link Objective}'s FP32 loss (plain
 * cross-entropy, or {@link Distillation}), backward, optional gradient clipping, optimizer update.
 * Everything native it creates is freed when its PointerScope closes, so memory stays flat over any
 * number of steps. A non-finite loss returns before the backward pass, leaving the weights
 * untouched.
 */
public final class ClassificationTask implements TrainTask {
  private final Net net;
  private final Optimizer optimizer;
  private final Objective objective;
  private final Precision precision;
  private final double gradClip;
  private final long[] inputShape;

  public ClassificationTask(
      Net net, Optimizer optimizer, Loss loss, Precision precision, double gradClip) {
    this(net, optimizer, Objective.supervised(loss), precision, gradClip);
  }

  ClassificationTask(
      Net net, Optimizer optimizer, Objective objective, Precision precision, double gradClip) {
    this.net = net;
    this.optimizer = optimizer;
    this.objective = objective;
    this.precision = precision;
    this.gradClip = gradClip;
    int s = net.spec().inputSize();
    this.inputShape = new long[] {0, net.spec().inChannels(), s, s};
  }

  @Override
  public StepResult step(Batch batch, double lr) {
    torch.manual_seed(batch.seed()); // dropout masks depend on (seed, epoch, batch) only
    try (PointerScope scope = new PointerScope()) {
      long[] shape = inputShape.clone();
      shape[0] = batch.size();
      Tensor x = Engine.layout(Tensors.floats(batch.inputs(), shape));
      Tensor y = Tensors.longs(batch.labels(), batch.size());
      Tensor logits;
      try (Engine.Scope a = Engine.autocast(precision)) {
        logits = net.forward(x, true); // (B, C, H, W) -> (B, K)
      }
      Objective.Terms terms = objective.apply(batch, x, logits, y);
      Tensor l = terms.total();
      double value = l.item_double();
      if (!Double.isFinite(value)) return new StepResult(value, 0, batch.size(), terms.values());
      l.backward();
      if (gradClip > 0) optimizer.clipGradNorm(gradClip);
      optimizer.step(lr);
      optimizer.zeroGrad();
      long correct = logits.argmax(new LongOptional(1), false).eq(y).sum().item_long();
      return new StepResult(value, correct, batch.size(), terms.values());
    }
  }
}
