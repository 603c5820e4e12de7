package dev.imgclass.train.training;

/**
 * What one optimizer step produced.
 *
 * @param loss mean loss of the batch (FP32)
 * @param correct images whose top-1 prediction was right
 * @param images images in the batch
 */
public record StepResult(double loss, long correct, int images) {
  public boolean finite() {
    return Double.isFinite(loss);
  }
}
