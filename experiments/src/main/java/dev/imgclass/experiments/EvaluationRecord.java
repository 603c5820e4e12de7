package dev.imgclass.experiments;

/**
 * One scheduled (or on-demand) re-evaluation of a deployed model version.
 *
 * @param model the model name
 * @param version the version evaluated
 * @param timeMillis when it ran
 * @param source {@code eval-set:NAME} or {@code feedback}
 * @param n images (or labelled requests) evaluated
 * @param accuracy top-1 accuracy
 * @param resultJson everything else as JSON: balanced accuracy, per-class recall, ECE, drift (PSI
 *     of predicted classes and of confidence), the test against the previous run, the alert
 * @param correct per-image correctness on the evaluation set in its order (one byte per image, 1 =
 *     right), for McNemar's test against the next run; empty for feedback
 * @param alert whether this run raised an accuracy-drop alert
 */
public record EvaluationRecord(
    String model,
    int version,
    long timeMillis,
    String source,
    int n,
    double accuracy,
    String resultJson,
    byte[] correct,
    boolean alert) {}
