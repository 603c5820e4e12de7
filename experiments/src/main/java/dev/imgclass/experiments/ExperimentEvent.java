package dev.imgclass.experiments;

/**
 * Something that happened to an experiment: {@code created}, {@code started}, {@code stopped},
 * {@code period} (weights changed), {@code rollback} (a guardrail breached), with a reason.
 */
public record ExperimentEvent(String experiment, long timeMillis, String kind, String detail) {}
