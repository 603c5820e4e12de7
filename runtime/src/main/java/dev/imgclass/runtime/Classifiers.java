package dev.imgclass.runtime;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * The one way to open a trained model as a {@link Classifier}: an {@code .onnx} file (ONNX Runtime,
 * preprocessing from the file's metadata) or a run directory written by training (libtorch, when
 * {@code imgclass-train} is on the classpath; otherwise the directory's exported {@code
 * model.onnx}). Close the classifier when done: it holds native memory.
 *
 * <pre>{@code
 * try (Classifier c = Classifiers.open(Path.of("runs/demo1/model.onnx"))) {
 *   List<Prediction> top3 = c.classify(ImageIO.read(new File("shoe.png")), 3);
 * }
 * }</pre>
 */
public final class Classifiers {
  /** The file a run directory's ONNX export is written to. */
  public static final String ONNX_FILE = "model.onnx";

  private Classifiers() {}

  public static Classifier open(Path model) {
    return open(model, OpenOptions.defaults());
  }

  public static Classifier open(Path model, OpenOptions options) {
    if (Files.isRegularFile(model)) {
      if (isOnnx(model)) return OnnxClassifier.open(model, options.onnx());
      throw new ImgclassException(
          "not a model: " + model + " (give a run directory or an .onnx file)");
    }
    if (!Files.isDirectory(model)) {
      throw new ImgclassException(
          "model not found: " + model + " (give a run directory or an .onnx file)");
    }
    for (ClassifierProvider p : ServiceLoader.load(ClassifierProvider.class)) {
      if (p.opens(model)) return p.open(model, options);
    }
    Path onnx = model.resolve(ONNX_FILE);
    if (Files.isRegularFile(onnx)) return OnnxClassifier.open(onnx, options.onnx());
    if (Files.isRegularFile(model.resolve(ModelCard.FILE))) {
      throw new ImgclassException(
          model
              + " is a run directory without "
              + ONNX_FILE
              + ": its libtorch weights need imgclass-train on the classpath; or export the run"
              + " to ONNX and open that file");
    }
    throw new ImgclassException(
        "not a model: "
            + model
            + " has no "
            + ModelCard.FILE
            + " (give a run directory written"
            + " by training, or an .onnx file)");
  }

  /** Whether a path names an ONNX file, by its extension. */
  public static boolean isOnnx(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
  }
}
