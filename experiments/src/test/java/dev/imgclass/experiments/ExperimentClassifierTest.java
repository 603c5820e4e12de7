package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The assignment as a Classifier decorator, without HTTP. */
class ExperimentClassifierTest {
  static final List<String> CLASSES = List.of("a", "b");

  /** Always answers {@code cls}. */
  static Classifier constant(int cls) {
    ModelSpec spec = new ModelSpec("fake", CLASSES, 1, 8, List.of(0.0), List.of(1.0));
    return new Classifier() {
      @Override
      public ModelSpec spec() {
        return spec;
      }

      @Override
      public float[][] logits(float[] x, int n) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) out[i] = cls == 0 ? new float[] {2, 0} : new float[] {0, 2};
        return out;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void each_unit_gets_its_arms_version_and_every_prediction_is_an_exposure(@TempDir Path dir) {
    try (EventStore store = EventStore.open(dir.resolve("e.db").toString());
        EventWriter writer = new EventWriter(store, 20, 100, 10_000)) {
      Experiments ex =
          new Experiments(
              store, writer, (m, v) -> Optional.of(CLASSES), System::currentTimeMillis, line -> {});
      ex.put(
          "{\"id\":\"e\",\"model\":\"m\",\"metric\":\"reward\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
              + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]}");
      Classifier v1 = constant(0);
      Classifier v2 = constant(1);
      ExperimentClassifier ab =
          new ExperimentClassifier(ex, "m", v1, (m, v) -> v == 1 ? v1 : v2, writer);
      List<String> treated = new ArrayList<>();
      for (int u = 0; u < 400; u++) {
        String unit = "u" + u;
        float[][] logits = ab.forUnit(unit).logits(new float[64], 1);
        String arm = ab.route(unit).orElseThrow().arm();
        // the arm's version answered
        assertThat(logits[0][1] > logits[0][0]).isEqualTo(arm.equals("treatment"));
        if (arm.equals("treatment")) treated.add(unit);
      }
      writer.flush();
      List<Observation> obs = store.observations("e", 1);
      assertThat(obs).hasSize(400);
      assertThat(obs.stream().filter(o -> o.arm().equals("treatment")).count())
          .isEqualTo(treated.size());
      // rewards as feedback: the treatment earns more
      for (Observation o : obs)
        writer.offer(
            new Feedback(
                o.requestId(),
                null,
                o.arm().equals("treatment") ? 1.0 : 0.2,
                System.currentTimeMillis()));
      writer.flush();
      ExperimentReport r = ex.report("e");
      assertThat(r.metric()).isEqualTo("reward");
      assertThat(r.arms().get(0).accuracy())
          .isEqualTo(0.2, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(r.arms().get(1).accuracy()).isEqualTo(1.0);
      assertThat(r.decision().decision()).isEqualTo(Analysis.SHIP);
      assertThat(r.decision().reason()).contains("mean reward");
    }
  }
}
