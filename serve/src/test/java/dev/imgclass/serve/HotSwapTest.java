package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HotSwapTest {
  @TempDir Path dir;

  @Test
  void a_new_version_takes_over_under_load_without_a_failed_request_and_bad_versions_are_refused()
      throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      byte[] white = TinyModels.png(255, 16);
      AtomicBoolean run = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<List<Integer>> seen = new ArrayList<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        List<Integer> mine = new ArrayList<>();
        seen.add(mine);
        Thread t =
            new Thread(
                () -> {
                  while (run.get()) {
                    HttpResponse<String> r = f.post("/v1/models/tiny:classify", "image/png", white);
                    try {
                      JsonNode j = Json.MAPPER.readTree(r.body());
                      if (r.statusCode() != 200
                          || !j.get("predictions").get(0).get("label").asText().equals("bright")) {
                        failures.add(r.statusCode() + " " + r.body());
                      } else {
                        mine.add(j.get("model_version").asInt());
                        ok.incrementAndGet();
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                });
        clients.add(t);
        t.start();
      }
      Thread.sleep(500);
      f.store.add("tiny", TinyModels.write(dir.resolve("v2.onnx"), 0.1f));
      HttpResponse<String> swap =
          f.adminPost("/admin/v1/models/tiny/load", "{}", ServerFixture.TOKEN);
      assertThat(swap.statusCode()).as(swap.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(swap.body()).get("loaded_version").asInt()).isEqualTo(2);
      Thread.sleep(300);

      // version 3: damaged after it was added (checksum); version 4: fails its warm-up
      f.store.add("tiny", TinyModels.write(dir.resolve("v3.onnx"), 0.2f));
      Path v3 = f.store.root().resolve("tiny/3/model.onnx");
      v3.toFile().setWritable(true);
      Files.write(v3, new byte[] {0}, StandardOpenOption.APPEND);
      HttpResponse<String> bad =
          f.adminPost("/admin/v1/models/tiny/load", "{\"version\": 3}", ServerFixture.TOKEN);
      assertThat(bad.statusCode()).isEqualTo(422);
      assertThat(bad.body())
          .contains("does not match its manifest")
          .contains("previous version keeps serving");
      Files.write(
          dir.resolve("v4.onnx"),
          Files.readAllBytes(TinyModels.write(dir.resolve("v4src.onnx"), 0f, 4)));
      f.store.add("tiny", dir.resolve("v4.onnx"));
      HttpResponse<String> warm =
          f.adminPost("/admin/v1/models/tiny/load", "{\"version\": 4}", ServerFixture.TOKEN);
      assertThat(warm.statusCode()).isEqualTo(422);
      assertThat(warm.body()).contains("warm-up");
      Thread.sleep(300);
      run.set(false);
      for (Thread t : clients) t.join(10_000);

      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(20);
      for (List<Integer> mine : seen) {
        assertThat(mine).isNotEmpty().isSorted(); // 1 … 1 2 … 2: never back to the old version
        assertThat(mine.get(mine.size() - 1)).isEqualTo(2);
      }
      assertThat(seen.stream().flatMap(List::stream)).contains(1, 2).doesNotContain(3, 4);
      synchronized (f.log) {
        assertThat(f.log).contains("unloaded tiny version 1 after draining");
      }
      JsonNode desc =
          Json.MAPPER.readTree(
              f.send(
                      java.net.http.HttpRequest.newBuilder(f.admin("/admin/v1/models/tiny"))
                          .header("Authorization", "Bearer " + ServerFixture.TOKEN)
                          .build())
                  .body());
      assertThat(desc.get("loaded_versions").toString()).isEqualTo("[2]");
      assertThat(desc.get("store_versions").toString()).isEqualTo("[1,2,3,4]");
    }
  }

  @Test
  void default_version_unload_and_pinned_policy() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.store.add("tiny", TinyModels.write(dir.resolve("v2.onnx"), 0.1f));
      String t = ServerFixture.TOKEN;
      assertThat(
              f.adminPost(
                      "/admin/v1/models/tiny/load", "{\"version\": 2, \"keep_previous\": true}", t)
                  .statusCode())
          .isEqualTo(200);
      byte[] img = TinyModels.png(255, 8);
      assertThat(f.post("/v1/models/tiny:classify", "image/png", img).body())
          .contains("\"model_version\":\"2\"");
      assertThat(f.post("/v1/models/tiny/versions/1:classify", "image/png", img).body())
          .contains("\"model_version\":\"1\"");
      assertThat(f.adminPost("/admin/v1/models/tiny/default", "{\"version\": 1}", t).statusCode())
          .isEqualTo(200);
      assertThat(f.post("/v1/models/tiny:classify", "image/png", img).body())
          .contains("\"model_version\":\"1\"");
      assertThat(f.adminPost("/admin/v1/models/tiny/default", "{\"version\": 9}", t).statusCode())
          .isEqualTo(404);
      assertThat(f.adminPost("/admin/v1/models/tiny/unload", "{\"version\": 1}", t).statusCode())
          .isEqualTo(200);
      assertThat(f.post("/v1/models/tiny:classify", "image/png", img).body())
          .contains("\"model_version\":\"2\"");
      assertThat(f.post("/v1/models/tiny/versions/1:classify", "image/png", img).statusCode())
          .isEqualTo(404);
      assertThat(f.adminPost("/admin/v1/models/tiny/unload", "{}", t).statusCode()).isEqualTo(200);
      assertThat(f.post("/v1/models/tiny:classify", "image/png", img).statusCode()).isEqualTo(404);
      assertThat(f.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }
    // pinned: the store's newest version is not the one served
    Path other = Files.createDirectories(dir.resolve("pinned"));
    ModelStore s = ModelStore.openOrCreate(other.resolve("store"));
    s.add("tiny", TinyModels.write(other.resolve("a.onnx"), 0f));
    s.add("tiny", TinyModels.write(other.resolve("b.onnx"), 0.1f));
    Files.writeString(
        s.root().resolve("tiny/config.json"),
        "{\"version_policy\": \"pinned\", \"default_version\": 1}");
    try (InferenceServer srv =
        InferenceServer.start(
            s.root(), ServeOptions.defaults().withPorts(0, 0).withThreads(1, 1), l -> {})) {
      ServerFixture.class.getName(); // same client code path as the fixture
      var http = java.net.http.HttpClient.newHttpClient();
      var r =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + srv.port() + "/v2/models/tiny"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(Json.MAPPER.readTree(r.body()).get("versions").toString()).isEqualTo("[\"1\"]");
      assertThat(srv.adminPort()).as("no token file: no admin API").isEmpty();
    }
  }

  @Test
  void draining_answers_the_requests_in_flight_then_refuses_new_ones() throws Exception {
    Path d = Files.createDirectories(dir.resolve("drain"));
    ModelStore s = ModelStore.openOrCreate(d.resolve("store"));
    s.add("tiny", TinyModels.write(d.resolve("a.onnx"), 0f));
    // a lone request waits 1 s for company: it is in flight when the drain starts
    Files.writeString(
        s.root().resolve("tiny/config.json"),
        "{\"max_queue_delay_microseconds\": 1000000, \"warmup_batches\": 0}");
    InferenceServer srv =
        InferenceServer.start(
            s.root(), ServeOptions.defaults().withPorts(0, 0).withThreads(1, 1), l -> {});
    var http = java.net.http.HttpClient.newHttpClient();
    var req =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + srv.port() + "/v1/models/tiny:classify"))
            .header("Content-Type", "image/png")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(TinyModels.png(0, 8)))
            .build();
    var inFlight = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    Thread.sleep(500);
    long t0 = System.nanoTime();
    srv.drainAndStop();
    HttpResponse<String> r = inFlight.get();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("dark");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    assertThat(srv.models()).isEmpty();
  }
}
