package dev.imgclass.experiments;

/**
 * Where an experiment sends one request: the arm, and the model version that serves it. {@code
 * counted} is false for traffic the analysis must not see (after a rollback every request goes to
 * the control uncounted).
 *
 * @param experiment the experiment's id
 * @param period its analysis period
 * @param arm the arm's name
 * @param model the model that serves the arm
 * @param version the version that serves it
 * @param unit the request's unit id
 * @param counted whether the request belongs to the analysis
 * @param shadow the shadow arm to mirror the request to, or null
 */
public record Route(
    String experiment,
    int period,
    String arm,
    String model,
    int version,
    String unit,
    boolean counted,
    ExperimentConfig.Arm shadow) {}
