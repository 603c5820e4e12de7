package dev.imgclass.experiments;

import static dev.imgclass.experiments.TestEvents.exposure;
import static dev.imgclass.experiments.TestEvents.label;
import static dev.imgclass.experiments.TestEvents.plain;
import static dev.imgclass.experiments.TestEvents.reward;
import static dev.imgclass.experiments.TestEvents.shadow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventStore} does, run against each database by a subclass: it gives a fresh,
 * empty database per test and a way to reach it outside the store.
 */
abstract class EventStoreContract {
  /** The location {@link EventStore#open} gets; the same database throughout one test. */
  abstract String location() throws Exception;

  /** A plain JDBC connection to the store's database (and schema). */
  abstract Connection rawConnection() throws SQLException;

  /** Called before each test, before the store opens. */
  void createDatabase() throws Exception {}

  /** Called after each test, after the store closed. */
  void dropDatabase() throws Exception {}

  EventStore store;

  @BeforeEach
  final void openStore() throws Exception {
    createDatabase();
    store = EventStore.open(location());
  }

  @AfterEach
  final void closeStore() throws Exception {
    if (store != null) store.close();
    dropDatabase();
  }

  EventStore reopen() throws Exception {
    store.close();
    store = EventStore.open(location());
    return store;
  }

  long queryLong(String sql) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  void execute(String sql) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void schemaIsAtTheLatestVersionAfterOpen() throws Exception {
    assertThat(store.schemaVersion()).isEqualTo(JdbcEventStore.LATEST_SCHEMA).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM schema_version")).isEqualTo(1);
    assertThat(queryLong("SELECT version FROM schema_version")).isEqualTo(1);
    for (String table :
        List.of("exposures", "feedback", "experiments", "experiment_events", "evaluations"))
      assertThat(queryLong("SELECT COUNT(*) FROM " + table)).as(table).isZero();
  }

  @Test
  void reopeningKeepsDataAndSchema() throws Exception {
    store.insertExposures(List.of(exposure("r1", "exp", 1, "A", "u1", 100)));
    store.insertFeedback(List.of(label("r1", 3, 150)));
    reopen();
    assertThat(store.schemaVersion()).isEqualTo(1);
    assertThat(queryLong("SELECT COUNT(*) FROM schema_version")).isEqualTo(1);
    assertThat(store.exposure("r1")).contains(exposure("r1", "exp", 1, "A", "u1", 100));
    assertThat(store.hasFeedback("r1")).isTrue();
    assertThat(store.exposureCount()).isEqualTo(1);
  }

  @Test
  void exposuresRoundTripWithNullsAndFlags() {
    Exposure failed =
        new Exposure(
            "r-ü✓", null, 0, null, null, "résnet", 7, -1, 0f, 123_456_789L, 1L << 41, false, true);
    Exposure mirrored =
        new Exposure("r2", "exp", 2, "B", "unit 2", "m", 3, 9, 0.1f, 1, 5, true, false);
    store.insertExposures(List.of(failed, mirrored));
    assertThat(store.exposure("r-ü✓")).contains(failed);
    assertThat(store.exposure("r2")).contains(mirrored);
    assertThat(store.exposure("nope")).isEmpty();
    assertThat(store.hasFeedback("r2")).isFalse();
    store.insertExposures(List.of());
    store.insertFeedback(List.of());
    assertThat(store.exposureCount()).isEqualTo(2);
  }

  @Test
  void insertsAreIdempotentOnTheRequestId() throws SQLException {
    Exposure a = exposure("a", "exp", 1, "A", "u1", 10);
    Exposure b = exposure("b", "exp", 1, "B", "u2", 11);
    Exposure aAgain = plain("a", "other", 9, 99);
    store.insertExposures(List.of(a, b, aAgain));
    store.insertExposures(List.of(a, b, exposure("c", "exp", 1, "A", "u3", 12)));
    assertThat(store.exposureCount()).isEqualTo(3);
    assertThat(store.exposure("a")).contains(a);

    store.insertFeedback(List.of(label("a", 3, 20), label("a", 5, 21)));
    store.insertFeedback(List.of(label("a", 4, 22), reward("b", 0.5, 23)));
    List<Observation> obs = store.observations("exp", 1);
    assertThat(obs).extracting(Observation::requestId).containsExactly("a", "b", "c");
    assertThat(obs.get(0).label()).isEqualTo(3);
    assertThat(obs.get(0).feedbackMillis()).isEqualTo(20);
    assertThat(obs.get(1).reward()).isEqualTo(0.5);
    assertThat(queryLong("SELECT COUNT(*) FROM feedback")).isEqualTo(2);
  }

