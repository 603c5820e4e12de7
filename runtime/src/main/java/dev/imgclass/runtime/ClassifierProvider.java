package dev.imgclass.runtime;

import java.nio.file.Path;

/**
 * Opens models that ONNX Runtime cannot: a run directory's libtorch weights. Implementations are
 * found with {@link java.util.ServiceLoader} ({@code META-INF/services}), so that the runtime
 * module never depends on the training engine; {@code imgclass-train} registers one.
 * Implementations must load no native library before {@link #open} is called.
 */
public interface ClassifierProvider {
  /** Whether {@code model} is something this provider opens (checked from files only). */
  boolean opens(Path model);

  Classifier open(Path model, OpenOptions options);
}
