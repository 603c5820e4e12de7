package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelCard;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a MODEL argument (a run directory or a model directory) to a loaded network. */
final class ModelLoader {
  private ModelLoader() {}

  static Net load(Path model) {
    if (Files.isRegularFile(model) && model.toString().endsWith(".onnx")) {
      throw new ImgclassException(
          "cannot run "
              + model
              + ": this build runs run directories (model.json + weights.safetensors) only");
    }
    if (!Files.isDirectory(model)) {
      throw new ImgclassException(
          "model not found: " + model + " (pass a run directory written by 'imgclass train')");
    }
    return Weights.loadModelDir(model);
  }

  static ModelCard card(Path model) {
    return ModelCard.read(model);
  }
}
