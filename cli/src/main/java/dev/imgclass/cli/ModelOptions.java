package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.train.models.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How {@code eval}, {@code predict} and {@code bench} name and open a MODEL: {@code --model} (a run
 * directory or an {@code .onnx} file) plus the {@link OpenFlags} every model-opening command
 * shares.
 */
final class ModelOptions {
  @Option(names = "--model", required = true, description = "Run directory or .onnx file.")
  Path model;

  @Mixin OpenFlags flags = new OpenFlags();

  /** A run directory's libtorch model, with the message a user needs when it is not one. */
  static dev.imgclass.train.models.Net loadRun(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ImgclassException(
          "model not found: " + dir + " (pass a run directory written by 'imgclass train')");
    }
    return Weights.loadModelDir(dir);
  }

  boolean isOnnx() {
    return Classifiers.isOnnx(model);
  }

  /** The model, opened the one way every command opens one ({@link Classifiers#open}). */
  Classifier open() {
    return Classifiers.open(model, flags.options());
  }
}