  @Test
  void observationsJoinFeedbackInTimeOrder() {
    store.insertExposures(
        List.of(
            exposure("r3", "exp", 1, "B", "u3", 300),
            exposure("r1", "exp", 1, "A", "u1", 100),
            exposure("r2b", "exp", 1, "A", "u2", 200),
            exposure("r2a", "exp", 1, "B", "u4", 200),
            shadow(exposure("s1", "exp", 1, "shadow", "u1", 150)),
            exposure("other-period", "exp", 2, "A", "u1", 50),
            exposure("other-exp", "exp2", 1, "A", "u1", 60),
            plain("outside", "m", 1, 70)));
    store.insertFeedback(
        List.of(
            label("r1", 3, 1000),
            reward("r3", 0.25, 1100),
            label("s1", 2, 1200),
            label("x", 1, 1)));

    List<Observation> obs = store.observations("exp", 1);
    assertThat(obs).extracting(Observation::requestId).containsExactly("r1", "r2a", "r2b", "r3");
    Observation r1 = obs.get(0);
    assertThat(r1)
        .isEqualTo(new Observation("r1", "A", "u1", 3, 0.75f, 1200, false, 100, 3, null, 1000));
    assertThat(r1.labelled()).isTrue();
    assertThat(r1.outcome()).isEqualTo(1.0);
    Observation unlabelled = obs.get(1);
    assertThat(unlabelled.label()).isNull();
    assertThat(unlabelled.reward()).isNull();
    assertThat(unlabelled.feedbackMillis()).isZero();
    assertThat(unlabelled.labelled()).isFalse();
    assertThat(obs.get(3).reward()).isEqualTo(0.25);
    assertThat(obs.get(3).label()).isNull();

    List<Observation> shadows = store.shadowObservations("exp", 1);
    assertThat(shadows).extracting(Observation::requestId).containsExactly("s1");
    assertThat(shadows.get(0).arm()).isEqualTo("shadow");
    assertThat(shadows.get(0).label()).isEqualTo(2);
    assertThat(store.observations("exp", 3)).isEmpty();
    assertThat(store.observations("nope", 1)).isEmpty();
  }

  @Test
  void rebucketedUnitsSawAnotherArmInAnEarlierPeriod() {
    store.insertExposures(
        List.of(
            exposure("1", "exp", 1, "A", "u1", 10),
            exposure("2", "exp", 1, "A", "u2", 11),
            exposure("3", "exp", 1, "A", "u4", 12),
            exposure("4", "exp", 2, "B", "u1", 20),
            exposure("5", "exp", 2, "A", "u2", 21),
            exposure("6", "exp", 2, "B", "u3", 22), // new in period 2
            exposure("7", "exp", 2, "B", "u4", 23),
            exposure("8", "exp", 2, "A", "u4", 24), // u4's latest arm is A again
            exposure("9", "exp", 1, "B", "u5", 13),
            shadow(exposure("10", "exp", 2, "shadow", "u5", 25)), // shadow: u5 not exposed
            exposure("11", "exp", 2, "B", "u6", 26),
            shadow(exposure("12", "exp", 1, "shadow", "u6", 14)), // a shadow is no exposure
            exposure("13", "other", 1, "A", "u7", 15),
            exposure("14", "exp", 2, "B", "u7", 27), // earlier arm in another experiment
            exposure("15", "exp", 2, "B", null, 28),
            exposure("16", "exp", 3, "A", "u1", 30)));

    assertThat(store.rebucketedUnits("exp", 2)).containsExactly("u1");
    assertThat(store.rebucketedUnits("exp", 1)).isEmpty();
    // u1 saw A (period 1) and B (period 2) before A in period 3
    assertThat(store.rebucketedUnits("exp", 3)).containsExactly("u1");
    assertThat(store.rebucketedUnits("nope", 2)).isEmpty();
  }

  @Test
  void recentObservationsAreTheNewestOldestFirst() {
    List<Exposure> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) all.add(plain("r" + i, "m", 1, 100 + i));
    all.add(plain("v2", "m", 2, 105));
    all.add(plain("other-model", "n", 1, 105));
    all.add(shadow(plain("shadow", "m", 1, 108)));
    all.add(exposure("in-experiment", "exp", 1, "A", "u1", 109)); // model m v1 too
    store.insertExposures(all);
    store.insertFeedback(List.of(label("r9", 2, 200)));

