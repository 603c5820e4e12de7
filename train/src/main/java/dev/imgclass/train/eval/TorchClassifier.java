package dev.imgclass.train.eval;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.models.Net;
import java.util.List;

/** A {@link Classifier} that runs the trained model in libtorch (eager). */
public final class TorchClassifier implements Classifier {
  private final Net net;
  private final Evaluator evaluator;

  public TorchClassifier(Net net, Precision precision) {
    this.net = net;
    this.evaluator = new Evaluator(net, precision, 64);
  }

  @Override
  public ModelSpec spec() {
    return net.spec();
  }

  @Override
  public float[][] probabilities(List<ImageU8> inputs) {
    return evaluator.probabilities(inputs);
  }

  @Override
  public void close() {
    // the model's tensors are freed with the process; nothing per-call is held
  }
}
