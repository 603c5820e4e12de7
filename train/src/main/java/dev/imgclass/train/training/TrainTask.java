package dev.imgclass.train.training;

import dev.imgclass.data.Batch;

/**
 * What the loop runs for each batch: plain supervised classification today; distillation and
 * quantization-aware training plug in here without copying the trainer.
 */
public interface TrainTask {
  StepResult step(Batch batch, double lr);
}
