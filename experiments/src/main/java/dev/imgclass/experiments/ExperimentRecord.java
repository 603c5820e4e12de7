package dev.imgclass.experiments;

/**
 * An experiment as stored: its configuration (JSON, as given), its state ({@code running}, {@code
 * stopped}, {@code rolled_back}), its current analysis period and when that period began.
 */
public record ExperimentRecord(
    String id,
    String configJson,
    String state,
    int period,
    long periodStartMillis,
    long updatedMillis,
    String reason) {}
