package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentsTest {
  static final List<String> CLASSES = List.of("bright", "dark");
  static final Experiments.Catalog CATALOG =
      (model, version) ->
          model.equals("m") && version <= 3
              ? Optional.of(CLASSES)
              : model.equals("other") && version == 1
                  ? Optional.of(List.of("x", "y"))
                  : Optional.empty();

  @TempDir Path dir;
  EventStore store;
  EventWriter writer;
  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  final List<String> log = new ArrayList<>();

  @BeforeEach
  void open() {
    store = EventStore.open(dir.resolve("events.db").toString());
    writer = new EventWriter(store, 50, 1000, 100_000);
  }

  @AfterEach
  void close() {
    writer.close();
    store.close();
  }

  Experiments experiments() {
    return new Experiments(store, writer, CATALOG, clock::get, log::add);
  }

  static String config(double wc, double wt) {
    return "{\"id\":\"e1\",\"model\":\"m\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":"
        + wc
        + "},{\"name\":\"treatment\",\"version\":2,\"weight\":"
        + wt
        + "}],\"guardrails\":{\"min_requests\":50,\"p99_latency_margin_ms\":1}}";
  }

  @Test
  void a_unit_always_sees_the_same_arm_and_requests_without_a_unit_are_not_counted() {
    Experiments ex = experiments();
    ex.put(config(1, 1));
    Map<String, Integer> counts = new HashMap<>();
    for (int u = 0; u < 2000; u++) {
      Route r = ex.route("m", "user-" + u).orElseThrow();
      assertThat(r.counted()).isTrue();
      assertThat(ex.route("m", "user-" + u).orElseThrow().arm()).isEqualTo(r.arm());
      counts.merge(r.arm(), 1, Integer::sum);
      assertThat(r.version()).isEqualTo(r.arm().equals("control") ? 1 : 2);
    }
    assertThat(counts.get("control")).isBetween(900, 1100);
    Route none = ex.route("m", null).orElseThrow();
    assertThat(none.counted()).isFalse();
    assertThat(none.arm()).isEqualTo("control");
    assertThat(ex.route("another-model", "user-1")).isEmpty();
  }

  @Test
  void ramping_the_treatment_moves_units_only_into_it_and_starts_a_new_period() {
    Experiments ex = experiments();
    ex.put(config(0.95, 0.05));
    Map<String, String> before = new HashMap<>();
    for (int u = 0; u < 5000; u++) before.put("u" + u, ex.route("m", "u" + u).orElseThrow().arm());
    ExperimentRecord rec = ex.put(config(0.5, 0.5));
    assertThat(rec.period()).isEqualTo(2);
    int moved = 0;
    for (int u = 0; u < 5000; u++) {
      String now = ex.route("m", "u" + u).orElseThrow().arm();
      if (before.get("u" + u).equals("treatment")) assertThat(now).isEqualTo("treatment");
      if (!now.equals(before.get("u" + u))) moved++;
    }
    assertThat(moved).isBetween(2000, 2500); // about 45 % of units move control → treatment
    assertThat(store.events("e1")).extracting(ExperimentEvent::kind).contains("created", "period");
    // a change that does not touch the split keeps the period
    assertThat(
            ex.put(config(0.5, 0.5).replace("\"min_requests\":50", "\"min_requests\":60")).period())
        .isEqualTo(2);
  }

  @Test
  void units_moved_by_a_change_of_weights_are_found_and_left_out_of_the_new_period() {
    Experiments ex = experiments();
    ex.put(config(0.9, 0.1));
    List<String> units = new ArrayList<>();
    for (int u = 0; u < 400; u++) units.add("u" + u);
    Map<String, String> before = new HashMap<>();
    for (String u : units) before.put(u, serve(ex, u, true, 1000).arm());
    ex.put(config(0.5, 0.5));
    int moved = 0;
    for (String u : units) {
      Route r = serve(ex, u, true, 1000);
      if (!r.arm().equals(before.get(u))) moved++;
    }
    writer.flush();
    assertThat(store.rebucketedUnits("e1", 2)).hasSize(moved);
    ExperimentReport report = ex.report("e1");
    assertThat(report.period()).isEqualTo(2);
    assertThat(report.rebucketedUnits()).isEqualTo(moved);
    long counted = report.arms().stream().mapToLong(ExperimentReport.ArmReport::units).sum();
    assertThat(counted).isEqualTo(units.size() - moved);
  }

  private int seq;

  /** One served request through the experiment, written as an exposure with feedback. */
  private Route serve(Experiments ex, String unit, boolean right, long latencyMicros) {
    Route r = ex.route("m", unit).orElseThrow();
    String id = "r" + (seq++);
    writer.offer(
        new Exposure(
            id,
            r.counted() ? r.experiment() : null,
            r.counted() ? r.period() : 0,
            r.counted() ? r.arm() : null,
            unit,
            r.model(),
            r.version(),
            0,
            0.9f,
            latencyMicros,
            clock.incrementAndGet(),
            false,
            false));
    writer.offer(new Feedback(id, right ? 0 : 1, null, clock.get()));
    ex.served(r, latencyMicros, false);
    return r;
  }

  @Test
  void a_latency_breach_rolls_back_to_the_control_and_is_recorded() {
    Experiments ex = experiments();
    ex.put(config(1, 1));
    for (int u = 0; u < 400; u++) {
      String unit = "u" + u;
      Route r = ex.route("m", unit).orElseThrow();
      serve(ex, unit, true, r.arm().equals("treatment") ? 20_000 : 1_000);
    }
    assertThat(ex.checkGuardrails()).containsExactly("e1");
    assertThat(ex.stateOf("e1")).contains(Experiments.ROLLED_BACK);
    for (int u = 0; u < 100; u++) {
      Route r = ex.route("m", "u" + u).orElseThrow();
      assertThat(r.arm()).isEqualTo("control");
      assertThat(r.counted()).isFalse();
    }
    ExperimentReport report = ex.report("e1");
    assertThat(report.decision().decision()).isEqualTo(Analysis.ROLL_BACK);
    assertThat(report.decision().reason()).contains("p99 latency");
    assertThat(store.events("e1")).extracting(ExperimentEvent::kind).contains("rollback");
  }

  @Test
  void equal_latency_does_not_trip_the_guardrail() {
    Experiments ex = experiments();
    ex.put(config(1, 1));
    for (int u = 0; u < 400; u++) serve(ex, "u" + u, true, 1000 + (u % 7) * 10);
    assertThat(ex.checkGuardrails()).isEmpty();
    assertThat(ex.stateOf("e1")).contains(Experiments.RUNNING);
  }

  @Test
  void state_and_live_numbers_survive_a_restart() {
    Experiments ex = experiments();
    ex.put(config(1, 1));
    for (int u = 0; u < 300; u++) serve(ex, "u" + u, u % 10 != 0, 1000);
    writer.flush();
    ExperimentReport before = ex.report("e1");
    Experiments again = experiments();
    assertThat(again.stateOf("e1")).contains(Experiments.RUNNING);
    ExperimentReport after = again.report("e1");
    assertThat(after.arms()).isEqualTo(before.arms());
    assertThat(after.period()).isEqualTo(1);
    assertThat(again.route("m", "u7"))
        .map(Route::arm)
        .isEqualTo(ex.route("m", "u7").map(Route::arm));
  }

  @Test
  void stopping_returns_traffic_to_the_default_version() {
    Experiments ex = experiments();
    ex.put(config(1, 1));
    ex.stop("e1", "done");
    assertThat(ex.route("m", "u1")).isEmpty();
    assertThat(ex.stateOf("e1")).contains(Experiments.STOPPED);
    // putting it again runs it again, in a new period
    assertThat(ex.put(config(1, 1)).period()).isEqualTo(2);
  }

  @Test
  void bad_experiments_are_refused_with_the_reason() {
    Experiments ex = experiments();
    assertThatThrownBy(() -> ex.put(config(1, 1).replace("\"version\":2", "\"version\":9")))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("has no version 9 in the store");
    assertThatThrownBy(
            () ->
                ex.put(config(1, 1).replace("\"version\":2", "\"model\":\"other\",\"version\":1")))
        .hasMessageContaining("other classes than the control");
    ex.put(config(1, 1));
    assertThatThrownBy(() -> ex.put(config(1, 1).replace("\"e1\"", "\"e2\"")))
        .isInstanceOf(ExperimentConflictException.class)
        .hasMessageContaining("already runs experiment e1");
    assertThatThrownBy(() -> ex.stop("nope", null)).hasMessageContaining("no experiment 'nope'");
  }

  @Test
  void experiment_files_in_a_folder_are_registered_and_bad_ones_reported() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("_experiments"));
    Files.writeString(folder.resolve("e1.json"), config(1, 1));
    Files.writeString(folder.resolve("broken.json"), "{\"id\":");
    Experiments ex = experiments();
    assertThat(ex.loadDirectory(folder)).isEqualTo(1);
    assertThat(ex.stateOf("e1")).contains(Experiments.RUNNING);
    assertThat(log).anyMatch(l -> l.contains("broken.json skipped"));
    // unchanged on the next start: nothing new
    assertThat(experiments().loadDirectory(folder)).isZero();
  }

  @Test
  void a_start_in_the_future_leaves_traffic_alone_until_then() {
    Experiments ex = experiments();
    String start = java.time.Instant.ofEpochMilli(clock.get() + 60_000).toString();
    ex.put(config(1, 1).replace("}],", "}],\"start\":\"" + start + "\","));
    assertThat(ex.route("m", "u1")).isEmpty();
    assertThat(ex.stateOf("e1")).contains("scheduled");
    clock.addAndGet(61_000);
    assertThat(ex.route("m", "u1")).isPresent();
  }
}
