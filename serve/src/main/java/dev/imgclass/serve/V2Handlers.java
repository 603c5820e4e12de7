package dev.imgclass.serve;

import dev.imgclass.core.BuildInfo;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.experiments.Route;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/** The Open Inference Protocol (KServe V2) REST endpoints: health, metadata, infer. */
final class V2Handlers {
  private final Models models;
  private final Pipeline pipeline;
  private final ServeOptions options;
  private final BooleanSupplier draining;
  private final ServeExperiments experiments;

  V2Handlers(
      Models models,
      Pipeline pipeline,
      ServeOptions options,
      BooleanSupplier draining,
      ServeExperiments experiments) {
    this.models = models;
    this.pipeline = pipeline;
    this.options = options;
    this.draining = draining;
    this.experiments = experiments;
  }

  void live(Context ctx) {
    json(ctx, 200, Map.of("live", true));
  }

  /** Ready when not draining and every served model has its default version loaded. */
  void ready(Context ctx) {
    boolean ready = !draining.getAsBoolean();
    json(ctx, ready ? 200 : 503, Map.of("ready", ready));
  }

  void serverMetadata(Context ctx) {
    json(
        ctx,
        200,
        Map.of(
            "name",
            "imgclass",
            "version",
            BuildInfo.version(),
            "extensions",
            List.of("binary_tensor_data")));
  }

  void modelMetadata(Context ctx) {
    String name = ctx.pathParam("name");
    Optional<Integer> v = version(ctx);
    LoadedVersion lv = models.acquire(name, v);
    try {
      ModelSpec spec = lv.classifier().spec();
      Models.Served s = models.get(name).orElseThrow();
      int c = spec.inChannels();
      int size = spec.inputSize();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", name);
      m.put(
          "versions", new TreeMap<>(s.versions()).keySet().stream().map(String::valueOf).toList());
      m.put("platform", "onnxruntime_onnx");
      m.put(
          "inputs",
          List.of(
              Map.of(
                  "name",
                  OnnxMetadata.INPUT,
                  "datatype",
                  "FP32",
                  "shape",
                  List.of(-1, c, size, size))));
      int k = spec.numClasses();
      m.put(
          "outputs",
          List.of(
              Map.of("name", V2Tensors.LOGITS, "datatype", "FP32", "shape", List.of(-1, k)),
              Map.of(
                  "name", V2Tensors.PROBABILITIES, "datatype", "FP32", "shape", List.of(-1, k))));
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("version", String.valueOf(lv.version()));
      params.put("classes", spec.classes());
      params.put("mean", spec.mean());
      params.put("std", spec.std());
      params.put("architecture", spec.architecture());
      params.put("sha256", lv.manifest().sha256());
      params.put("quantized", lv.manifest().quantized());
      params.put("max_batch_size", lv.config().maxBatchSize());
      m.put("parameters", params);
      json(ctx, 200, m);
    } finally {
      lv.release();
    }
  }

  void modelReady(Context ctx) {
    String name = ctx.pathParam("name");
    LoadedVersion lv = models.acquire(name, version(ctx)); // 404 when not loaded
    lv.release();
    json(ctx, 200, Map.of("name", name, "ready", true));
  }

  void infer(Context ctx) {
    ctx.attribute(Routes.PROTOCOL, "v2");
    String type = Bodies.mediaType(ctx);
    String headerLength = ctx.header(V2Tensors.HEADER_LENGTH);
    boolean binary = headerLength != null;
    // the header alone says how the body is laid out; clients send it with any content type
    // (urllib and curl default to a form type), so only a JSON body's type is checked
    if (!binary && !type.isEmpty() && !type.equals("application/json"))
      throw new HttpError(
          415,
          "content type '"
              + type
              + "' is not accepted: send application/json, or binary tensor data with "
              + V2Tensors.HEADER_LENGTH);
    String name = ctx.pathParam("name");
    ctx.attribute(Routes.MODEL, name);
    Optional<Integer> v = version(ctx);
    long arrived = System.nanoTime();
    byte[] body = Bodies.read(ctx, options.maxBodyBytes(), options.bodyTimeoutMs());
    int jsonLength = binary ? jsonLength(headerLength, body.length) : -1;
    String unit = v.isEmpty() ? experiments.unit(ctx, name, body) : null;
    Optional<Route> route = v.isEmpty() ? experiments.route(name, unit) : Optional.empty();
    ServeExperiments.Acquired acquired = experiments.acquire(ctx, name, v, route);
    LoadedVersion lv = acquired.version();
    Optional<Route> r = acquired.route();
    ctx.attribute(Routes.VERSION, lv.version());
    String requestId = String.valueOf((Object) ctx.attribute(Routes.REQUEST_ID));
    long deadline = arrived + lv.config().timeoutMs() * 1_000_000L;
    pipeline.run(
        ctx,
        lv,
        deadline,
        () -> {
          V2Tensors.Request req = V2Tensors.parse(body, jsonLength, lv.classifier().spec());
          return new Pipeline.Prepared(
              req.input(),
              req.n(),
              logits -> {
                long us = (System.nanoTime() - arrived) / 1000;
                experiments.served(requestId, r, lv.name(), lv.version(), unit, logits, us, false);
                r.ifPresent(
                    route0 -> experiments.mirror(requestId, route0, unit, req.input(), req.n()));
                return V2Tensors.response(
                    lv.name(), lv.version(), req.id(), req.outputs(), req.binary(), logits);
              });
        },
        err ->
            r.ifPresent(
                route0 ->
                    experiments.failed(
                        requestId, route0, unit, (System.nanoTime() - arrived) / 1000)));
  }

  /** The {@code Inference-Header-Content-Length} value, checked against the body's length. */
  static int jsonLength(String header, int bodyLength) {
    int n;
    try {
      n = Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || n > bodyLength)
      throw HttpError.badRequest(
          V2Tensors.HEADER_LENGTH
              + " must be an integer from 0 to the body's "
              + bodyLength
              + " bytes, got '"
              + V2Tensors.abbreviate(header)
              + "'");
    return n;
  }

  static Optional<Integer> version(Context ctx) {
    String v = ctx.pathParamMap().get("version");
    if (v == null) return Optional.empty();
    try {
      return Optional.of(ModelStore.parseVersion(v));
    } catch (dev.imgclass.core.ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }

  static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType("application/json").result(Json.line(body));
  }
}
