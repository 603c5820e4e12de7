package dev.imgclass.experiments;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link CrashTest} kills: offers exposures {@code crash-<seq>} at a steady rate to an
 * {@link EventWriter} (flushMillis 200) over the SQLite store at {@code args[0]} and prints, on
 * standard output, {@code ACK <seq>} once everything up to {@code seq} is stored, {@code OFFERED
 * <seq>} every 10 ms, and {@code DROP <seq>} for an offer the writer refused.
 */
public final class CrashChild {
  static final long NANOS_PER_EXPOSURE = 50_000; // 20,000 exposures a second

  private CrashChild() {}

  static String requestId(long seq) {
    return String.format("crash-%012d", seq);
  }

  public static void main(String[] args) throws InterruptedException {
    EventStore store = EventStore.open(args[0]);
    EventWriter writer = new EventWriter(store, 200, 1000, 1_000_000);
    AtomicLong highestOffered = new AtomicLong(-1);
    Thread producer =
        new Thread(
            () -> {
              long start = System.nanoTime();
              long seq = 0;
              while (true) {
                long due = (System.nanoTime() - start) / NANOS_PER_EXPOSURE;
                for (; seq < due; seq++) {
                  Exposure e =
                      new Exposure(
                          requestId(seq),
                          "crash",
                          1,
                          seq % 2 == 0 ? "A" : "B",
                          "unit-" + seq % 1000,
                          "m",
                          1,
                          (int) (seq % 10),
                          0.9f,
                          800,
                          System.currentTimeMillis(),
                          false,
                          false);
                  if (writer.offer(e)) highestOffered.set(seq);
                  else System.out.println("DROP " + seq);
                }
                LockSupport.parkNanos(200_000);
              }
            },
            "producer");
    producer.setDaemon(true);
    producer.start();

    long seenFlush = 0;
    while (true) {
      if (writer.lastFlushMillis() != seenFlush) {
        // a timed write happened: everything offered up to now is stored once flush() returns
        long seq = highestOffered.get();
        writer.flush();
        System.out.println("ACK " + seq);
        seenFlush = writer.lastFlushMillis();
      }
      System.out.println("OFFERED " + highestOffered.get());
      System.out.flush();
      Thread.sleep(10);
    }
  }
}
