package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTest {
  @TempDir Path dir;

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void health_metadata_and_v2_infer_answer_the_open_inference_protocol() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      assertThat(f.get("/v2/health/live").statusCode()).isEqualTo(200);
      assertThat(f.get("/v2/health/ready").statusCode()).isEqualTo(200);
      JsonNode meta = json(f.get("/v2/models/tiny"));
      assertThat(meta.get("name").asText()).isEqualTo("tiny");
      assertThat(meta.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,1,8,8]");
      assertThat(f.get("/v2/models/tiny/versions/1/ready").statusCode()).isEqualTo(200);

      HttpResponse<String> r =
          f.post(
              "/v2/models/tiny/infer",
              "application/json",
              ServerFixture.inferBody(2, 1f).getBytes());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode out = json(r);
      assertThat(out.get("model_version").asText()).isEqualTo("1");
      assertThat(out.get("id").asText()).isEqualTo("r1");
      JsonNode logits = out.get("outputs").get(0);
      assertThat(logits.get("name").asText()).isEqualTo("logits");
      assertThat(logits.get("shape").toString()).isEqualTo("[2,3]");
      // mean 1: (1 - 0.25, 0.25 - 1, 0)
      assertThat(logits.get("data").get(0).floatValue())
          .isCloseTo(0.75f, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(logits.get("data").get(1).floatValue())
          .isCloseTo(-0.75f, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void classify_takes_raw_bytes_multipart_and_base64() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      byte[] white = TinyModels.png(255, 20);
      byte[] black = TinyModels.png(0, 20);
      JsonNode a = json(f.post("/v1/models/tiny:classify", "image/png", white));
      assertThat(a.get("predictions").get(0).get("label").asText()).isEqualTo("bright");
      assertThat(a.get("model_version").asText()).isEqualTo("1");
      assertThat(a.get("request_id").asText()).isNotBlank();
      String boundary = "XyZ123";
      byte[] mp =
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"b.png\"\r\nContent-Type: image/png\r\n\r\n")
              .getBytes();
      byte[] end = ("\r\n--" + boundary + "--\r\n").getBytes();
      byte[] body = new byte[mp.length + black.length + end.length];
      System.arraycopy(mp, 0, body, 0, mp.length);
      System.arraycopy(black, 0, body, mp.length, black.length);
      System.arraycopy(end, 0, body, mp.length + black.length, end.length);
      HttpResponse<String> m =
          f.post(
              "/v1/models/tiny/versions/1:classify?top_k=1",
              "multipart/form-data; boundary=" + boundary,
              body);
      assertThat(m.statusCode()).as(m.body()).isEqualTo(200);
      assertThat(json(m).get("predictions")).hasSize(1);
      assertThat(json(m).get("predictions").get(0).get("label").asText()).isEqualTo("dark");
      String b64 = "{\"image\":\"" + java.util.Base64.getEncoder().encodeToString(black) + "\"}";
      JsonNode c = json(f.post("/v1/models/tiny:classify", "application/json", b64.getBytes()));
      assertThat(c.get("predictions").get(0).get("label").asText()).isEqualTo("dark");
      String metrics = f.get("/metrics").body();
      assertThat(metrics)
          .contains("imgclass_requests_total{model=\"tiny\"")
          .contains("imgclass_batch_size_bucket");
    }
  }
}
