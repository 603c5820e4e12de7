package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.runtime.OpenOptions;
import dev.imgclass.train.models.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How {@code eval}, {@code predict} and {@code bench} open a MODEL: a run directory (libtorch) or
 * an {@code .onnx} file (ONNX Runtime), with threads, precision and execution provider.
 */
final class ModelOptions {
  @Option(names = "--model", required = true, description = "Run directory or .onnx file.")
  Path model;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Intra-op threads (default: all cores).")
  int threads;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description = "libtorch models: fp32 or bf16 (default: fp32).")
  String precision;

  @Option(
      names = "--provider",
      defaultValue = "cpu",
      description = "ONNX models: cpu, cuda or tensorrt (default: cpu).")
  String provider;

  @Option(
      names = "--classes",
      split = ",",
      description = "ONNX files without imgclass metadata: class names in output order.")
  List<String> classes;

  @Option(
      names = "--mean",
      split = ",",
      description = "ONNX files without imgclass metadata: per-channel mean of [0,1] pixels.")
  List<Double> mean;

  @Option(
      names = "--std",
      split = ",",
      description = "ONNX files without imgclass metadata: per-channel std.")
  List<Double> std;

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

  OpenOptions options() {
    return new OpenOptions(
        threads,
        provider,
        precision,
        Optional.ofNullable(classes),
        Optional.ofNullable(mean),
        Optional.ofNullable(std));
  }

  /** The model, opened the one way every command opens one ({@link Classifiers#open}). */
  Classifier open() {
    return Classifiers.open(model, options());
  }
}
