package dev.imgclass.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.experiments.EvaluationRecord;
import dev.imgclass.experiments.ExperimentConfig;
import dev.imgclass.experiments.ExperimentConflictException;
import dev.imgclass.experiments.ExperimentRecord;
import dev.imgclass.experiments.Exposure;
import dev.imgclass.experiments.Feedback;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experiments, feedback and evaluations over HTTP. Public port: {@code POST /v1/feedback}, {@code
 * GET /v1/experiments[/{id}]}, {@code GET /v1/evaluations/{model}}. Admin port: {@code POST
 * /admin/v1/experiments} (create or update), {@code POST /admin/v1/experiments/{id}/stop}, {@code
 * POST /admin/v1/evaluations} (re-evaluate now).
 */
final class ExperimentHandlers {
  static final int MAX_FEEDBACK_ITEMS = 10_000;
  static final long MAX_FEEDBACK_BYTES = 4L << 20;

  /** JSON for reports: NaN and infinities (no data yet, unbounded intervals) become null. */
  static final ObjectMapper REPORT_JSON =
      Json.MAPPER
          .copy()
          .disable(SerializationFeature.INDENT_OUTPUT)
          .registerModule(
              new SimpleModule()
                  .addSerializer(Double.class, new FiniteOrNull())
                  .addSerializer(Double.TYPE, new FiniteOrNull()));

