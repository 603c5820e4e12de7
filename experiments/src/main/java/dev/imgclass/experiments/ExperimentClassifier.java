package dev.imgclass.experiments;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The experiment's assignment as a {@link Classifier} decorator, for code that embeds imgclass
 * without the HTTP server: {@link #forUnit} gives the classifier a unit sees (its arm's model
 * version), and every prediction through it is an exposure event. The server does the same per
 * request. Predictions by {@code defaultVersion} (no experiment applies) are logged with version 0:
 * which version that is, only the caller knows.
 */
public final class ExperimentClassifier {
  private final Experiments experiments;
  private final String model;
  private final Classifier defaultVersion;
  private final BiFunction<String, Integer, Classifier> versions;
  private final EventWriter writer;

  /**
   * @param experiments where the routes come from
   * @param model the model whose traffic is split
   * @param defaultVersion what serves requests no experiment applies to
   * @param versions (model, version) → its classifier, for the arms
   * @param writer where the exposures go
   */
  public ExperimentClassifier(
      Experiments experiments,
      String model,
      Classifier defaultVersion,
      BiFunction<String, Integer, Classifier> versions,
      EventWriter writer) {
    this.experiments = experiments;
    this.model = model;
    this.defaultVersion = defaultVersion;
    this.versions = versions;
    this.writer = writer;
  }

  /** The route a unit gets now (empty: the default version, nothing counted). */
  public Optional<Route> route(String unit) {
    return experiments.route(model, unit);
  }

  /**
   * The classifier {@code unit} sees. Its {@link Classifier#close} closes nothing: the versions
   * belong to the caller.
   */
  public Classifier forUnit(String unit) {
    return new Classifier() {
      @Override
      public ModelSpec spec() {
        return defaultVersion.spec();
      }

      @Override
      public float[][] logits(float[] inputs, int n) {
        Optional<Route> r = experiments.route(model, unit);
        Classifier c = r.map(x -> versions.apply(x.model(), x.version())).orElse(defaultVersion);
        long t0 = System.nanoTime();
        float[][] out;
        try {
          out = c.logits(inputs, n);
        } catch (RuntimeException e) {
          long us = (System.nanoTime() - t0) / 1000;
          r.ifPresent(x -> experiments.served(x, us, true));
          throw e;
        }
        long us = (System.nanoTime() - t0) / 1000;
        long now = System.currentTimeMillis();
        Route route = r.orElse(null);
        String m = route == null ? model : route.model();
        int v = route == null ? 0 : route.version();
        for (float[] row : out)
          writer.offer(
              Exposure.answered(
                  UUID.randomUUID().toString(), route, false, unit, m, v, row, us, now));
        r.ifPresent(x -> experiments.served(x, us, false));
        return out;
      }

      @Override
      public void close() {}
    };
  }
}
