package dev.imgclass.cli;

import dev.imgclass.runtime.OpenOptions;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The flags with which every command that runs a model opens it ({@code eval}, {@code predict},
 * {@code bench}, {@code compare}, {@code report}): threads, libtorch precision, ONNX Runtime
 * execution provider, and preprocessing for ONNX files without imgclass metadata.
 */
final class OpenFlags {
  @Option(
      names = "--threads",
      defaultValue = "0",
      description = "Intra-op threads (default: all cores).")
  int threads;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description = "Run directories (libtorch): fp32, bf16 or auto (default: fp32).")
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

  OpenOptions options() {
    return new OpenOptions(
        threads,
        provider,
        precision,
        Optional.ofNullable(classes),
        Optional.ofNullable(mean),
        Optional.ofNullable(std));
  }
}
