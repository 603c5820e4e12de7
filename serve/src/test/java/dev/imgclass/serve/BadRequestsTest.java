package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many kinds of bad request against one running server, each followed by a good one: every bad
 * request gets its 4xx with a JSON error and no stack trace, and the server keeps answering good
 * requests correctly throughout. The cases read as a table; every mismatch is reported at once.
 */
class BadRequestsTest {
  /** A response: the status ({@link #CLOSED} when the connection closed without one). */
  record Resp(int status, String body, long millis) {}

  /**
   * One kind of bad request: what it is, the status it must get, whether a closed connection
   * without an answer is also right, and how to send it.
   */
  record BadCase(String kind, int expectedStatus, boolean closedAlsoOk, Supplier<Resp> send) {}

  static final int CLOSED = -1;
  static final long BODY_LIMIT = 64 * 1024;
  static final long MAX_ANSWER_MS = 6_000; // the slowest (idle timeout 2 s) is well inside
  static final Pattern TRACE =
      Pattern.compile(
          "\\bat (dev|java|javax|jdk|sun|org|com|io)\\.|\\b(java|javax|jdk|sun)\\.[a-z]+\\."
              + "|\\b(org\\.eclipse|com\\.fasterxml|com\\.twelvemonkeys|io\\.javalin|dev\\.imgclass)\\."
              + "|\\w+(Exception|Error): |\\tat |\\.java:\\d+\\)");

  @TempDir Path dir;

  private ServerFixture f;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void every_bad_request_gets_its_4xx_and_good_requests_keep_being_answered() throws Exception {
    try (ServerFixture fixture =
        new ServerFixture(
            dir,
            ServeOptions.defaults()
                .withThreads(1, 2)
                .withLimits(BODY_LIMIT, 1_000_000)
                .withTimeouts(1000, 2000, 5000))) {
      f = fixture;
      List<BadCase> cases = cases();
      assertThat(cases.stream().map(BadCase::kind).distinct().count())
          .as("distinct kinds")
          .isEqualTo(cases.size())
          .isGreaterThanOrEqualTo(40);
      List<Supplier<String>> goods = goods();
      List<String> failures = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < cases.size(); i++) {
        BadCase c = cases.get(i);
        Resp r;
        try {
          r = c.send().get();
        } catch (RuntimeException e) {
          r = new Resp(CLOSED, "client failed: " + e, 0);
        }
        String bad = check(c, r);
        System.out.printf(
            "%-55s expected %d, got %d in %d ms%n",
            c.kind(), c.expectedStatus(), r.status(), r.millis());
        if (bad != null) failures.add(c.kind() + ": " + bad);
        String good = goods.get(i % goods.size()).get();
        if (good != null) failures.add("good request after '" + c.kind() + "': " + good);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.println(
          cases.size() + " kinds of bad request, each followed by a good one: " + ms + " ms");
      // still serving after the whole run
      for (Supplier<String> g : goods) {
        String good = g.get();
        if (good != null) failures.add("good request after the run: " + good);
      }
      Resp live = get("/v2/health/live");
      if (live.status() != 200) failures.add("live after the run: " + live);
      Resp ready = get("/v2/models/tiny/ready");
      if (ready.status() != 200) failures.add("model ready after the run: " + ready);
      assertThat(failures).as("mismatches").isEmpty();
    }
  }

