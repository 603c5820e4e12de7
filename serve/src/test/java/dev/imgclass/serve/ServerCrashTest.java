package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.experiments.EventStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server under load inside an experiment: after a restart the experiment resumes in
 * the same period, the events store opens cleanly, and every request answered more than two flush
 * intervals before the kill is stored; the loss of the last moments is measured and printed.
 */
class ServerCrashTest {
  static final long FLUSH_MS = 200;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  record Child(Process process, int port, int admin) {}

  Child start(Path store, Path token, Path err) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                ServerChild.class.getName(),
                store.toString(),
                token.toString(),
                "" + FLUSH_MS)
            .redirectError(err.toFile())
            .start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = in.readLine();
    assertThat(line).as("child started; stderr in " + err).startsWith("PORTS ");
    String[] parts = line.split(" ");
    return new Child(p, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
  }

  HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_killed_server_resumes_its_experiment_and_keeps_every_flushed_event(@TempDir Path dir)
      throws Exception {
    ModelStore store = ModelStore.openOrCreate(dir.resolve("store"));
    store.add("tiny", TinyModels.write(dir.resolve("t1.onnx"), 0f));
    store.add("tiny", TinyModels.write(dir.resolve("t2.onnx"), 0.6f));
    Path token = dir.resolve("token");
    Files.writeString(token, ServerFixture.TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Child c = start(store.root(), token, dir.resolve("child1.err"));
    String exp =
        "{\"id\":\"e1\",\"model\":\"tiny\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
            + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]}";
    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + c.admin() + "/admin/v1/experiments"))
                .header("Authorization", "Bearer " + ServerFixture.TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(exp))
                .build());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    byte[] png = TinyModels.png(200, 8);
    ConcurrentLinkedQueue<long[]> answered = new ConcurrentLinkedQueue<>(); // time, index
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService load = Executors.newFixedThreadPool(3);
    for (int t = 0; t < 3; t++) {
      int thread = t;
      load.submit(
          () -> {
            int i = 0;
            while (!stop.get()) {
              try {
                HttpResponse<String> r =
                    send(
                        HttpRequest.newBuilder(
                                URI.create(
                                    "http://127.0.0.1:" + c.port() + "/v1/models/tiny:classify"))
                            .timeout(Duration.ofSeconds(2))
                            .header("Content-Type", "image/png")
                            .header("X-Unit-Id", "u" + thread + "-" + (i++ % 100))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                            .build());
                if (r.statusCode() == 200) {
                  long now = System.currentTimeMillis();
                  synchronized (ids) {
                    ids.add(Json.MAPPER.readTree(r.body()).get("request_id").asText());
                    answered.add(new long[] {now, ids.size() - 1});
                  }
                }
              } catch (Exception e) {
                if (stop.get()) return null;
              }
            }
            return null;
          });
    }
    // under load for a while: at least 300 answers (and at least 1.5 s), at most 20 s
    long began = System.currentTimeMillis();
    while (System.currentTimeMillis() - began < 20_000
        && (answered.size() < 300 || System.currentTimeMillis() - began < 1500)) Thread.sleep(50);
    long kill = System.currentTimeMillis();
    c.process().destroyForcibly(); // SIGKILL
    c.process().waitFor(10, TimeUnit.SECONDS);
    stop.set(true);
    load.shutdown();
    load.awaitTermination(10, TimeUnit.SECONDS);

    // the store opens cleanly
    Path db = store.root().resolve(ServeExperiments.EVENTS_DIR).resolve("events.db");
    try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs = conn.createStatement().executeQuery("PRAGMA integrity_check")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
    int before = 0;
    int lost = 0;
    int lostOld = 0;
    try (EventStore events = EventStore.open(db.toString())) {
      for (long[] a : answered) {
        if (a[0] > kill) continue;
        before++;
        if (events.exposure(ids.get((int) a[1])).isEmpty()) {
          lost++;
          if (kill - a[0] > 2 * FLUSH_MS) lostOld++;
        }
      }
    }
    System.out.printf(
        "kill -9 under load: %d requests answered before the kill, %d not stored (%.2f %%), %d of them"
            + " older than two flush intervals (%d ms)%n",
        before, lost, 100.0 * lost / Math.max(1, before), lostOld, 2 * FLUSH_MS);
    assertThat(before).isGreaterThanOrEqualTo(300);
    assertThat(lostOld).isZero();

    // restarted: the experiment resumes in the same period with the stored exposures
    Child again = start(store.root(), token, dir.resolve("child2.err"));
    try {
      JsonNode rep =
          Json.MAPPER.readTree(
              send(HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + again.port() + "/v1/experiments/e1"))
                      .build())
                  .body());
      assertThat(rep.get("state").asText()).isEqualTo("running");
      assertThat(rep.get("period").asInt()).isEqualTo(1);
      long exposures = 0;
      for (JsonNode a : rep.get("arms")) exposures += a.get("exposures").asLong();
      assertThat(exposures).isGreaterThanOrEqualTo(before - lost);
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + again.port() + "/v1/models/tiny:classify"))
                  .header("Content-Type", "image/png")
                  .header("X-Unit-Id", "u0-1")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                  .build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(r.body()).get("experiment").asText()).isEqualTo("e1");
    } finally {
      again.process().destroyForcibly();
      again.process().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
