package dev.imgclass.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImageTooLargeException;
import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.experiments.Route;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.TopK;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;

/**
 * {@code POST /v1/models/{name}[/versions/{v}]:classify}: one image as raw bytes, a multipart form
 * (field {@code image}, or the first file) or JSON {@code {"image": "<base64>"}}, answered with the
 * top-k classes. The image goes through the shared safe decoder and the model's own preprocessing,
 * so the answer is what {@code imgclass predict} gives for the same file.
 */
final class ClassifyHandler implements Handler {
  static final String SUFFIX = ":classify";
  private static final byte[] EMPTY = new byte[0];
  private static final Set<String> RAW =
      Set.of(
          "",
          "application/octet-stream",
          "image/png",
          "image/jpeg",
          "image/jpg",
          "image/bmp",
          "image/x-ms-bmp",
          "image/gif");

  private final Models models;
  private final Pipeline pipeline;
  private final ServeOptions options;
  private final ServeExperiments experiments;

  ClassifyHandler(
      Models models, Pipeline pipeline, ServeOptions options, ServeExperiments experiments) {
    this.models = models;
    this.pipeline = pipeline;
    this.options = options;
    this.experiments = experiments;
  }

  @Override
  public void handle(Context ctx) {
    ctx.attribute(Routes.PROTOCOL, "v1");
    String target = ctx.pathParam("target");
    if (!target.endsWith(SUFFIX))
      throw HttpError.notFound("no such endpoint: use POST /v1/models/NAME:classify");
    String head = target.substring(0, target.length() - SUFFIX.length());
    String name;
    Optional<Integer> version;
    if (ctx.pathParamMap().containsKey("name")) {
      name = ctx.pathParam("name");
      try {
        version = Optional.of(ModelStore.parseVersion(head));
      } catch (ImgclassException e) {
        throw HttpError.badRequest(e.getMessage());
      }
    } else {
      name = head;
      version = Optional.empty();
    }
    ctx.attribute(Routes.MODEL, name);
    String type = Bodies.mediaType(ctx);
    boolean multipart = type.equals("multipart/form-data");
    boolean json = type.equals("application/json");
    if (!multipart && !json && !RAW.contains(type))
      throw new HttpError(
          415,
          "content type '"
              + type
              + "' is not accepted: send image bytes (image/png, image/jpeg, ...), multipart/form-data or application/json");
    int topK = topK(ctx.queryParam("top_k"));
    String contentType = ctx.contentType();
    long arrived = System.nanoTime();
    byte[] body = Bodies.read(ctx, options.maxBodyBytes(), options.bodyTimeoutMs());
    String unit = version.isEmpty() ? experiments.unit(ctx, name, json ? body : EMPTY) : null;
    Optional<Route> route = version.isEmpty() ? experiments.route(name, unit) : Optional.empty();
    ServeExperiments.Acquired acquired = experiments.acquire(ctx, name, version, route);
    LoadedVersion lv = acquired.version();
    Optional<Route> r = acquired.route();
    ctx.attribute(Routes.VERSION, lv.version());
    Object rid = ctx.attribute(Routes.REQUEST_ID);
    String requestId = String.valueOf(rid);
    long deadline = arrived + lv.config().timeoutMs() * 1_000_000L;
    pipeline.run(
        ctx,
        lv,
        deadline,
        () -> {
          byte[] image =
              multipart ? fromMultipart(body, contentType) : json ? fromJson(body) : body;
          float[] x = tensor(image, lv.preprocessor(), options.maxPixels());
          int k = Math.min(topK, lv.classifier().spec().numClasses());
          return new Pipeline.Prepared(
              x,
              1,
              logits -> {
                long us = (System.nanoTime() - arrived) / 1000;
                experiments.served(requestId, r, lv.name(), lv.version(), unit, logits, us, false);
                r.ifPresent(route0 -> experiments.mirror(requestId, route0, unit, x, 1));
                float[] p = logits[0].clone();
                Classifier.softmaxInPlace(p);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("request_id", requestId);
                out.put("model_name", lv.name());
                out.put("model_version", String.valueOf(lv.version()));
                r.filter(Route::counted)
                    .ifPresent(
                        route0 -> {
                          out.put("experiment", route0.experiment());
                          out.put("arm", route0.arm());
                        });
                out.put("predictions", TopK.of(p, k, lv.classifier().spec().classes()));
                return Pipeline.Reply.json(
                    Json.line(out).getBytes(java.nio.charset.StandardCharsets.UTF_8));
              });
        },
        err ->
            r.ifPresent(
                route0 ->
                    experiments.failed(
                        requestId, route0, unit, (System.nanoTime() - arrived) / 1000)));
  }

  /** Decoded by the shared safe decoder, then the model's own preprocessing. */
  static float[] tensor(byte[] image, Preprocessor pre, long maxPixels) {
    if (image.length == 0) throw HttpError.badRequest("empty body: send the image's bytes");
    java.awt.image.BufferedImage picture;
    try {
      picture = Images.decode(image, "request body", maxPixels);
    } catch (ImageTooLargeException e) {
      throw new HttpError(413, e.getMessage());
    } catch (ImgclassException e) {
      throw new HttpError(400, e.getMessage());
    }
    float[] x = new float[pre.inputLength()];
    pre.normalizeInto(pre.toInputSize(pre.toInput(picture)), x, 0);
    return x;
  }

  private static int topK(String q) {
    if (q == null) return 3;
    try {
      int k = Integer.parseInt(q);
      if (k >= 1 && k <= 1000) return k;
    } catch (NumberFormatException ignored) {
      // answered below
    }
    throw HttpError.badRequest(
        "top_k must be an integer from 1 to 1000, got '" + ModelStore.abbreviate(q) + "'");
  }

  private static byte[] fromJson(byte[] body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw HttpError.badRequest("malformed JSON: send {\"image\": \"<base64>\"}");
    }
    if (root == null || !root.isObject() || !root.path("image").isTextual())
      throw HttpError.badRequest("JSON body must be {\"image\": \"<base64 of the image file>\"}");
    try {
      return Base64.getMimeDecoder().decode(root.get("image").asText());
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("'image' is not valid base64: " + e.getMessage());
    }
  }

  private static byte[] fromMultipart(byte[] body, String contentType) {
    String boundary = MultiPart.extractBoundary(contentType);
    if (boundary == null || boundary.isEmpty())
      throw HttpError.badRequest("multipart body without a boundary in its content type");
    MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
    parser.setMaxMemoryFileSize(body.length + 1L); // all in memory: the body is already bounded
    parser.setMaxParts(16);
    try (MultiPartFormData.Parts parts =
        parser.parse(Content.Source.from(ByteBuffer.wrap(body))).get()) {
      MultiPart.Part part = parts.getFirst("image");
      if (part == null)
        for (MultiPart.Part p : parts)
          if (p.getFileName() != null) {
            part = p;
            break;
          }
      if (part == null)
        throw HttpError.badRequest("the multipart form has no 'image' field and no file");
      ByteBuffer b = Content.Source.asByteBuffer(part.getContentSource());
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw HttpError.unavailable("interrupted");
    } catch (java.util.concurrent.ExecutionException | IOException e) {
      Throwable t = Pipeline.unwrap(e);
      throw HttpError.badRequest("malformed multipart body: " + t.getMessage());
    }
  }
}
