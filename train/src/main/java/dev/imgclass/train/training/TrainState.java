package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * @param precision the precision {@code config.precision()} resolved to on the machine that ran it
 *     ({@code fp32} or {@code bf16}): {@code auto} may resolve differently elsewhere
 * @param dataFingerprint the training data's fingerprint, for the same reason
 * @param teacherSha256 the distillation teacher's identity ({@link TeacherIdentity}), null for a
 *     run without one
 */
public record TrainState(
    int epoch,
    int batch,
    long globalStep,
    double bestScore,
    int bestEpoch,
    double trainSeconds,
    TrainConfig config,
    String precision,
    String dataFingerprint,
    String teacherSha256) {

  public static TrainState start(
      TrainConfig config, String precision, String fingerprint, String teacherSha256) {
    return new TrainState(0, 0, 0, -1, 0, 0, config, precision, fingerprint, teacherSha256);
  }

  /** Another place in the same run: everything that identifies the run stays. */
  TrainState at(
      int epoch, int batch, long globalStep, double bestScore, int bestEpoch, double trainSeconds) {
    return new TrainState(
        epoch,
        batch,
        globalStep,
        bestScore,
        bestEpoch,
        trainSeconds,
        config,
        precision,
        dataFingerprint,
        teacherSha256);
  }

  /** The same place in the run, with the settings of the run that continues it. */
  TrainState withConfig(TrainConfig c) {
    return new TrainState(
        epoch,
        batch,
        globalStep,
        bestScore,
        bestEpoch,
        trainSeconds,
        c,
        precision,
        dataFingerprint,
        teacherSha256);
  }

  /**
   * The precision this checkpoint ran at. Checkpoints written before it was recorded have none:
   * their configured precision, or, for {@code auto}, what it resolves to now (as resume then
   * assumed).
   */
  private String recordedPrecision(String resolvedNow) {
    if (precision != null) return precision;
    String configured = config.precision();
    return configured == null || configured.equalsIgnoreCase("auto")
        ? resolvedNow
        : dev.imgclass.train.engine.Precision.parse(configured).label();
  }

  /**
   * Refuses to continue this checkpoint with settings that would change the results: the teacher
   * (by identity), every setting of {@link TrainConfig#resultSettings} (with the resolved
   * precision) and the data must match; operational settings such as threads may differ.
   *
   * @param precision what the new run's precision resolved to
   * @param teacher the new run's teacher, null for none
   */
  void checkResumableWith(
      TrainConfig cfg, String precision, String fingerprint, TeacherIdentity teacher) {
    checkTeacher(teacher);
    Map<String, Object> was = config.resultSettings(recordedPrecision(precision));
    Map<String, Object> now = cfg.resultSettings(precision);
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, Object> e : now.entrySet()) {
      Object before = was.get(e.getKey());
      if (!Objects.equals(before, e.getValue())) {
        differ.add(e.getKey() + " " + before + " in the checkpoint, " + e.getValue() + " now");
      }
    }
    if (!differ.isEmpty()) {
      throw new ImgclassException(
          "resume needs the settings of the original run, which would change the results: "
              + String.join("; ", differ)
              + ". Use the checkpoint's values, or start a new run");
    }
    if (!dataFingerprint.equals(fingerprint)) {
      throw new ImgclassException(
          "resume needs the same data: the checkpoint's data fingerprint is "
              + dataFingerprint
              + ", this data's is "
              + fingerprint);
    }
  }

  private void checkTeacher(TeacherIdentity now) {
    String was = config.teacher().isEmpty() ? null : config.teacher();
    if (teacherSha256 == null && now == null) return;
    if (teacherSha256 == null)
      throw new ImgclassException(
          "resume needs the original run's setup: the checkpoint was trained without a teacher,"
              + " this run distils from "
              + now.path()
              + "; drop --teacher, or start a new run");
    if (now == null)
      throw new ImgclassException(
          "resume needs the original run's teacher: the checkpoint distils from "
              + was
              + " (SHA-256 "
              + teacherSha256
              + "); pass it with --teacher");
    if (!teacherSha256.equals(now.sha256()))
      throw new ImgclassException(
          "resume needs the same teacher: the checkpoint's ("
              + was
              + ") has SHA-256 "
              + teacherSha256
              + ", "
              + now.path()
              + " has "
              + now.sha256()
              + "; pass the teacher the run started with, or start a new run");
  }
}
