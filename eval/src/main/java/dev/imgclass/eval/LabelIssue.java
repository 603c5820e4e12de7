package dev.imgclass.eval;

/**
 * One suspected label error, as {@code data label-issues} reports it.
 *
 * @param rank 1 is the least believable given label
 * @param index the image's index in the searched split
 * @param name its file (or {@code #index} for IDX data)
 * @param given the label it has
 * @param suggested the label the models believe
 * @param givenProbability out-of-sample probability of the given label
 * @param suggestedProbability out-of-sample probability of the suggested label
 */
public record LabelIssue(
    int rank,
    int index,
    String name,
    String given,
    String suggested,
    double givenProbability,
    double suggestedProbability) {}
