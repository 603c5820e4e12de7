package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store promises on SQLite: kill -9 the writing process and every event acknowledged by
 * {@link EventWriter#flush()} is there, in a database that opens cleanly.
 */
class CrashTest {
  @TempDir Path dir;

  @Test
  void acknowledgedEventsSurviveKillNine() throws Exception {
    Path db = dir.resolve("store/events.db");
    Path childErr = dir.resolve("child-stderr.txt");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashChild.class.getName(),
                db.toString())
            .redirectError(childErr.toFile())
            .start();

    AtomicLong lastAck = new AtomicLong(-1);
    AtomicLong acks = new AtomicLong();
    AtomicLong lastOffered = new AtomicLong(-1);
    AtomicLong drops = new AtomicLong();
    CountDownLatch firstAck = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  String[] parts = line.split(" ");
                  if (parts.length != 2) continue; // a line cut by the kill
                  long value;
                  try {
                    value = Long.parseLong(parts[1]);
                  } catch (NumberFormatException e) {
                    continue;
                  }
                  switch (parts[0]) {
                    case "ACK" -> {
                      lastAck.set(value);
                      acks.incrementAndGet();
                      firstAck.countDown();
                    }
                    case "OFFERED" -> lastOffered.set(value);
                    case "DROP" -> drops.incrementAndGet();
                    default -> {}
                  }
                }
              } catch (IOException e) {
                // the pipe closes with the process
              }
            },
            "crash-child-reader");
    reader.start();
    try {
      boolean acked = firstAck.await(60, TimeUnit.SECONDS);
      assertThat(acked).as("a first ACK; child stderr: %s", read(childErr)).isTrue();
      Thread.sleep(2000);
    } finally {
      child.destroyForcibly(); // SIGKILL
      child.waitFor(30, TimeUnit.SECONDS);
    }
    reader.join(10_000);
    assertThat(child.isAlive()).isFalse();
    assertThat(drops.get()).as("offers refused by the writer").isZero();
    long ack = lastAck.get();
    long offered = Math.max(lastOffered.get(), ack);
    assertThat(ack).isGreaterThanOrEqualTo(0);

    String integrity;
    long stored;
    long storedUpToAck;
    long storedAfterAckKnown;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        assertThat(rs.next()).isTrue();
        integrity = rs.getString(1);
      }
      stored = count(c, "SELECT COUNT(*) FROM exposures", List.of());
      storedUpToAck =
          count(
              c,
              "SELECT COUNT(*) FROM exposures WHERE request_id <= ?",
              List.of(CrashChild.requestId(ack)));
      storedAfterAckKnown =
          count(
              c,
              "SELECT COUNT(*) FROM exposures WHERE request_id > ? AND request_id <= ?",
              List.of(CrashChild.requestId(ack), CrashChild.requestId(offered)));
    }
    long lostAfterAck = (offered - ack) - storedAfterAckKnown;
    System.out.printf(
        "crash test: %d ACKs, last ACK at seq %d (%,d exposures acknowledged), at least %,d"
            + " offered before the kill, %,d stored; after the last ACK %,d of %,d known offered"
            + " were lost; integrity_check: %s%n",
        acks.get(), ack, ack + 1, offered + 1, stored, lostAfterAck, offered - ack, integrity);

    assertThat(integrity).isEqualTo("ok");
    assertThat(storedUpToAck).as("acknowledged exposures stored").isEqualTo(ack + 1);
    assertThat(acks.get()).isGreaterThan(1);

    // the store opens and writes after the crash
    try (EventStore store = EventStore.open(db.toString())) {
      assertThat(store.schemaVersion()).isEqualTo(1);
      assertThat(store.exposureCount()).isEqualTo(stored);
      assertThat(store.exposure(CrashChild.requestId(ack))).isPresent();
      store.insertExposures(List.of(TestEvents.plain("after-crash", "m", 1, 1)));
    }
    try (EventStore store = EventStore.open(db.toString())) {
      assertThat(store.exposureCount()).isEqualTo(stored + 1);
      assertThat(store.exposure("after-crash")).isPresent();
    }
  }

  private static long count(Connection c, String sql, List<String> args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) ps.setString(i + 1, args.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
