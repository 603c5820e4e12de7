package dev.imgclass.train.training;

/**
 * Where a run stands, saved as {@code state.json} in each checkpoint: with the weights and the
 * optimizer state it is everything needed to continue exactly.
 *
 * @param epoch the epoch to run next (0-based)
 * @param batch the batch of that epoch to run next
 * @param globalStep optimizer steps done
 * @param bestScore best validation accuracy so far (training accuracy when there is no validation
 *     split), -1 before the first epoch ends
 * @param bestEpoch 1-based epoch that reached {@code bestScore}, 0 before
 * @param trainSeconds training time so far, across resumes
 * @param config the run's configuration, to check a resume continues the same run
 * @param dataFingerprint the training data's fingerprint, for the same reason
 */
public record TrainState(
    int epoch,
    int batch,
    long globalStep,
    double bestScore,
    int bestEpoch,
    double trainSeconds,
    TrainConfig config,
    String dataFingerprint) {

  public static TrainState start(TrainConfig config, String fingerprint) {
    return new TrainState(0, 0, 0, -1, 0, 0, config, fingerprint);
  }
}
