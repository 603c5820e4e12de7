package dev.imgclass.data;

import java.util.Optional;

/**
 * The parts of a dataset a run uses.
 *
 * @param description what the data is and where it came from, for logs and model.json
 * @param train images to learn from
 * @param val images to pick the best checkpoint on, when there are any
 * @param test held-out images for the final report, when the source has them
 * @param issues files skipped or unusable while finding the images (empty for IDX and synthetic
 *     data)
 */
public record DataSplits(
    String description,
    Dataset train,
    Optional<Dataset> val,
    Optional<Dataset> test,
    DataIssues issues) {
  public DataSplits(
      String description, Dataset train, Optional<Dataset> val, Optional<Dataset> test) {
    this(description, train, val, test, new DataIssues());
  }
}