  private static final class FiniteOrNull extends JsonSerializer<Double> {
    @Override
    public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
      if (v == null || !Double.isFinite(v)) g.writeNull();
      else g.writeNumber(v);
    }
  }

  private final ServeExperiments ex;
  private final Models models;

  ExperimentHandlers(ServeExperiments ex, Models models) {
    this.ex = ex;
    this.models = models;
  }

  /**
   * {@code {"request_id": "...", "label": "CLASS NAME"}} or {@code {"request_id": "...", "reward":
   * x}}, or a JSON array of such objects (up to 10,000). One object: 202 when accepted, 404 for an
   * unknown request id, 409 when it already has feedback, 400 for a label that is not a class of
   * the model that served it. An array: 200 with each item's status.
   */
  void feedback(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    byte[] b = Bodies.read(ctx, MAX_FEEDBACK_BYTES, 10_000);
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(b);
    } catch (IOException e) {
      throw HttpError.badRequest(
          "malformed JSON: send {\"request_id\": \"...\", \"label\": \"CLASS\"} or an array of them");
    }
    if (root == null) throw HttpError.badRequest("empty body: send the feedback as JSON");
    if (root.isObject()) {
      Map<String, Object> r = one(root);
      V2Handlers.json(ctx, 202, r);
      return;
    }
    if (!root.isArray())
      throw HttpError.badRequest("the body must be a JSON object or an array of objects");
    if (root.size() > MAX_FEEDBACK_ITEMS)
      throw HttpError.badRequest(
          "at most " + MAX_FEEDBACK_ITEMS + " feedback items per request, got " + root.size());
    List<Map<String, Object>> results = new ArrayList<>();
    int accepted = 0;
    for (JsonNode item : root) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("request_id", item.path("request_id").asText(null));
      try {
        one(item);
        r.put("status", 202);
        accepted++;
      } catch (HttpError e) {
        r.put("status", e.status);
        r.put("error", e.getMessage());
      }
      results.add(r);
    }
    V2Handlers.json(ctx, 200, Map.of("accepted", accepted, "results", results));
  }

  private Map<String, Object> one(JsonNode item) {
    if (!item.isObject()) throw HttpError.badRequest("a feedback item must be a JSON object");
    JsonNode idNode = item.get("request_id");
    if (idNode == null || !idNode.isTextual() || idNode.asText().isEmpty())
      throw HttpError.badRequest("feedback needs a \"request_id\" string");
    String id = idNode.asText();
    if (id.length() > 128) throw HttpError.badRequest("request_id is longer than 128 characters");
    JsonNode label = item.get("label");
    JsonNode reward = item.get("reward");
    boolean hasLabel = label != null && !label.isNull();
    boolean hasReward = reward != null && !reward.isNull();
    if (hasLabel == hasReward)
      throw HttpError.badRequest("feedback needs exactly one of \"label\" and \"reward\"");
    for (var it = item.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("request_id") && !f.equals("label") && !f.equals("reward"))
        throw HttpError.badRequest("unknown feedback field '" + ModelStore.abbreviate(f) + "'");
    }
    if (id.endsWith(ServeExperiments.SHADOW_SUFFIX))
      throw HttpError.badRequest("feedback goes to the request id the client got, not a shadow's");
    Optional<Exposure> e = ex.writer.pendingExposure(id);
    if (e.isEmpty()) e = ex.store.exposure(id);
    if (e.isEmpty())
      throw HttpError.notFound("unknown request id '" + ModelStore.abbreviate(id) + "'");
    if (ex.writer.pendingFeedback(id) || ex.store.hasFeedback(id))
      throw new HttpError(409, "request " + id + " already has feedback");
    Integer labelIndex = null;
    Double rewardValue = null;
    if (hasLabel) {
      if (!label.isTextual())
        throw HttpError.badRequest("\"label\" must be a class name (a string)");
      List<String> classes = classes(e.get());
      labelIndex = classes.indexOf(label.asText());
      if (labelIndex < 0)
        throw HttpError.badRequest(
            "label '"
                + ModelStore.abbreviate(label.asText())
                + "' is not a class of "
                + e.get().model()
                + " v"
                + e.get().version()
                + ": "
                + ModelStore.abbreviate(String.join(", ", classes)));
    } else {
      if (!reward.isNumber() || !Double.isFinite(reward.asDouble()))
        throw HttpError.badRequest("\"reward\" must be a finite number");
      rewardValue = reward.asDouble();
    }
    if (!ex.writer.offer(new Feedback(id, labelIndex, rewardValue, System.currentTimeMillis())))
      throw HttpError.unavailable("the events queue is full; retry");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("request_id", id);
    r.put("accepted", true);
    return r;
  }

  private List<String> classes(Exposure e) {
    try {
      return models.store().manifest(e.model(), e.version()).classes();
    } catch (ImgclassException x) {
      throw new HttpError(
          409, "the model version that served " + e.requestId() + " is no longer in the store");
    }
  }

  void list(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    List<Map<String, Object>> out = new ArrayList<>();
    for (ExperimentRecord r : ex.experiments.list().values()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.id());
      ex.experiments.config(r.id()).ifPresent(c -> m.put("model", c.model()));
      m.put("state", ex.experiments.stateOf(r.id()).orElse(r.state()));
      m.put("period", r.period());
      m.put("updated", Instant.ofEpochMilli(r.updatedMillis()).toString());
      out.add(m);
    }
    V2Handlers.json(ctx, 200, Map.of("experiments", out));
  }

  void get(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    String id = id(ctx);
    if (ex.experiments.config(id).isEmpty())
      throw HttpError.notFound("no experiment '" + ModelStore.abbreviate(id) + "'");
    ctx.status(200).contentType("application/json").result(reportJson(id));
  }

  String reportJson(String id) {
    try {
      return REPORT_JSON.writeValueAsString(ex.experiments.report(id));
    } catch (IOException e) {
      throw new ImgclassException("cannot write the report: " + e.getMessage(), e);
    }
  }

  void evaluations(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    String model;
    try {
      model = ModelStore.checkName(ctx.pathParam("model"));
    } catch (ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (EvaluationRecord r : ex.store.evaluations(model)) out.add(describe(r));
    V2Handlers.json(ctx, 200, Map.of("model", model, "evaluations", out));
  }

  static Map<String, Object> describe(EvaluationRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", r.model());
    m.put("version", r.version());
    m.put("time", Instant.ofEpochMilli(r.timeMillis()).toString());
    m.put("source", r.source());
    m.put("n", r.n());
    m.put("accuracy", r.accuracy());
    m.put("alert", r.alert());
    try {
      m.put("result", Json.MAPPER.readTree(r.resultJson()));
    } catch (IOException e) {
      m.put("result", r.resultJson());
    }
    return m;
  }

  /** Admin: the body is an experiment config; its arms are loaded first, then it runs. */
  void put(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    byte[] b = Bodies.read(ctx, 256 << 10, 10_000);
    ExperimentConfig cfg;
    try {
      cfg = ExperimentConfig.parse(new String(b, java.nio.charset.StandardCharsets.UTF_8));
    } catch (ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    boolean existed = ex.experiments.config(cfg.id()).isPresent();
    List<ExperimentConfig.Arm> arms = new ArrayList<>(cfg.arms());
    if (cfg.shadow() != null) arms.add(cfg.shadow());
    for (ExperimentConfig.Arm a : arms) {
      String m = cfg.modelOf(a);
      if (!models.store().versions(m).contains(a.version()))
        throw HttpError.notFound(
            "arm "
                + a.name()
                + ": model "
                + m
                + " has no version "
                + a.version()
                + " in the store");
    }
    ExperimentRecord rec;
    try {
      for (ExperimentConfig.Arm a : arms) models.ensureLoaded(cfg.modelOf(a), a.version());
    } catch (ImgclassException e) {
      throw new HttpError(422, "an arm could not be loaded: " + e.getMessage());
    }
    try {
      rec = ex.experiments.put(cfg);
    } catch (ExperimentConflictException e) {
      throw new HttpError(409, e.getMessage());
    } catch (ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    V2Handlers.json(ctx, existed ? 200 : 201, record(rec));
  }

  void stop(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    String id = id(ctx);
    if (ex.experiments.config(id).isEmpty())
      throw HttpError.notFound("no experiment '" + ModelStore.abbreviate(id) + "'");
    String reason = null;
    byte[] b = Bodies.read(ctx, 64 << 10, 10_000);
    if (b.length > 0) {
      try {
        JsonNode n = Json.MAPPER.readTree(b);
        if (n != null && n.hasNonNull("reason")) reason = n.get("reason").asText();
      } catch (IOException e) {
        throw HttpError.badRequest("malformed JSON body");
      }
    }
    if (reason != null && reason.length() > 500) reason = reason.substring(0, 500);
    V2Handlers.json(ctx, 200, record(ex.experiments.stop(id, reason)));
  }

  /** Admin: {@code {"model": NAME}} (optional) re-evaluates now, whatever the schedule. */
  void evaluateNow(Context ctx) {
    if (!ex.enabled) throw ServeExperiments.off();
    byte[] b = Bodies.read(ctx, 64 << 10, 10_000);
    Optional<String> model = Optional.empty();
    if (b.length > 0) {
      try {
        JsonNode n = Json.MAPPER.readTree(b);
        if (n != null && n.hasNonNull("model"))
          model = Optional.of(ModelStore.checkName(n.get("model").asText()));
      } catch (IOException e) {
        throw HttpError.badRequest("malformed JSON body");
      } catch (ImgclassException e) {
        throw HttpError.badRequest(e.getMessage());
      }
    }
    if (model.isPresent() && models.get(model.get()).isEmpty())
      throw HttpError.notFound("model '" + model.get() + "' is not being served");
    List<Map<String, Object>> out = new ArrayList<>();
    try {
      for (EvaluationRecord r : ex.evaluateNow(model)) out.add(describe(r));
    } catch (ImgclassException e) {
      throw new HttpError(422, "re-evaluation failed: " + e.getMessage());
    }
    V2Handlers.json(ctx, 200, Map.of("evaluations", out));
  }

  private Map<String, Object> record(ExperimentRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("state", r.state());
    m.put("period", r.period());
    m.put("period_start", Instant.ofEpochMilli(r.periodStartMillis()).toString());
    if (r.reason() != null) m.put("reason", r.reason());
    return m;
  }

  private static String id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches("[a-z0-9][a-z0-9._-]{0,63}"))
      throw HttpError.notFound("no experiment '" + ModelStore.abbreviate(id) + "'");
    return id;
  }
}