  @Test
  void only_loopback_literals_count_as_loopback() {
    assertThat(AdminHandlers.isLoopback("127.0.0.1")).isTrue();
    assertThat(AdminHandlers.isLoopback("::1")).isTrue();
    assertThat(AdminHandlers.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(AdminHandlers.isLoopback("10.0.0.1")).isFalse();
    assertThat(AdminHandlers.isLoopback("192.168.1.2")).isFalse();
    assertThat(AdminHandlers.isLoopback("localhost-name")).isFalse();
    assertThat(AdminHandlers.isLoopback(null)).isFalse();
  }

  @Test
  void the_stack_trace_check_catches_traces_and_qualified_class_names() {
    assertThat(TRACE.matcher("java.lang.NullPointerException").find()).isTrue();
    assertThat(TRACE.matcher("\tat dev.imgclass.serve.V2Tensors.parse(V2Tensors.java:42)").find())
        .isTrue();
    assertThat(TRACE.matcher("org.eclipse.jetty.io.EofException: reset").find()).isTrue();
    assertThat(TRACE.matcher("{\"error\":\"malformed JSON: Unexpected end-of-input\"}").find())
        .isFalse();
  }

  /** Null when the bad request was answered as it should be, else what was wrong. */
  private static String check(BadCase c, Resp r) {
    List<String> wrong = new ArrayList<>();
    boolean closedOk = c.closedAlsoOk() && r.status() == CLOSED;
    if (r.status() != c.expectedStatus() && !closedOk)
      wrong.add("status " + r.status() + ", expected " + c.expectedStatus());
    if (r.millis() > MAX_ANSWER_MS) wrong.add("answered after " + r.millis() + " ms");
    String body = r.body() == null ? "" : r.body();
    if (TRACE.matcher(body).find()) wrong.add("stack trace or class name in the body");
    if (r.status() != CLOSED && !body.isBlank()) {
      try {
        JsonNode n = Json.MAPPER.readTree(body);
        if (n == null || !n.isObject() || !n.path("error").isTextual())
          wrong.add("body is not {\"error\": \"...\"}");
      } catch (IOException e) {
        wrong.add("body is not JSON");
      }
    }
    return wrong.isEmpty() ? null : String.join("; ", wrong) + " — got " + abbreviate(body);
  }

  // ---------------------------------------------------------------------------------------------
  // the table

  private List<BadCase> cases() {
    int port = f.server.port();
    int adminPort = f.server.adminPort().orElseThrow();
    String infer = "/v2/models/tiny/infer";
    String classify = "/v1/models/tiny:classify";
    String json = "application/json";
    byte[] white = TinyModels.png(255, 20);
    String good = ServerFixture.inferBody(1, 1f);
    String d64 = values(64, "1");
    String bearer = "Bearer " + ServerFixture.TOKEN;
    List<BadCase> t = new ArrayList<>();

    // V2 infer bodies
    t.add(bad("infer: empty body", 400, () -> post(infer, json, new byte[0])));
    t.add(bad("infer: malformed JSON", 400, () -> post(infer, json, "{inputs: nope")));
    t.add(bad("infer: JSON array", 400, () -> post(infer, json, "[" + good + "]")));
    t.add(
        bad(
            "infer: truncated JSON",
            400,
            () -> post(infer, json, good.substring(0, good.length() / 2))));
    t.add(
        bad("infer: trailing garbage after the object", 400, () -> post(infer, json, good + "{}")));
    t.add(
        bad(
            "infer: unknown top-level field",
            400,
            () -> post(infer, json, "{\"bogus\":1," + good.substring(1))));
    t.add(bad("infer: missing inputs", 400, () -> post(infer, json, "{\"id\":\"x\"}")));
    t.add(
        bad(
            "infer: inputs not an array",
            400,
            () ->
                post(
                    infer,
                    json,
                    "{\"inputs\":" + tensor("input", "[1,1,8,8]", "FP32", "[" + d64 + "]") + "}")));
    t.add(
        bad(
            "infer: two inputs",
            400,
            () -> {
              String in = tensor("input", "[1,1,8,8]", "FP32", "[" + d64 + "]");
              return post(infer, json, request(in, in));
            }));
    t.add(
        bad(
            "infer: wrong input name",
            400,
            () ->
                post(
                    infer, json, request(tensor("pixels", "[1,1,8,8]", "FP32", "[" + d64 + "]")))));
    for (String dt : List.of("INT64", "UINT8", "FOO"))
      t.add(
          bad(
              "infer: datatype " + dt,
              400,
              () -> post(infer, json, request(tensor("input", "[1,1,8,8]", dt, "[" + d64 + "]")))));
    t.add(shape("3 dims", "[1,8,8]", d64));
    t.add(shape("wrong channels", "[1,3,8,8]", values(192, "1")));
    t.add(shape("wrong size", "[1,1,16,16]", values(256, "1")));
    t.add(shape("N=0", "[0,1,8,8]", ""));
    t.add(shape("negative dims", "[-1,1,8,8]", d64));
    t.add(shape("absurdly large", "[1000000000,1,8,8]", d64));
    t.add(shape("dims whose product overflows", "[2,9223372036854775807,8,8]", d64));
    t.add(shape("non-integer dims", "[1.5,1,8,8]", d64));
    t.add(data("fewer values than the shape", "[" + values(10, "1") + "]"));
    t.add(data("more values than the shape", "[" + values(65, "1") + "]"));
    t.add(data("strings", "[" + values(64, "\"a\"") + "]"));
    t.add(data("booleans", "[" + values(64, "true") + "]"));
    t.add(data("nulls", "[" + values(64, "null") + "]"));
    t.add(data("not an array", "\"abc\""));
    t.add(data("nested too deep", "[".repeat(12) + "1" + "]".repeat(12)));
    t.add(
        bad(
            "infer: unknown output name",
            400,
            () ->
                post(
                    infer,
                    json,
                    good.substring(0, good.length() - 1) + ",\"outputs\":[{\"name\":\"nope\"}]}")));
    t.add(
        bad(
            "infer: batch above max_batch_size (33)",
            400,
            () -> post(infer, json, ServerFixture.inferBody(33, 1f))));
    t.add(bad("infer: unknown model", 404, () -> post("/v2/models/nosuch/infer", json, good)));
    t.add(
        bad(
            "infer: unknown version 9",
            404,
            () -> post("/v2/models/tiny/versions/9/infer", json, good)));
    for (String v : List.of("abc", "0", "-1"))
      t.add(
          bad(
              "infer: invalid version '" + v + "'",
              400,
              () -> post("/v2/models/tiny/versions/" + v + "/infer", json, good)));
    t.add(bad("infer: content type text/plain", 415, () -> post(infer, "text/plain", good)));
    t.add(bad("infer: GET instead of POST", 405, () -> get(infer)));
    t.add(
        bad(
            "infer: chunked body over the limit",
            413,
            () -> raw(port, out -> chunked(out, "POST", infer, json, (int) (3 * BODY_LIMIT)))));
    t.add(
        bad(
            "infer: Content-Length over the limit",
            413,
            () ->
                raw(
                    port,
                    out ->
                        out.write(
                            head(
                                "POST",
                                infer,
                                "Content-Type: " + json,
                                "Content-Length: 10000000")))));

    // V2 infer with the binary tensor data extension (Inference-Header-Content-Length)
    byte[] zeros = new byte[64 * 4];
    t.add(
        bad(
            "binary: header length not a number",
            400,
            () -> binary(binaryHeader(256), zeros, "12x")));
    t.add(
        bad(
            "binary: header length past the body",
            400,
            () -> binary(binaryHeader(256), zeros, "99999")));
    t.add(
        bad(
            "binary: header length cutting the JSON",
            400,
            () -> binary(binaryHeader(256), zeros, "10")));
    t.add(
        bad(
            "binary: binary_data_size not the tensor's size",
            400,
            () -> binary(binaryHeader(252), java.util.Arrays.copyOf(zeros, 252), null)));
    t.add(
        bad(
            "binary: fewer bytes than binary_data_size",
            400,
            () -> binary(binaryHeader(256), java.util.Arrays.copyOf(zeros, 200), null)));
    t.add(
        bad(
            "binary: NaN in the binary tensor",
            400,
            () -> {
              ByteBuffer nan = ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
              nan.putFloat(17 * 4, Float.NaN);
              return binary(binaryHeader(256), nan.array(), null);
            }));

    // V1 classify
    t.add(bad("classify: empty body", 400, () -> post(classify, "image/png", new byte[0])));
    t.add(
        bad(
            "classify: truncated PNG",
            400,
            () -> post(classify, "image/png", java.util.Arrays.copyOf(white, white.length / 2))));
    t.add(
        bad(
            "classify: random bytes as image/png",
            400,
            () -> {
              byte[] junk = new byte[2048];
              new Random(42).nextBytes(junk);
              return post(classify, "image/png", junk);
            }));
    t.add(
        bad(
            "classify: PNG header claiming 100000x100000",
            413,
            () -> post(classify, "image/png", hugePng())));
    t.add(bad("classify: content type text/html", 415, () -> post(classify, "text/html", white)));
    t.add(
        bad(
            "classify: multipart without a boundary",
            400,
            () -> post(classify, "multipart/form-data", multipart("b0undary", "image", white))));
    t.add(
        bad(
            "classify: multipart without an image part",
            400,
            () ->
                post(
                    classify,
                    "multipart/form-data; boundary=b0undary",
                    ("--b0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello"
                            + "\r\n--b0undary--\r\n")
                        .getBytes(StandardCharsets.UTF_8))));
    t.add(
        bad(
            "classify: multipart body that is not multipart",
            400,
            () -> post(classify, "multipart/form-data; boundary=b0undary", white)));
    t.add(
        bad(
            "classify: base64 JSON with invalid base64",
            400,
            () -> post(classify, json, "{\"image\":\"@@@ not base64 @@@\"}")));
    t.add(
        bad(
            "classify: JSON without \"image\"",
            400,
            () -> post(classify, json, "{\"picture\":\"" + b64(white) + "\"}")));
    t.add(bad("classify: malformed JSON", 400, () -> post(classify, json, "{\"image\": ")));
    t.add(bad("classify: top_k=0", 400, () -> post(classify + "?top_k=0", "image/png", white)));
    t.add(bad("classify: top_k=abc", 400, () -> post(classify + "?top_k=abc", "image/png", white)));
    t.add(
        bad(
            "classify: unknown model",
            404,
            () -> post("/v1/models/nosuch:classify", "image/png", white)));
    t.add(
        bad(
            "classify: unknown verb ':predict'",
            404,
            () -> post("/v1/models/tiny:predict", "image/png", white)));
    t.add(
        bad(
            "classify: invalid version 'abc'",
            400,
            () -> post("/v1/models/tiny/versions/abc:classify", "image/png", white)));
    t.add(
        bad(
            "classify: unknown version 9",
            404,
            () -> post("/v1/models/tiny/versions/9:classify", "image/png", white)));
    t.add(
        bad(
            "classify: Content-Length over the limit",
            413,
            () ->
                raw(
                    port,
                    out ->
                        out.write(
                            head(
                                "POST",
                                classify,
                                "Content-Type: image/png",
                                "Content-Length: " + (BODY_LIMIT + 1))))));
    t.add(
        bad(
            "classify: slowloris body (1 byte / 300 ms)",
            408,
            () ->
                raw(
                    port,
                    (out, in) -> {
                      out.write(
                          head(
                              "POST", classify, "Content-Type: image/png", "Content-Length: 1000"));
                      out.flush();
                      long stop = System.nanoTime() + 8_000_000_000L;
                      for (int i = 0; i < 1000 && System.nanoTime() < stop; i++) {
                        out.write('x');
                        out.flush();
                        sleep(300);
                        if (in.available() > 0) return; // answered
                      }
                    })));
    t.add(
        badOrClosed(
            "classify: body that stops arriving (idle timeout)",
            408,
            () ->
                raw(
                    port,
                    out -> {
                      out.write(
                          head(
                              "POST", classify, "Content-Type: image/png", "Content-Length: 1000"));
                      out.write(java.util.Arrays.copyOf(white, 10));
                    })));

    // paths and methods
    t.add(
        bad(
            "path: encoded traversal ..%2F..%2Fetc",
            404, // an unknown model: names are looked up, never used as paths
            () -> raw(port, out -> out.write(post("/v2/models/..%2F..%2Fetc/infer", good)))));
    t.add(
        bad(
            "path: traversal ../../etc/passwd",
            404, // normalised to /etc/passwd: no such endpoint
            () -> raw(port, out -> out.write(post("/v2/models/../../etc/passwd", good)))));
    t.add(
        bad(
            "path: upper-case model name",
            404,
            () -> raw(port, out -> out.write(post("/v2/models/TINY/infer", good)))));
    t.add(
        bad(
            "path: model name with a space",
            404,
            () -> raw(port, out -> out.write(post("/v2/models/ti%20ny/infer", good)))));
    t.add(
        bad(
            "path: model name with %00",
            400, () -> raw(port, out -> out.write(post("/v2/models/tiny%00/infer", good)))));
    t.add(
        bad(
            "path: unencoded space in the request line",
            400,
            () -> raw(port, out -> out.write(post("/v2/models/ti ny/infer", good)))));
    t.add(bad("path: unknown endpoint", 404, () -> get("/v2/nowhere/at/all")));
    t.add(bad("method: DELETE on /v2/health/live", 405, () -> send("DELETE", "/v2/health/live")));

    // the HTTP layer (Jetty's own refusals)
    t.add(
        bad(
            "http: one header over 8 KB",
            431,
            () ->
                raw(
                    port,
                    out ->
                        out.write(
                            head("GET", "/v2/health/live", "X-Bomb: " + "a".repeat(10_000))))));
    t.add(
        bad(
            "http: many headers",
            431,
            () ->
                raw(
                    port,
                    out ->
                        out.write(
                            head(
                                "GET",
                                "/v2/health/live",
                                IntStream.range(0, 1000)
                                    .mapToObj(i -> "X-H-" + i + ": v")
                                    .toArray(String[]::new))))));
    t.add(
        bad(
            "http: malformed request line",
            400,
            () -> raw(port, out -> out.write(ascii("GARBAGE\r\n\r\n")))));
    t.add(
        bad(
            "http: HTTP/1.1 without Host",
            400,
            () ->
                raw(
                    port,
                    out ->
                        out.write(
                            ascii("GET /v2/health/live HTTP/1.1\r\nConnection: close\r\n\r\n")))));

    // admin
    String models = "/admin/v1/models";
    t.add(bad("admin: no token", 401, () -> admin("GET", models, null, null)));
    t.add(
        bad(
            "admin: wrong token",
            401,
            () -> admin("GET", models, "Bearer " + "f".repeat(32), null)));
    t.add(
        bad(
            "admin: Basic scheme",
            401,
            () ->
                admin(
                    "GET",
                    models,
                    "Basic " + b64(("admin:" + ServerFixture.TOKEN).getBytes()),
                    null)));
    t.add(bad("admin: empty bearer token", 401, () -> admin("GET", models, "Bearer ", null)));
    t.add(
        bad(
            "admin: load without token",
            401,
            () -> admin("POST", models + "/tiny/load", null, "{}")));
    t.add(bad("admin: API on the public port", 404, () -> get(models)));
    t.add(
        bad(
            "admin: load on the public port",
            404,
            () -> send("POST", models + "/tiny/load", bearer, "{}")));
    t.add(
        bad(
            "admin: load of an unknown model",
            404,
            () -> admin("POST", models + "/nosuch/load", bearer, "{}")));
    t.add(
        bad(
            "admin: load of an invalid name",
            400,
            () -> admin("POST", models + "/Bad%20Name/load", bearer, "{}")));
    t.add(
        bad(
            "admin: load of an encoded traversal ..%2F..%2Fetc",
            400, () -> admin("POST", models + "/..%2F..%2Fetc/load", bearer, "{}")));
    t.add(
        bad(
            "admin: load of an unknown version",
            404,
            () -> admin("POST", models + "/tiny/load", bearer, "{\"version\":9}")));
    t.add(
        bad(
            "admin: load with version 'abc'",
            400,
            () -> admin("POST", models + "/tiny/load", bearer, "{\"version\":\"abc\"}")));
    t.add(
        bad(
            "admin: load with malformed JSON",
            400,
            () -> admin("POST", models + "/tiny/load", bearer, "{version")));
    t.add(
        bad(
            "admin: default without a version",
            400,
            () -> admin("POST", models + "/tiny/default", bearer, "{}")));
    t.add(
        bad(
            "admin: describe an unknown model",
            404,
            () -> admin("GET", models + "/nosuch", bearer, null)));
    t.add(bad("admin: GET on load", 405, () -> admin("GET", models + "/tiny/load", bearer, null)));
    return t;
  }

  private static BadCase bad(String kind, int status, Supplier<Resp> send) {
    return new BadCase(kind, status, false, send);
  }

  private static BadCase badOrClosed(String kind, int status, Supplier<Resp> send) {
    return new BadCase(kind, status, true, send);
  }

  private BadCase shape(String what, String shape, String data) {
    return bad(
        "infer: shape " + what + " " + shape,
        400,
        () ->
            post(
                "/v2/models/tiny/infer",
                "application/json",
                request(tensor("input", shape, "FP32", "[" + data + "]"))));
  }

  private BadCase data(String what, String data) {
    return bad(
        "infer: data " + what,
        400,
        () ->
            post(
                "/v2/models/tiny/infer",
                "application/json",
                request(tensor("input", "[1,1,8,8]", "FP32", data))));
  }

  // ---------------------------------------------------------------------------------------------
  // the good requests, in turn

  private List<Supplier<String>> goods() {
    byte[] white = TinyModels.png(255, 20);
    byte[] black = TinyModels.png(0, 20);
    return List.of(
        () -> label(post("/v1/models/tiny:classify", "image/png", white), "bright"),
        () -> {
          Resp r =
              post("/v2/models/tiny/infer", "application/json", ServerFixture.inferBody(1, 1f));
          if (r.status() != 200) return "infer: " + r;
          JsonNode logits = json(r).path("outputs").path(0).path("data");
          float bright = logits.path(0).floatValue();
          float dark = logits.path(1).floatValue();
          return Math.abs(bright - 0.75f) < 1e-4 && Math.abs(dark + 0.75f) < 1e-4
              ? null
              : "infer: logits " + logits;
        },
        () ->
            label(
                post(
                    "/v1/models/tiny:classify",
                    "application/json",
                    "{\"image\":\"" + b64(black) + "\"}"),
                "dark"),
        () -> {
          ByteBuffer ones = ByteBuffer.allocate(256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < 64; i++) ones.putFloat(1f);
          Resp r = binary(binaryHeader(256), ones.array(), null);
          if (r.status() != 200) return "binary infer: " + r;
          JsonNode logits = json(r).path("outputs").path(0).path("data");
          return Math.abs(logits.path(0).floatValue() - 0.75f) < 1e-4
                  && Math.abs(logits.path(1).floatValue() + 0.75f) < 1e-4
              ? null
              : "binary infer: logits " + logits;
        });
  }

  private static String label(Resp r, String expected) {
    if (r.status() != 200) return "classify: " + r;
    String got = json(r).path("predictions").path(0).path("label").asText();
    return got.equals(expected) ? null : "classify: '" + got + "', expected '" + expected + "'";
  }

  private static JsonNode json(Resp r) {
    try {
      return Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // sending: java.net.http where it can, a raw socket where it would refuse or tidy the request

  private Resp get(String path) {
    return send("GET", path, null, null);
  }

  private Resp send(String method, String path) {
    return send(method, path, null, null);
  }

  private Resp post(String path, String contentType, String body) {
    return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** A V2 request header for one 1x1x8x8 FP32 tensor sent as BYTES of binary data. */
  private static String binaryHeader(int bytes) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":"
        + bytes
        + "}}]}";
  }

  /** JSON header then binary data; the header length is the JSON's unless one is given. */
  private Resp binary(String json, byte[] data, String headerLength) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(j);
    body.writeBytes(data);
    HttpRequest r =
        HttpRequest.newBuilder(f.uri("/v2/models/tiny/infer"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/octet-stream")
            .header(
                "Inference-Header-Content-Length",
                headerLength != null ? headerLength : Integer.toString(j.length))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
            .build();
    return exchange(r);
  }

  private Resp post(String path, String contentType, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(f.uri(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return exchange(b.build());
  }

  private Resp send(String method, String path, String authorization, String body) {
    return exchange(request(f.uri(path), method, authorization, body));
  }

  private Resp admin(String method, String path, String authorization, String body) {
    return exchange(request(f.admin(path), method, authorization, body));
  }

  private static HttpRequest request(URI uri, String method, String authorization, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (authorization != null) b.header("Authorization", authorization);
    return b.build();
  }

  private Resp exchange(HttpRequest r) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
      return new Resp(resp.statusCode(), resp.body(), (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      return new Resp(CLOSED, "client: " + e, (System.nanoTime() - t0) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  interface RawWriter {
    void write(OutputStream out, InputStream in) throws IOException;
  }

  interface SimpleWriter {
    void write(OutputStream out) throws IOException;
  }

  private static Resp raw(int port, SimpleWriter w) {
    return raw(port, (out, in) -> w.write(out));
  }

  /**
   * Writes a request on a fresh connection to 127.0.0.1 and reads the answer until the server
   * closes the connection, the declared length has come, or 10 s have passed.
   */
  private static Resp raw(int port, RawWriter w) {
    long t0 = System.nanoTime();
    long deadline = t0 + 10_000_000_000L;
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 5000);
      s.setSoTimeout(200);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      try {
        w.write(out, in);
        out.flush();
      } catch (IOException e) {
        // the server may stop reading once it has answered: read what it said
      }
      byte[] buf = new byte[8192];
      while (System.nanoTime() < deadline) {
        try {
          int n = in.read(buf);
          if (n < 0) break;
          got.write(buf, 0, n);
          if (complete(got.toByteArray())) break;
        } catch (SocketTimeoutException e) {
          // keep waiting until the deadline
        } catch (IOException e) {
          break; // reset after (or instead of) an answer
        }
      }
    } catch (IOException e) {
      return new Resp(CLOSED, "connect: " + e, (System.nanoTime() - t0) / 1_000_000);
    }
    return parse(got.toByteArray(), (System.nanoTime() - t0) / 1_000_000);
  }

  private static boolean complete(byte[] b) {
    String s = new String(b, StandardCharsets.ISO_8859_1);
    int end = s.indexOf("\r\n\r\n");
    if (end < 0) return false;
    for (String line : s.substring(0, end).split("\r\n"))
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
        return s.length() - end - 4 >= Long.parseLong(line.substring(15).strip());
    return false;
  }

  private static Resp parse(byte[] b, long ms) {
    String s = new String(b, StandardCharsets.UTF_8);
    if (!s.startsWith("HTTP/")) return new Resp(CLOSED, s, ms);
    int end = s.indexOf("\r\n\r\n");
    String headers = end < 0 ? s : s.substring(0, end);
    String body = end < 0 ? "" : s.substring(end + 4);
    String[] first = headers.split("\r\n", 2)[0].split(" ");
    int status = first.length > 1 ? Integer.parseInt(first[1]) : CLOSED;
    if (headers.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"))
      body = dechunk(body);
    return new Resp(status, body, ms);
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (at < s.length()) {
      int eol = s.indexOf("\r\n", at);
      if (eol < 0) break;
      int size = Integer.parseInt(s.substring(at, eol).split(";")[0].strip(), 16);
      if (size == 0) break;
      out.append(s, eol + 2, Math.min(s.length(), eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    return out.toString();
  }

  /** A request head with Host and Connection: close, and the given header lines. */
  private static byte[] head(String method, String path, String... headers) {
    StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    sb.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    for (String h : headers) sb.append(h).append("\r\n");
    return ascii(sb.append("\r\n").toString());
  }

  /** A whole JSON POST, path as given (no normalisation, no encoding). */
  private static byte[] post(String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] h =
        head("POST", path, "Content-Type: application/json", "Content-Length: " + body.length);
    byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  /** A chunked JSON-typed POST of {@code total} bytes of spaces (no Content-Length). */
  private static void chunked(OutputStream out, String method, String path, String type, int total)
      throws IOException {
    out.write(head(method, path, "Content-Type: " + type, "Transfer-Encoding: chunked"));
    byte[] chunk = " ".repeat(8192).getBytes(StandardCharsets.US_ASCII);
    for (int sent = 0; sent < total; sent += chunk.length) {
      out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
      out.write(chunk);
      out.write(ascii("\r\n"));
    }
    out.write(ascii("0\r\n\r\n"));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // bodies

  private static String values(int n, String v) {
    return IntStream.range(0, n).mapToObj(i -> v).collect(Collectors.joining(","));
  }

  private static String tensor(String name, String shape, String datatype, String data) {
    return "{\"name\":\""
        + name
        + "\",\"shape\":"
        + shape
        + ",\"datatype\":\""
        + datatype
        + "\",\"data\":"
        + data
        + "}";
  }

  private static String request(String... inputs) {
    return "{\"inputs\":[" + String.join(",", inputs) + "]}";
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static byte[] multipart(String boundary, String field, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ascii(
            "--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\""
                + field
                + "\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n"));
    out.writeBytes(content);
    out.writeBytes(ascii("\r\n--" + boundary + "--\r\n"));
    return out.toByteArray();
  }

  /** A well-formed PNG (valid CRCs) whose header says 100000 × 100000 gray pixels. */
  static byte[] hugePng() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 0);
    ihdr.put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    Deflater d = new Deflater();
    d.setInput(new byte[100_001]); // the first row: filter byte and zeros
    d.finish();
    byte[] z = new byte[1024];
    int n = d.deflate(z);
    d.end();
    chunk(out, "IDAT", java.util.Arrays.copyOf(z, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = ascii(type);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 200 ? one : one.substring(0, 197) + "...";
  }
}
