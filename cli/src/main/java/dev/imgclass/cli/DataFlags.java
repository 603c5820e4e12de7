package dev.imgclass.cli;

import dev.imgclass.train.training.DataOptions;
import picocli.CommandLine.Option;

/** How training reads image files: {@code train} and the commands that train as it does. */
final class DataFlags {
  @Option(
      names = "--workers",
      description = "Threads decoding and augmenting image files (default: all cores).")
  Integer workers;

  @Option(
      names = "--cache",
      description =
          "auto, on or off: keep decoded, resized images in memory (auto: when they take at most"
              + " 2 GB and a quarter of the heap).")
  String cache;

  @Option(
      names = "--max-pixels",
      description = "Refuse images with more pixels than this before decoding (default: 40000000).")
  Long maxPixels;

  /** The defaults, overridden by every flag given. */
  DataOptions options() {
    DataOptions d = DataOptions.defaults();
    return new DataOptions(
        workers != null ? workers : d.workers(),
        cache != null ? cache : d.cache(),
        maxPixels != null ? maxPixels : d.maxPixels());
  }
}
