package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KServe V2 binary tensor data extension on /v2/models/NAME/infer, as tritonclient sends it.
 */
class V2BinaryTest {
  @TempDir static Path dir;
  static ServerFixture f;

  @BeforeAll
  static void start() {
    f = new ServerFixture(dir);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** Little-endian FP32 bytes of {@code n} images (1x8x8) of one gray level. */
  static byte[] tensor(int n, float level) {
    ByteBuffer b = ByteBuffer.allocate(n * 64 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n * 64; i++) b.putFloat(level);
    return b.array();
  }

  static String header(int n, long bytes, String outputs) {
    return "{\"id\":\"b1\",\"inputs\":[{\"name\":\"input\",\"shape\":["
        + n
        + ",1,8,8],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
        + bytes
        + "}}]"
        + outputs
        + "}";
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(a);
    o.writeBytes(b);
    return o.toByteArray();
  }

  static HttpResponse<byte[]> send(byte[] json, byte[] binary, String headerValue, String type) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(f.uri("/v2/models/tiny/infer"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(concat(json, binary)));
    if (headerValue != null) b.header("Inference-Header-Content-Length", headerValue);
    if (type != null) b.header("Content-Type", type);
    try {
      return f.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<byte[]> send(String json, byte[] binary) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    return send(j, binary, Integer.toString(j.length), "application/octet-stream");
  }

  static String error(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(400);
    JsonNode e = Json.MAPPER.readTree(r.body());
    return e.get("error").asText();
  }

  @Test
  void a_binary_input_gives_the_same_logits_as_the_json_one() throws Exception {
    HttpResponse<String> j =
        f.post(
            "/v2/models/tiny/infer", "application/json", ServerFixture.inferBody(2, 1f).getBytes());
    JsonNode want = Json.MAPPER.readTree(j.body()).get("outputs").get(0).get("data");
    HttpResponse<byte[]> r = send(header(2, 2 * 64 * 4, ""), tensor(2, 1f));
    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode out = Json.MAPPER.readTree(r.body());
    assertThat(out.get("id").asText()).isEqualTo("b1");
    assertThat(out.get("outputs").get(0).get("data")).isEqualTo(want);
    // curl and tritonclient may also send no content type, or application/json, with the header
    byte[] h = header(1, 256, "").getBytes(StandardCharsets.UTF_8);
    assertThat(send(h, tensor(1, 0f), Integer.toString(h.length), null).statusCode())
        .isEqualTo(200);
    assertThat(send(h, tensor(1, 0f), Integer.toString(h.length), "application/json").statusCode())
        .isEqualTo(200);
  }

  @Test
  void outputs_asked_for_as_binary_come_after_the_json_header() throws Exception {
    String outputs =
        ",\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"probabilities\"}]";
    HttpResponse<byte[]> r = send(header(2, 512, outputs), tensor(2, 1f));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/octet-stream");
    int h =
        Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    byte[] body = r.body();
    JsonNode json = Json.MAPPER.readTree(new String(body, 0, h, StandardCharsets.UTF_8));
    JsonNode logits = json.get("outputs").get(0);
    assertThat(logits.get("parameters").get("binary_data_size").asInt()).isEqualTo(2 * 3 * 4);
    assertThat(logits.has("data")).isFalse();
    assertThat(json.get("outputs").get(1).get("data")).hasSize(6); // probabilities stay JSON
    assertThat(body.length - h).isEqualTo(24);
    ByteBuffer b = ByteBuffer.wrap(body, h, 24).order(ByteOrder.LITTLE_ENDIAN);
    // mean 1: (1 - 0.25, 0.25 - 1, 0), twice
    float[] want = {0.75f, -0.75f, 0f, 0.75f, -0.75f, 0f};
    for (float w : want)
      assertThat(b.getFloat()).isCloseTo(w, org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void binary_data_output_on_the_request_makes_every_output_binary() throws Exception {
    String j =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":256}}],"
            + "\"parameters\":{\"binary_data_output\":true}}";
    HttpResponse<byte[]> r = send(j, tensor(1, 0f));
    assertThat(r.statusCode()).isEqualTo(200);
    int h =
        Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonNode json = Json.MAPPER.readTree(new String(r.body(), 0, h, StandardCharsets.UTF_8));
    assertThat(json.get("outputs")).hasSize(2);
    assertThat(r.body().length - h).isEqualTo(2 * 3 * 4);
    ByteBuffer b = ByteBuffer.wrap(r.body(), h + 12, 12).order(ByteOrder.LITTLE_ENDIAN);
    float sum = b.getFloat() + b.getFloat() + b.getFloat();
    assertThat(sum)
        .as("probabilities sum to 1")
        .isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void the_server_metadata_lists_the_extension() throws Exception {
    JsonNode meta = Json.MAPPER.readTree(f.get("/v2").body());
    assertThat(meta.get("extensions").toString()).contains("binary_tensor_data");
  }

  @Test
  void bad_binary_requests_are_one_clear_400_each() throws Exception {
    assertThat(error(send(header(1, 252, ""), tensor(1, 0f))))
        .isEqualTo("'binary_data_size' is 252 bytes; shape [1, 1, 8, 8] of FP32 needs 256");
    assertThat(error(send(header(1, 256, ""), java.util.Arrays.copyOf(tensor(1, 0f), 200))))
        .isEqualTo("the body holds 200 bytes after its JSON header; 'binary_data_size' says 256");
    byte[] h = header(1, 256, "").getBytes(StandardCharsets.UTF_8);
    assertThat(error(send(h, tensor(1, 0f), "12x", "application/octet-stream")))
        .startsWith("Inference-Header-Content-Length must be an integer from 0 to the body's");
    assertThat(error(send(h, tensor(1, 0f), "99999", "application/octet-stream")))
        .contains("got '99999'");
    assertThat(error(send(h, tensor(1, 0f), "10", "application/octet-stream")))
        .startsWith("malformed JSON");
    // binary_data_size without the header: the whole body is read as JSON
    assertThat(error(send(h, new byte[0], null, "application/json")))
        .isEqualTo(
            "'binary_data_size' needs the Inference-Header-Content-Length header (the length of"
                + " the JSON part of the body)");
    // JSON data plus bytes nobody claims
    byte[] json = ServerFixture.inferBody(1, 0f).getBytes(StandardCharsets.UTF_8);
    assertThat(error(send(json, new byte[8], Integer.toString(json.length), null)))
        .isEqualTo(
            "the body holds 8 bytes after its JSON header that no input claims with"
                + " 'binary_data_size'");
    byte[] nan = tensor(1, 0f);
    ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 7, Float.NaN);
    assertThat(error(send(header(1, 256, ""), nan)))
        .isEqualTo("the binary input holds a non-finite value at element 7");
    String both =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":256},\"data\":[1]}]}";
    assertThat(error(send(both, tensor(1, 0f))))
        .isEqualTo("the input has both 'data' and 'binary_data_size': send one");
    String badFlag =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,8,8],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":256}}],"
            + "\"parameters\":{\"binary_data_output\":\"yes\"}}";
    assertThat(error(send(badFlag, tensor(1, 0f))))
        .isEqualTo("'binary_data_output' must be true or false");
    // the header says the layout, whatever the content type (urllib sends a form type)
    HttpResponse<byte[]> form =
        send(h, tensor(1, 0f), Integer.toString(h.length), "application/x-www-form-urlencoded");
    assertThat(form.statusCode()).isEqualTo(200);
    HttpResponse<String> plain =
        f.post("/v2/models/tiny/infer", "text/plain", ServerFixture.inferBody(1, 0f).getBytes());
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(plain.body()).contains("binary tensor data with Inference-Header-Content-Length");
    // and the server still answers
    assertThat(send(header(1, 256, ""), tensor(1, 0f)).statusCode()).isEqualTo(200);
  }
}