    assertThat(store.recentObservations("m", 1, 0, 3))
        .extracting(Observation::requestId)
        .containsExactly("r8", "in-experiment", "r9");
    assertThat(store.recentObservations("m", 1, 0, 3).get(2).label()).isEqualTo(2);
    assertThat(store.recentObservations("m", 1, 107, 100))
        .extracting(Observation::requestId)
        .containsExactly("r7", "r8", "in-experiment", "r9");
    assertThat(store.recentObservations("m", 1, 0, 100)).hasSize(11);
    assertThat(store.recentObservations("m", 1, 0, 0)).isEmpty();
    assertThat(store.recentObservations("m", 2, 0, 10))
        .extracting(Observation::requestId)
        .containsExactly("v2");
    assertThat(store.recentObservations("m", 1, 1000, 10)).isEmpty();
  }

  @Test
  void experimentsAreUpserted() {
    ExperimentRecord b = new ExperimentRecord("b", "{\"arms\":[]}", "running", 1, 10, 10, null);
    ExperimentRecord a = new ExperimentRecord("a", "{}", "running", 1, 5, 5, null);
    store.saveExperiment(b);
    store.saveExperiment(a);
    ExperimentRecord stopped =
        new ExperimentRecord("b", "{\"arms\":[1]}", "rolled_back", 2, 20, 30, "error rate");
    store.saveExperiment(stopped);
    assertThat(store.experiment("b")).contains(stopped);
    assertThat(store.experiment("a")).contains(a);
    assertThat(store.experiment("c")).isEmpty();
    assertThat(store.experiments()).containsExactly(a, stopped);
  }

  @Test
  void eventsListInTimeOrder() {
    store.appendEvent(new ExperimentEvent("e1", 200, "started", null));
    store.appendEvent(new ExperimentEvent("e1", 100, "created", "by test"));
    store.appendEvent(new ExperimentEvent("e2", 150, "created", null));
    store.appendEvent(new ExperimentEvent("e1", 200, "period", "weights 50/50"));
    assertThat(store.events("e1"))
        .containsExactly(
            new ExperimentEvent("e1", 100, "created", "by test"),
            new ExperimentEvent("e1", 200, "started", null),
            new ExperimentEvent("e1", 200, "period", "weights 50/50"));
    assertThat(store.events("e2")).hasSize(1);
    assertThat(store.events("e3")).isEmpty();
  }

  @Test
  void evaluationsRoundTripTheirBlob() {
    byte[] correct = new byte[1000];
    for (int i = 0; i < correct.length; i++) correct[i] = (byte) (i % 3 == 0 ? 0 : 1);
    correct[7] = (byte) 0xff;
    EvaluationRecord later =
        new EvaluationRecord(
            "m", 2, 300, "eval-set:test", 1000, 0.66, "{\"ece\":0.1}", correct, true);
    EvaluationRecord earlier =
        new EvaluationRecord("m", 1, 100, "feedback", 12, 0.75, "{}", new byte[0], false);
    store.saveEvaluation(later);
    store.saveEvaluation(earlier);
    store.saveEvaluation(new EvaluationRecord("n", 1, 50, "feedback", 1, 1, "{}", null, false));

    List<EvaluationRecord> got = store.evaluations("m");
    assertThat(got).hasSize(2);
    assertThat(got.get(0)).usingRecursiveComparison().isEqualTo(earlier);
    assertThat(got.get(1)).usingRecursiveComparison().isEqualTo(later);
    assertThat(got.get(1).correct()).isEqualTo(correct);
    assertThat(got.get(0).correct()).isEmpty();
    assertThat(store.evaluations("n").get(0).correct()).isNotNull().isEmpty();
    assertThat(store.evaluations("none")).isEmpty();
  }

  @Test
  void aNewerSchemaIsRefused() throws Exception {
    store.close();
    execute("UPDATE schema_version SET version = 99");
    assertThatThrownBy(() -> EventStore.open(location()))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("at schema 99, this imgclass knows up to 1")
        .hasMessageNotContaining("\n");
    execute("UPDATE schema_version SET version = 1");
    store = EventStore.open(location());
    assertThat(store.schemaVersion()).isEqualTo(1);
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseIsRefused() {
    store.close();
    store.close();
    assertThatThrownBy(() -> store.exposureCount())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void concurrentWritersAndReaders() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int b = 0; b < 10; b++) {
                    List<Exposure> batch = new ArrayList<>();
                    for (int i = 0; i < 500; i++)
                      batch.add(plain("t" + thread + "-" + b + "-" + i, "m", 1, i));
                    store.insertExposures(batch);
                    store.recentObservations("m", 1, 0, 10);
                  }
                }));
      }
      for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.exposureCount()).isEqualTo(20_000);
  }

  @Test
  void insertThroughput() {
    int batches = 100;
    int batchSize = 1000;
    List<List<Exposure>> all = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<Exposure> batch = new ArrayList<>(batchSize);
      for (int i = 0; i < batchSize; i++) {
        int n = b * batchSize + i;
        batch.add(
            new Exposure(
                String.format("req-%08d", n),
                "exp",
                1,
                n % 2 == 0 ? "A" : "B",
                "unit-" + (n % 5000),
                "m",
                1,
                n % 10,
                0.8f,
                1500,
                1_700_000_000_000L + n,
                false,
                false));
      }
      all.add(batch);
    }
    store.insertExposures(all.get(0).subList(0, 10)); // warm-up, kept (idempotent)
    long start = System.nanoTime();
    for (List<Exposure> batch : all) store.insertExposures(batch);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(store.exposureCount()).isEqualTo((long) batches * batchSize);
    System.out.printf(
        "%s insert throughput: %,d exposures in batches of %,d in %.2f s = %,.0f rows/s%n",
        getClass().getSimpleName(),
        batches * batchSize,
        batchSize,
        seconds,
        batches * batchSize / seconds);
  }
}
