package dev.imgclass.train.training;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimizer step produced.
 *
 * @param loss mean loss of the batch (FP32): what the step minimised
 * @param correct images whose top-1 prediction was right
 * @param images images in the batch
 * @param parts the named terms the loss is made of (distillation: {@code ce} and {@code kd}, before
 *     their weights), in order; empty for a loss of one term
 */
public record StepResult(double loss, long correct, int images, Map<String, Double> parts) {
  public StepResult {
    parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }

  public StepResult(double loss, long correct, int images) {
    this(loss, correct, images, Map.of());
  }

  public boolean finite() {
    return Double.isFinite(loss);
  }
}
