package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store add|list} and {@code serve} as a user runs them, on a model trained here. */
class ServeCommandTest {
  @TempDir static Path dir;
  static Path onnx;
  static final List<Path> IMAGES =
      List.of(
          Path.of("../docs/samples/test0002-trouser.png"),
          Path.of("../docs/samples/test0000-ankle-boot.png"),
          Path.of("../docs/samples/test0018-bag.png"));

  @BeforeAll
  static void trainAndExport() {
    Path run = dir.resolve("run");
    Cli.trainAndExport(run, "synthetic:300", 1);
    onnx = run.resolve("model.onnx");
  }

  @Test
  void store_add_numbers_versions_and_store_list_shows_them() throws Exception {
    Path store = dir.resolve("store-a");
    Cli.Run a =
        Cli.run("store", "add", "--store", store.toString(), "--name", "shapes", onnx.toString());
    assertThat(a.code()).as(a.err()).isZero();
    assertThat(a.out()).startsWith("added shapes version 1 (");
    Cli.Run b =
        Cli.run(
            "store",
            "add",
            "--store",
            store.toString(),
            "--name",
            "shapes",
            onnx.toString(),
            "--json");
    assertThat(Json.MAPPER.readTree(b.out()).get("version").asInt()).isEqualTo(2);
    Cli.Run l = Cli.run("store", "list", "--store", store.toString(), "--json");
    JsonNode m = Json.MAPPER.readTree(l.out()).get("models").get(0);
    assertThat(m.get("name").asText()).isEqualTo("shapes");
    assertThat(m.get("versions")).hasSize(2);
    assertThat(m.get("versions").get(0).get("sha256").asText()).hasSize(64);
    assertThat(Cli.run("store", "list", "--store", store.toString()).out())
        .contains("shapes (policy latest)");

    ErrorsTest.assertOneLineError(
        Cli.run("store", "add", "--store", store.toString(), "--name", "../evil", onnx.toString()),
        "invalid model name");
    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3});
    ErrorsTest.assertOneLineError(
        Cli.run("store", "add", "--store", store.toString(), "--name", "x", junk.toString()),
        "cannot load ONNX model");
    ErrorsTest.assertOneLineError(
        Cli.run("store", "list", "--store", dir.resolve("none").toString()),
        "model store not found");
  }

  @Test
  void serve_answers_what_predict_answers_and_sigterm_drains_and_exits_0() throws Exception {
    Path store = dir.resolve("store-b");
    assertThat(
            Cli.run(
                    "store",
                    "add",
                    "--store",
                    store.toString(),
                    "--name",
                    "shapes",
                    onnx.toString())
                .code())
        .isZero();
    Path log = dir.resolve("serve.log");
    Process p =
        Cli.start(
            log,
            "serve",
            "--store",
            store.toString(),
            "--port",
            "0",
            "--admin-port",
            "0",
            "--threads",
            "1",
            "--json");
    try {
      JsonNode where = null;
      for (int i = 0; i < 600 && where == null; i++) {
        Thread.sleep(50);
        for (String line : Files.readAllLines(log))
          if (line.startsWith("{\"url\"")) where = Json.MAPPER.readTree(line);
        assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      }
      assertThat(where).as(Files.readString(log)).isNotNull();
      assertThat(where.get("models").toString()).isEqualTo("[\"shapes\"]");
      int port = where.get("port").asInt();

      HttpClient http = HttpClient.newHttpClient();
      Cli.Run pred =
          Cli.run(concat("predict", "--model", onnx.toString(), "--top-k", "5", "--json"));
      assertThat(pred.code()).as(pred.err()).isZero();
      JsonNode results = Json.MAPPER.readTree(pred.out()).get("results");
      for (int i = 0; i < IMAGES.size(); i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + port + "/v1/models/shapes:classify?top_k=5"))
                    .header("Content-Type", "image/png")
                    .POST(HttpRequest.BodyPublishers.ofFile(IMAGES.get(i)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode served = Json.MAPPER.readTree(r.body()).get("predictions");
        JsonNode local = results.get(i).get("predictions");
        for (int k = 0; k < 5; k++) {
          assertThat(served.get(k).get("label").asText())
              .isEqualTo(local.get(k).get("label").asText());
          assertThat(served.get(k).get("probability").asDouble())
              .isCloseTo(
                  local.get(k).get("probability").asDouble(),
                  org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    } finally {
      p.destroy(); // SIGTERM
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log))
        .contains("draining")
        .contains("stopped")
        .doesNotContain("Exception");
  }

  @Test
  void serve_refuses_a_token_file_others_can_read_with_one_line() throws Exception {
    Path store = dir.resolve("store-c");
    Files.createDirectories(store);
    Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(
        token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Run r =
        Cli.run(
            "serve",
            "--store",
            store.toString(),
            "--port",
            "0",
            "--admin-port",
            "0",
            "--admin-token-file",
            token.toString());
    assertThat(r.code()).isNotZero();
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("chmod 600");
  }

  @Test
  void serve_refuses_bad_experiment_options_with_one_line() throws Exception {
    Path store = dir.resolve("store-d");
    Files.createDirectories(store);
    String[][] cases = {
      {"--eval-every", "2 weeks", "--eval-every must be a count and a unit"},
      {"--events", "mysql://db/x", "jdbc:sqlite"},
      {"--events-flush-ms", "0", "flush interval"},
      {"--eval-data", dir.resolve("no-such-folder").toString(), "no-such-folder"},
    };
    for (String[] c : cases) {
      Cli.Run r =
          Cli.run(
              "serve", "--store", store.toString(), "--port", "0", "--admin-port", "0", c[0], c[1]);
      assertThat(r.code()).as(String.join(" ", c)).isNotZero();
      assertThat(r.errLines()).as(String.join(" ", c)).hasSize(1);
      assertThat(r.errLines().get(0)).as(String.join(" ", c)).contains(c[2]);
    }
  }

  private static String[] concat(String... head) {
    String[] all = new String[head.length + IMAGES.size()];
    System.arraycopy(head, 0, all, 0, head.length);
    for (int i = 0; i < IMAGES.size(); i++) all[head.length + i] = IMAGES.get(i).toString();
    return all;
  }
}
