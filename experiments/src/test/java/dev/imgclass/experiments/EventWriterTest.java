package dev.imgclass.experiments;

import static dev.imgclass.experiments.TestEvents.label;
import static dev.imgclass.experiments.TestEvents.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventWriterTest {
  @TempDir Path dir;
  EventStore store;

  @BeforeEach
  void open() {
    store = EventStore.open(dir.resolve("events.db").toString());
  }

  @AfterEach
  void close() {
    store.close();
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> new EventWriter(store, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flushMillis");
    assertThatThrownBy(() -> new EventWriter(store, 1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatch");
    assertThatThrownBy(() -> new EventWriter(store, 1, 10, 9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
    assertThatThrownBy(() -> new EventWriter(null, 1, 1, 1))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void oneDaemonThreadNamedImgclassEvents() {
    try (EventWriter writer = new EventWriter(store, 10, 10, 10)) {
      List<Thread> threads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("imgclass-events"))
              .toList();
      assertThat(threads).hasSize(1);
      assertThat(threads.get(0).isDaemon()).isTrue();
      assertThat(writer.lastFlushMillis()).isZero();
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("imgclass-events"));
  }

  @Test
  void flushStoresEverythingOfferedBefore() {
    try (EventWriter writer = new EventWriter(store, 60_000, 1000, 1000)) {
      for (int i = 0; i < 10; i++) assertThat(writer.offer(plain("r" + i, "m", 1, i))).isTrue();
      assertThat(writer.offer(label("r3", 1, 100))).isTrue();
      // nothing is due for a minute: all of it waits
      assertThat(writer.pendingExposure("r3")).contains(plain("r3", "m", 1, 3));
      assertThat(writer.pendingFeedback("r3")).isTrue();
      assertThat(writer.pendingFeedback("r4")).isFalse();
      assertThat(store.exposureCount()).isZero();

      long before = System.currentTimeMillis();
      writer.flush();
      assertThat(store.exposureCount()).isEqualTo(10);
      assertThat(store.hasFeedback("r3")).isTrue();
      assertThat(writer.pendingExposure("r3")).isEmpty();
      assertThat(writer.pendingFeedback("r3")).isFalse();
      assertThat(writer.written()).isEqualTo(11);
      assertThat(writer.lastFlushMillis()).isGreaterThanOrEqualTo(before);
      assertThat(writer.dropped()).isZero();
      assertThat(writer.failed()).isZero();
      writer.flush(); // nothing waits: returns at once
    }
  }

  @Test
  void maxBatchStartsAWriteWithoutWaiting() throws Exception {
    try (EventWriter writer = new EventWriter(store, 60_000, 5, 100)) {
      for (int i = 0; i < 4; i++) writer.offer(plain("r" + i, "m", 1, i));
      Thread.sleep(100);
      assertThat(store.exposureCount()).isZero();
      writer.offer(plain("r4", "m", 1, 4));
      await(() -> store.exposureCount() == 5, "a full batch to be stored");
    }
  }

  @Test
  void flushMillisStartsAWrite() throws Exception {
    try (EventWriter writer = new EventWriter(store, 50, 1000, 1000)) {
      writer.offer(plain("r", "m", 1, 1));
      await(() -> store.exposureCount() == 1, "the timed write");
      await(() -> writer.lastFlushMillis() > 0, "lastFlushMillis");
    }
  }

  @Test
  void closeFlushesAndLaterOffersAreDropped() {
    EventWriter writer = new EventWriter(store, 60_000, 1000, 1000);
    writer.offer(plain("a", "m", 1, 1));
    writer.offer(plain("b", "m", 1, 2));
    writer.close();
    assertThat(store.exposureCount()).isEqualTo(2); // and the store is still open
    assertThat(writer.offer(plain("c", "m", 1, 3))).isFalse();
    assertThat(writer.offer(label("a", 1, 4))).isFalse();
    assertThat(writer.dropped()).isEqualTo(2);
    writer.close();
    writer.flush();
    assertThat(store.exposureCount()).isEqualTo(2);
  }

  @Test
  void exposuresAreStoredBeforeFeedback() {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    EventStore recording =
        new ForwardingEventStore(store) {
          @Override
          public void insertExposures(List<Exposure> exposures) {
            calls.add("exposures " + exposures.size());
            super.insertExposures(exposures);
          }

          @Override
          public void insertFeedback(List<Feedback> feedback) {
            calls.add("feedback " + feedback.size());
            super.insertFeedback(feedback);
          }
        };
    try (EventWriter writer = new EventWriter(recording, 60_000, 1000, 1000)) {
      writer.offer(label("a", 1, 5));
      writer.offer(plain("a", "m", 1, 1));
      writer.offer(label("b", 0, 6));
      writer.offer(plain("b", "m", 1, 2));
      writer.flush();
    }
    assertThat(calls).containsExactly("exposures 2", "feedback 2");
    assertThat(store.recentObservations("m", 1, 0, 10))
        .extracting(Observation::label)
        .containsExactly(1, 0);
  }

  @Test
  void aFullQueueDropsAndCounts() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventStore blocking =
        new ForwardingEventStore(store) {
          @Override
          public void insertExposures(List<Exposure> exposures) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            super.insertExposures(exposures);
          }
        };
    try (EventWriter writer = new EventWriter(blocking, 1, 1, 3)) {
      assertThat(writer.offer(plain("first", "m", 1, 0))).isTrue();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue(); // the writer holds "first"
      assertThat(writer.pendingExposure("first")).isPresent(); // being written
      for (int i = 0; i < 3; i++) assertThat(writer.offer(plain("q" + i, "m", 1, i))).isTrue();
      long start = System.nanoTime();
      assertThat(writer.offer(plain("over", "m", 1, 9))).isFalse();
      assertThat(writer.offer(label("first", 1, 9))).isFalse();
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
      assertThat(writer.dropped()).isEqualTo(2);
      assertThat(writer.pendingExposure("over")).isEmpty();
      release.countDown();
      writer.flush();
      assertThat(store.exposureCount()).isEqualTo(4);
      assertThat(writer.written()).isEqualTo(4);
      assertThat(store.exposure("over")).isEmpty();
    }
  }

  @Test
  void aFailingStoreCountsFailedAndTheThreadGoesOn() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    AtomicInteger attempts = new AtomicInteger();
    EventStore flaky =
        new ForwardingEventStore(store) {
          @Override
          public void insertExposures(List<Exposure> exposures) {
            attempts.incrementAndGet();
            if (failing.get()) throw new IllegalStateException("disk on fire");
            super.insertExposures(exposures);
          }
        };
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (EventWriter writer = new EventWriter(flaky, 60_000, 100, 100)) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        for (int i = 0; i < 3; i++) writer.offer(plain("lost" + i, "m", 1, i));
        writer.offer(label("lost0", 1, 5)); // feedback goes on after the exposures failed
        writer.flush();
      } finally {
        System.setErr(err);
      }
      assertThat(writer.failed()).isEqualTo(3);
      assertThat(writer.written()).isEqualTo(1);
      assertThat(attempts.get()).isEqualTo(4); // one try and three retries
      assertThat(writer.pendingExposure("lost0")).isEmpty();
      String log = captured.toString(StandardCharsets.UTF_8);
      assertThat(log.lines().toList())
          .containsExactly(
              "imgclass: events: 3 exposures lost, the store refused them 4 times:"
                  + " IllegalStateException: disk on fire");
      assertThat(store.hasFeedback("lost0")).isTrue();

      failing.set(false);
      writer.offer(plain("kept", "m", 1, 9));
      writer.flush();
      assertThat(store.exposure("kept")).isPresent();
      assertThat(writer.failed()).isEqualTo(3);
      assertThat(writer.written()).isEqualTo(2);
      assertThat(
              Thread.getAllStackTraces().keySet().stream()
                  .anyMatch(t -> t.getName().equals("imgclass-events") && t.isAlive()))
          .isTrue();
    }
  }

  @Test
  void aBatchThatSucceedsOnRetryIsNotFailed() {
    AtomicInteger calls = new AtomicInteger();
    EventStore twiceRefused =
        new ForwardingEventStore(store) {
          @Override
          public void insertExposures(List<Exposure> exposures) {
            if (calls.incrementAndGet() <= 2) throw new IllegalStateException("busy");
            super.insertExposures(exposures);
          }
        };
    try (EventWriter writer = new EventWriter(twiceRefused, 10, 100, 100)) {
      writer.offer(plain("a", "m", 1, 1));
      writer.flush();
      assertThat(writer.failed()).isZero();
      assertThat(writer.written()).isEqualTo(1);
      assertThat(store.exposure("a")).isPresent();
    }
  }

  @Test
  void eightThreadsOfferingTenThousandEach() throws Exception {
    int threads = 8;
    int each = 10_000;
    try (EventWriter writer = new EventWriter(store, 20, 1000, threads * each)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> offering = new ArrayList<>();
      AtomicInteger refused = new AtomicInteger();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  for (int i = 0; i < each; i++)
                    if (!writer.offer(plain("t" + thread + "-" + i, "m", 1, i)))
                      refused.incrementAndGet();
                });
        th.start();
        offering.add(th);
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Thread th : offering) th.join();
      writer.flush();
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(writer.dropped()).isZero();
      assertThat(refused.get()).isZero();
      assertThat(writer.failed()).isZero();
      assertThat(store.exposureCount()).isEqualTo((long) threads * each - writer.dropped());
      assertThat(writer.written()).isEqualTo(threads * each);
      System.out.printf(
          "EventWriter: %,d exposures from %d threads offered and stored in %.2f s%n",
          threads * each, threads, seconds);
    }
  }
}
