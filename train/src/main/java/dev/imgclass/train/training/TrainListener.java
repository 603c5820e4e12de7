package dev.imgclass.train.training;

/** Watches a run: progress display, metrics files, checkpoints. */
public interface TrainListener {
  /**
   * After each optimizer step.
   *
   * @param epoch 0-based epoch
   * @param batch 0-based batch within the epoch that just ran
   * @param batches batches per epoch
   * @param globalStep steps done since the run began, this one included
   * @param lr learning rate used
   * @param result loss and accuracy of the batch
   * @param epochImages images seen so far this epoch
   * @param epochSeconds training seconds so far this epoch
   */
  record Step(
      int epoch,
      int batch,
      int batches,
      long globalStep,
      double lr,
      StepResult result,
      double epochLoss,
      double epochAcc,
      long epochImages,
      double epochSeconds) {}

  /**
   * One finished epoch.
   *
   * @param trainParts the mean of each named loss part over the epoch's images ({@link
   *     StepResult#parts}), in order; empty for a loss of one term
   */
  record Epoch(
      int epoch,
      int epochs,
      long globalStep,
      double lr,
      double trainLoss,
      double trainAcc,
      double valLoss,
      double valAcc,
      double seconds,
      double imagesPerSecond,
      long rssMb,
      java.util.Map<String, Double> trainParts) {}

  default void onStart(int epochs, int batchesPerEpoch, TrainState from) {}

  default void onStep(Step step) {}

  default void onEpoch(Epoch epoch) {}
}
