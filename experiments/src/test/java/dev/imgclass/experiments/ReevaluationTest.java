package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.InMemoryDataset;
import dev.imgclass.runtime.Classifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReevaluationTest {
  static final List<String> CLASSES = List.of("bright", "dark");
  static final int S = 8;

  /** Right on every image whose index is not a multiple of {@code wrongEvery} (0: always right). */
  static Classifier model(int wrongEvery) {
    ModelSpec spec = new ModelSpec("fake", CLASSES, 1, S, List.of(0.0), List.of(1.0));
    return new Classifier() {
      @Override
      public ModelSpec spec() {
        return spec;
      }

      @Override
      public float[][] logits(float[] x, int n) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
          // pixel 0 carries the label (0 or 1) and pixel 1 the image's index / 255
          boolean dark = x[i * S * S] > 0.5f;
          int index = Math.round(x[i * S * S + 1] * 255);
          boolean wrong = wrongEvery > 0 && index % wrongEvery == 0;
          boolean sayDark = dark != wrong;
          out[i] = sayDark ? new float[] {0, 3} : new float[] {3, 0};
        }
        return out;
      }

      @Override
      public void close() {}
    };
  }

  static InMemoryDataset data(int n) {
    byte[] px = new byte[n * S * S];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      px[i * S * S] = (byte) (labels[i] == 1 ? 255 : 0);
      px[i * S * S + 1] = (byte) (i % 256);
    }
    return new InMemoryDataset(CLASSES, 1, S, S, px, labels);
  }

  @TempDir Path dir;
  EventStore store;
  EventWriter writer;
  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  final List<String> log = new ArrayList<>();

  @BeforeEach
  void open() {
    store = EventStore.open(dir.resolve("events.db").toString());
    writer = new EventWriter(store, 50, 1000, 10_000);
  }

  @AfterEach
  void close() {
    writer.close();
    store.close();
  }

  Reevaluation reevaluation() {
    return new Reevaluation(
        store,
        writer,
        clock::get,
        Duration.ofDays(14),
        Optional.of(new Reevaluation.EvalSet("test-set", data(512))),
        log::add);
  }

  @Test
  void the_schedule_fires_every_interval_and_history_grows() {
    Reevaluation r = reevaluation();
    List<Reevaluation.Deployed> deployed = List.of(new Reevaluation.Deployed("m", 1, model(20)));
    assertThat(r.tick(deployed)).hasSize(1); // never run: due now
    assertThat(r.tick(deployed)).isEmpty();
    clock.addAndGet(Duration.ofDays(13).toMillis());
    assertThat(r.tick(deployed)).isEmpty();
    clock.addAndGet(Duration.ofDays(1).toMillis());
    List<EvaluationRecord> second = r.tick(deployed);
    assertThat(second).hasSize(1);
    assertThat(store.evaluations("m")).hasSize(2);
    EvaluationRecord e = second.get(0);
    // 512 images, every 20th index wrong: 26 wrong (0, 20, ..., 500)
    assertThat(e.n()).isEqualTo(512);
    assertThat(e.accuracy()).isEqualTo((512 - 26) / 512.0);
    assertThat(e.alert()).isFalse();
    JsonNode result = Json.MAPPER.valueToTree(readTree(e.resultJson()));
    assertThat(result.get("balanced_accuracy").asDouble()).isBetween(0.9, 1.0);
    assertThat(result.get("per_class_recall").has("dark")).isTrue();
    assertThat(result.get("against_previous").get("mcnemar_p").asDouble()).isEqualTo(1.0);
  }

  @Test
  void a_worse_model_swapped_in_raises_the_alert() {
    Reevaluation r = reevaluation();
    r.tick(List.of(new Reevaluation.Deployed("m", 1, model(20))));
    clock.addAndGet(Duration.ofDays(1).toMillis());
    // version 2 is wrong on every 4th image: 128 wrong instead of 26; due at once (never run)
    List<EvaluationRecord> runs = r.tick(List.of(new Reevaluation.Deployed("m", 2, model(4))));
    assertThat(runs).hasSize(1);
    EvaluationRecord e = runs.get(0);
    assertThat(e.alert()).isTrue();
    JsonNode vs = readTree(e.resultJson()).get("against_previous");
    assertThat(vs.get("previous_version").asInt()).isEqualTo(1);
    assertThat(vs.get("mcnemar_p").asDouble()).isLessThan(Reevaluation.ALERT_P);
    assertThat(readTree(e.resultJson()).get("alert_reason").asText()).contains("fell from");
    assertThat(log).anyMatch(l -> l.contains("ALERT"));
  }

  @Test
  void feedback_accuracy_is_evaluated_and_a_drop_alerts() {
    Reevaluation r =
        new Reevaluation(
            store, writer, clock::get, Duration.ofDays(14), Optional.empty(), log::add);
    Reevaluation.Deployed d = new Reevaluation.Deployed("m", 1, model(0));
    feedback(1000, 0.95);
    assertThat(r.runNow(List.of(d)))
        .singleElement()
        .satisfies(e -> assertThat(e.alert()).isFalse());
    clock.addAndGet(1000);
    feedback(1000, 0.85);
    EvaluationRecord second = r.runNow(List.of(d)).get(0);
    assertThat(second.n()).isEqualTo(1000);
    assertThat(second.accuracy()).isEqualTo(0.85);
    assertThat(second.alert()).isTrue();
  }

  private int seq;

  private void feedback(int n, double accuracy) {
    for (int i = 0; i < n; i++) {
      String id = "f" + (seq++);
      long t = clock.incrementAndGet();
      writer.offer(
          new Exposure(id, null, 0, null, "u" + i, "m", 1, 0, 0.9f, 1000, t, false, false));
      writer.offer(new Feedback(id, i < accuracy * n ? 0 : 1, null, t));
    }
    writer.flush();
    clock.incrementAndGet();
  }

  @Test
  void an_evaluation_set_with_other_classes_is_refused() {
    InMemoryDataset other =
        new InMemoryDataset(List.of("cat", "dog"), 1, S, S, new byte[S * S], new int[] {0});
    Reevaluation r =
        new Reevaluation(
            store,
            writer,
            clock::get,
            Duration.ofDays(1),
            Optional.of(new Reevaluation.EvalSet("pets", other)),
            log::add);
    assertThatThrownBy(() -> r.tick(List.of(new Reevaluation.Deployed("m", 1, model(0)))))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("class 'cat' is not a class of the model");
    assertThatThrownBy(
            () ->
                new Reevaluation(
                    store, writer, clock::get, Duration.ZERO, Optional.empty(), log::add))
        .hasMessageContaining("must be positive");
  }

  private static JsonNode readTree(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
