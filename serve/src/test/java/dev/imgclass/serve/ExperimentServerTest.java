package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiments through HTTP: routing, feedback, the report, stop, guardrails, re-evaluation. */
class ExperimentServerTest {
  static final byte[] BRIGHT = TinyModels.png(230, 8);
  static final byte[] DARK = TinyModels.png(20, 8);

  static String experiment(String extra) {
    return "{\"id\":\"e1\",\"model\":\"tiny\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
        + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]"
        + extra
        + "}";
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  HttpResponse<String> classify(ServerFixture f, String unit, byte[] png) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(f.uri("/v1/models/tiny:classify"))
            .header("Content-Type", "image/png")
            .POST(HttpRequest.BodyPublishers.ofByteArray(png));
    if (unit != null) b.header("X-Unit-Id", unit);
    return f.send(b.build());
  }

  HttpResponse<String> feedback(ServerFixture f, String body) {
    return f.post("/v1/feedback", "application/json", body.getBytes());
  }

  @Test
  void units_are_routed_feedback_is_attached_and_the_report_and_stop_work(@TempDir Path dir)
      throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny2.onnx"), 0.6f)); // calls more "bright"
      HttpResponse<String> created =
          f.adminPost("/admin/v1/experiments", experiment(""), ServerFixture.TOKEN);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(f.adminPost("/admin/v1/experiments", experiment(""), null).statusCode())
          .isEqualTo(401);

      Map<String, String> armOf = new HashMap<>();
      List<String[]> served = new ArrayList<>(); // request id, truth
      for (int i = 0; i < 200; i++) {
        String unit = "user-" + (i % 100);
        boolean bright = i % 3 != 0;
        HttpResponse<String> r = classify(f, unit, bright ? BRIGHT : DARK);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = json(r);
        String arm = j.get("arm").asText();
        assertThat(r.headers().firstValue("X-Experiment-Arm")).contains(arm);
        assertThat(j.get("experiment").asText()).isEqualTo("e1");
        assertThat(j.get("model_version").asText()).isEqualTo(arm.equals("control") ? "1" : "2");
        String before = armOf.putIfAbsent(unit, arm);
        if (before != null) assertThat(arm).as("unit %s keeps its arm", unit).isEqualTo(before);
        served.add(new String[] {j.get("request_id").asText(), bright ? "bright" : "dark"});
      }
      assertThat(armOf.values()).contains("control", "treatment");
      // requests without a unit id are served by the control and not counted
      HttpResponse<String> anonymous = classify(f, null, BRIGHT);
      assertThat(anonymous.statusCode()).isEqualTo(200);
      assertThat(json(anonymous).has("arm")).isFalse();
      assertThat(json(anonymous).get("model_version").asText()).isEqualTo("1");

      // feedback: one object, then the rest as one array
      String first = served.get(0)[0];
      HttpResponse<String> one =
          feedback(f, "{\"request_id\":\"" + first + "\",\"label\":\"" + served.get(0)[1] + "\"}");
      assertThat(one.statusCode()).as(one.body()).isEqualTo(202);
      assertThat(feedback(f, "{\"request_id\":\"" + first + "\",\"label\":\"dark\"}").statusCode())
          .isEqualTo(409);
      StringBuilder arr = new StringBuilder("[");
      for (int i = 1; i < served.size(); i++)
        arr.append(i > 1 ? "," : "")
            .append("{\"request_id\":\"")
            .append(served.get(i)[0])
            .append("\",\"label\":\"")
            .append(served.get(i)[1])
            .append("\"}");
      HttpResponse<String> many = feedback(f, arr.append("]").toString());
      assertThat(many.statusCode()).isEqualTo(200);
      assertThat(json(many).get("accepted").asInt()).isEqualTo(199);

      // bad feedback, each a 4xx with its reason
      assertThat(feedback(f, "{\"request_id\":\"nope\",\"label\":\"dark\"}").statusCode())
          .isEqualTo(404);
      HttpResponse<String> badLabel =
          feedback(
              f,
              "{\"request_id\":\""
                  + json(anonymous).get("request_id").asText()
                  + "\",\"label\":\"cat\"}");
      assertThat(badLabel.statusCode()).isEqualTo(400);
      assertThat(json(badLabel).get("error").asText()).contains("'cat' is not a class of tiny v1");
      assertThat(feedback(f, "{\"request_id\":\"x\",\"label\":\"dark\",\"reward\":1}").statusCode())
          .isEqualTo(400);
      assertThat(feedback(f, "{\"label\":\"dark\"}").statusCode()).isEqualTo(400);
      assertThat(feedback(f, "[1,2").statusCode()).isEqualTo(400);
      assertThat(feedback(f, "\"text\"").statusCode()).isEqualTo(400);

      // the report
      HttpResponse<String> got = f.get("/v1/experiments/e1");
      assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
      JsonNode rep = json(got);
      long exposures = 0;
      long labelled = 0;
      for (JsonNode a : rep.get("arms")) {
        exposures += a.get("exposures").asLong();
        labelled += a.get("labelled").asLong();
        assertThat(a.has("accuracy")).isTrue();
      }
      assertThat(exposures).isEqualTo(200);
      assertThat(labelled).isEqualTo(200);
      assertThat(rep.get("srm_p_value").isNumber()).isTrue();
      assertThat(rep.get("p_value").isNumber()).isTrue();
      assertThat(rep.get("decision").get("decision").asText()).isNotEmpty();
      assertThat(f.get("/v1/experiments").body()).contains("\"e1\"");
      assertThat(f.get("/v1/experiments/none").statusCode()).isEqualTo(404);

      // stop: traffic goes back to the default version, uncounted
      HttpResponse<String> stopped =
          f.adminPost(
              "/admin/v1/experiments/e1/stop", "{\"reason\":\"test over\"}", ServerFixture.TOKEN);
      assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
      HttpResponse<String> after = classify(f, "user-1", BRIGHT);
      assertThat(json(after).has("arm")).isFalse();
      assertThat(after.headers().firstValue("X-Experiment")).isEmpty();
      assertThat(json(f.get("/v1/experiments/e1")).get("state").asText()).isEqualTo("stopped");
    }
  }

  @Test
  void bad_experiments_are_4xx_with_the_reason(@TempDir Path dir) throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      HttpResponse<String> missing =
          f.adminPost("/admin/v1/experiments", experiment(""), ServerFixture.TOKEN);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(json(missing).get("error").asText()).contains("has no version 2 in the store");
      HttpResponse<String> bad =
          f.adminPost(
              "/admin/v1/experiments", "{\"id\":\"e1\",\"model\":\"tiny\"}", ServerFixture.TOKEN);
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(json(bad).get("error").asText()).contains("at least two arms");
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny2.onnx"), 0.6f));
      assertThat(
              f.adminPost("/admin/v1/experiments", experiment(""), ServerFixture.TOKEN)
                  .statusCode())
          .isEqualTo(201);
      HttpResponse<String> conflict =
          f.adminPost(
              "/admin/v1/experiments",
              experiment("").replace("\"e1\"", "\"e2\""),
              ServerFixture.TOKEN);
      assertThat(conflict.statusCode()).isEqualTo(409);
      assertThat(f.adminPost("/admin/v1/experiments/zz/stop", "", ServerFixture.TOKEN).statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void a_slow_treatment_trips_the_guardrail_and_rolls_back_with_no_failed_request(@TempDir Path dir)
      throws Exception {
    ServeOptions o = ServeOptions.defaults().withThreads(1, 2).withSchedule(100, 60_000);
    try (ServerFixture f = new ServerFixture(dir, o)) {
      f.store.add("tiny", TinyModels.writeSlow(dir.resolve("slow.onnx"), 0f, 24));
      String cfg =
          experiment(
              ",\"guardrails\":{\"min_requests\":30,\"p99_latency_ratio\":2,\"p99_latency_margin_ms\":2}");
      assertThat(f.adminPost("/admin/v1/experiments", cfg, ServerFixture.TOKEN).statusCode())
          .isEqualTo(201);
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicLong afterRollback = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> jobs = new ArrayList<>();
      long until = System.currentTimeMillis() + 20_000;
      for (int t = 0; t < 4; t++) {
        int thread = t;
        jobs.add(
            pool.submit(
                () -> {
                  int i = 0;
                  while (System.currentTimeMillis() < until) {
                    HttpResponse<String> r = classify(f, "u" + thread + "-" + (i++ % 50), BRIGHT);
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failed.incrementAndGet();
                    if (json(f.get("/v1/experiments")).toString().contains("rolled_back")) {
                      afterRollback.incrementAndGet();
                      if (afterRollback.get() > 40) return null;
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> j : jobs) j.get();
      pool.shutdown();
      assertThat(failed.get()).isZero();
      JsonNode rep = json(f.get("/v1/experiments/e1"));
      assertThat(rep.get("state").asText()).as(rep.toString()).isEqualTo("rolled_back");
      assertThat(rep.get("decision").get("decision").asText()).isEqualTo("roll_back");
      assertThat(rep.get("decision").get("reason").asText()).contains("p99 latency");
      // all traffic now goes to the control, uncounted
      for (int i = 0; i < 20; i++) {
        JsonNode r = json(classify(f, "u0-" + i, BRIGHT));
        assertThat(r.get("model_version").asText()).isEqualTo("1");
        assertThat(r.has("arm")).isFalse();
      }
      assertThat(rep.get("events").toString()).contains("rollback");
    }
  }

  @Test
  void the_shadow_sees_a_copy_and_a_json_field_can_be_the_unit(@TempDir Path dir) throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny2.onnx"), 0.6f));
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny3.onnx"), -0.6f));
      String cfg =
          experiment(
              ",\"unit\":{\"field\":\"user_id\"},\"shadow\":{\"name\":\"shadow\",\"version\":3}");
      assertThat(f.adminPost("/admin/v1/experiments", cfg, ServerFixture.TOKEN).statusCode())
          .isEqualTo(201);
      String body =
          ServerFixture.inferBody(1, 0.9f)
              .replace("{\"id\":\"r1\",", "{\"id\":\"r1\",\"parameters\":{\"user_id\":\"alice\"},");
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r =
            f.post("/v2/models/tiny/infer", "application/json", body.getBytes());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Experiment")).contains("e1");
      }
      // a raw-image request has no JSON field: served by the control, uncounted
      assertThat(json(classify(f, "ignored-header", BRIGHT)).has("arm")).isFalse();
      JsonNode rep = null;
      for (int tries = 0; tries < 50; tries++) {
        rep = json(f.get("/v1/experiments/e1"));
        if (rep.get("shadow").get("exposures").asLong() == 20) break;
        Thread.sleep(100);
      }
      assertThat(rep.get("shadow").get("exposures").asLong()).isEqualTo(20);
      long counted = 0;
      for (JsonNode a : rep.get("arms")) counted += a.get("exposures").asLong();
      assertThat(counted).isEqualTo(20);
    }
  }

  @Test
  void the_dashboard_shows_the_experiment_without_a_token_and_nothing_else_opens(@TempDir Path dir)
      throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny2.onnx"), 0.6f));
      f.adminPost("/admin/v1/experiments", experiment(""), ServerFixture.TOKEN);
      for (int i = 0; i < 30; i++) classify(f, "u" + i, BRIGHT);
      HttpResponse<String> page = f.adminGet("/dashboard", null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(page.body())
          .contains(
              "data-experiment=\"e1\"",
              "data-decision=\"keep_running\"",
              "<svg",
              "data-stop=\"e1\"")
          .doesNotContain("src=\"http", "href=\"http", "cdn");
      assertThat(f.adminGet("/admin/v1/experiments", null).statusCode()).isEqualTo(401);
      assertThat(f.adminGet("/admin/v1/experiments", ServerFixture.TOKEN).statusCode())
          .isEqualTo(200);
      // not on the public port
      assertThat(f.get("/dashboard").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void the_schedule_re_evaluates_and_a_worse_version_raises_the_alert(@TempDir Path dir)
      throws Exception {
    Path eval = dir.resolve("eval-set");
    for (int i = 0; i < 40; i++) {
      Files.createDirectories(eval.resolve("bright"));
      Files.createDirectories(eval.resolve("dark"));
      Files.write(eval.resolve("bright").resolve("b" + i + ".png"), TinyModels.png(200 + i, 8));
      Files.write(eval.resolve("dark").resolve("d" + i + ".png"), TinyModels.png(10 + i, 8));
    }
    AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    ServeOptions o =
        ServeOptions.defaults()
            .withThreads(1, 2)
            .withEvaluation(eval.toString(), Duration.ofDays(14))
            .withSchedule(1000, 100);
    try (ServerFixture f = new ServerFixture(dir, o, clock::get)) {
      waitFor(f, 1);
      clock.addAndGet(Duration.ofDays(13).toMillis());
      Thread.sleep(400);
      assertThat(json(f.get("/v1/evaluations/tiny")).get("evaluations").size()).isEqualTo(1);
      clock.addAndGet(Duration.ofDays(1).toMillis());
      JsonNode second = waitFor(f, 2);
      assertThat(second.get("alert").asBoolean()).isFalse();
      assertThat(second.get("accuracy").asDouble()).isEqualTo(1.0);
      // a version that calls everything bright is swapped in: the next run alerts
      f.store.add("tiny", TinyModels.write(dir.resolve("bad.onnx"), 5f));
      assertThat(f.adminPost("/admin/v1/models/tiny/load", "{}", ServerFixture.TOKEN).statusCode())
          .isEqualTo(200);
      JsonNode third = waitFor(f, 3);
      assertThat(third.get("version").asInt()).isEqualTo(2);
      assertThat(third.get("accuracy").asDouble()).isEqualTo(0.5);
      assertThat(third.get("alert").asBoolean()).isTrue();
      assertThat(f.get("/metrics").body())
          .contains("imgclass_evaluation_alert{model=\"tiny\"} 1.0");
      // on demand through the admin API
      HttpResponse<String> now =
          f.adminPost("/admin/v1/evaluations", "{\"model\":\"tiny\"}", ServerFixture.TOKEN);
      assertThat(now.statusCode()).as(now.body()).isEqualTo(200);
      assertThat(json(now).get("evaluations").size()).isEqualTo(1);
      assertThat(
              f.adminPost("/admin/v1/evaluations", "{\"model\":\"nope\"}", ServerFixture.TOKEN)
                  .statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  void events_none_serves_without_a_store_and_says_so_on_every_experiment_endpoint(
      @TempDir Path dir) throws Exception {
    ServeOptions o = ServeOptions.defaults().withThreads(1, 2).withEvents("none", 1000);
    try (ServerFixture f = new ServerFixture(dir, o)) {
      assertThat(classify(f, "u1", BRIGHT).statusCode()).isEqualTo(200);
      HttpResponse<String> fb = feedback(f, "{\"request_id\":\"x\",\"label\":\"dark\"}");
      assertThat(fb.statusCode()).isEqualTo(404);
      assertThat(json(fb).get("error").asText()).contains("--events none");
      assertThat(f.get("/v1/experiments").statusCode()).isEqualTo(404);
      assertThat(
              f.adminPost("/admin/v1/experiments", experiment(""), ServerFixture.TOKEN)
                  .statusCode())
          .isEqualTo(404);
      assertThat(f.adminGet("/dashboard", null).body()).contains("Events are off");
      assertThat(dir.resolve("store").resolve(ServeExperiments.EVENTS_DIR)).doesNotExist();
    }
  }

  /** Waits until the model has {@code n} evaluations on the set and returns the newest. */
  private static JsonNode waitFor(ServerFixture f, int n) throws InterruptedException {
    JsonNode evals = null;
    for (int tries = 0; tries < 100; tries++) {
      evals = json(f.get("/v1/evaluations/tiny")).get("evaluations");
      int onSet = 0;
      JsonNode last = null;
      for (JsonNode e : evals)
        if (e.get("source").asText().startsWith("eval-set:")) {
          onSet++;
          last = e;
        }
      if (onSet >= n) return last;
      Thread.sleep(100);
    }
    throw new AssertionError("no evaluation " + n + ": " + evals);
  }
}
