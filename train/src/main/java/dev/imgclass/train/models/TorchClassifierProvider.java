package dev.imgclass.train.models;

import dev.imgclass.core.ModelCard;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.ClassifierProvider;
import dev.imgclass.runtime.OpenOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a run directory's libtorch weights for {@link dev.imgclass.runtime.Classifiers#open};
 * registered in {@code META-INF/services}. Touches no native code until {@link #open}.
 */
public final class TorchClassifierProvider implements ClassifierProvider {
  @Override
  public boolean opens(Path model) {
    return Files.isRegularFile(model.resolve(ModelCard.FILE))
        && Files.isRegularFile(model.resolve(ModelCard.WEIGHTS));
  }

  @Override
  public Classifier open(Path model, OpenOptions options) {
    Engine.threads(options.threads());
    return new TorchClassifier(Weights.loadModelDir(model), Precision.parse(options.precision()));
  }
}
