package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The route tables, each whole in one method, and the one JSON error shape ({@code {"error":
 * "..."}}, the Open Inference Protocol's) every failure is answered with. Handlers translate HTTP
 * to the domain and back; they hold no ML logic.
 */
final class Routes {
  static final String REQUEST_ID = "imgclass.request-id";
  static final String MODEL = "imgclass.model";
  static final String VERSION = "imgclass.version";
  static final String PROTOCOL = "imgclass.protocol";
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  // request ids: a random prefix per process and a counter (UUID.randomUUID() takes a lock on a
  // SecureRandom for every request; these ids need to be unique, not unguessable)
  private static final String ID_PREFIX =
      Long.toHexString(new java.security.SecureRandom().nextLong() >>> 16);
  private static final java.util.concurrent.atomic.AtomicLong NEXT_ID =
      new java.util.concurrent.atomic.AtomicLong();

  private Routes() {}

  /** The inference port. */
  static void inference(
      RoutesConfig r,
      V2Handlers v2,
      ClassifyHandler v1,
      ExperimentHandlers ex,
      ServeMetrics metrics) {
    r.before(Routes::assignRequestId);
    r.get("/v2/health/live", v2::live);
    r.get("/v2/health/ready", v2::ready);
    r.get("/v2", v2::serverMetadata);
    r.get("/v2/models/{name}", v2::modelMetadata);
    r.get("/v2/models/{name}/versions/{version}", v2::modelMetadata);
    r.get("/v2/models/{name}/ready", v2::modelReady);
    r.get("/v2/models/{name}/versions/{version}/ready", v2::modelReady);
    r.post("/v2/models/{name}/infer", v2::infer);
    r.post("/v2/models/{name}/versions/{version}/infer", v2::infer);
    r.post("/v1/models/{target}", v1); // {name}:classify
    r.post("/v1/models/{name}/versions/{target}", v1); // {version}:classify
    r.post("/v1/feedback", ex::feedback);
    r.get("/v1/experiments", ex::list);
    r.get("/v1/experiments/{id}", ex::get);
    r.get("/v1/evaluations/{model}", ex::evaluations);
    r.get("/metrics", ctx -> ctx.contentType(ServeMetrics.contentType()).result(metrics.scrape()));
    errors(r);
  }

  /** The admin port (loopback only, bearer token). */
  static void admin(
      RoutesConfig r, AdminHandlers a, ExperimentHandlers ex, DashboardPage dashboard) {
    r.before(Routes::assignRequestId);
    r.before(a::authorize);
    r.get(
        AdminHandlers.DASHBOARD,
        ctx -> ctx.status(200).contentType("text/html; charset=utf-8").result(dashboard.render()));
    r.get("/admin/v1/experiments", ex::list);
    r.get("/admin/v1/experiments/{id}", ex::get);
    r.post("/admin/v1/experiments", ex::put);
    r.post("/admin/v1/experiments/{id}/stop", ex::stop);
    r.post("/admin/v1/evaluations", ex::evaluateNow);
    r.get("/admin/v1/models", a::list);
    r.get("/admin/v1/models/{name}", a::describe);
    r.post("/admin/v1/models/{name}/load", a::load);
    r.post("/admin/v1/models/{name}/unload", a::unload);
    r.post("/admin/v1/models/{name}/default", a::setDefault);
    errors(r);
  }

  private static void errors(RoutesConfig r) {
    r.exception(HttpError.class, (e, ctx) -> writeError(ctx, e));
    r.exception(HttpResponseException.class, (e, ctx) -> writeError(ctx, e));
    r.exception(ImgclassException.class, (e, ctx) -> writeError(ctx, e));
    r.exception(Exception.class, (e, ctx) -> writeError(ctx, e));
    r.error(404, ctx -> orDefault(ctx, "no such endpoint: " + ctx.method() + " " + ctx.path()));
    r.error(405, ctx -> orDefault(ctx, "method " + ctx.method() + " not allowed on " + ctx.path()));
  }

  private static void orDefault(Context ctx, String message) {
    if (ctx.result() == null || ctx.result().isEmpty() || !ctx.result().startsWith("{\"error\""))
      body(ctx, ctx.statusCode(), message);
  }

  /** Answers {@code t} as the protocol's error: the status it carries, one line, no stack trace. */
  static void writeError(Context ctx, Throwable t) {
    if (t instanceof HttpError e) {
      if (e.retryAfterSeconds != null) ctx.header("Retry-After", e.retryAfterSeconds);
      body(ctx, e.status, e.getMessage());
    } else if (t instanceof HttpResponseException e) {
      body(ctx, e.getStatus(), e.getMessage());
    } else if (t instanceof ImgclassException e) {
      body(ctx, 400, e.getMessage());
    } else {
      Object rid = ctx.attribute(REQUEST_ID);
      String id = String.valueOf(rid);
      System.err.println("error: request " + id + " failed inside the server: " + t);
      body(ctx, 500, "internal error (request " + id + "); the server log has the details");
    }
  }

  private static void body(Context ctx, int status, String message) {
    ctx.status(status)
        .contentType("application/json")
        .result(Json.line(Map.of("error", message == null ? "error" : message)));
  }

  /** The client's {@code X-Request-Id} when it is a sane token, else a fresh one; echoed back. */
  private static void assignRequestId(Context ctx) {
    String given = ctx.header("X-Request-Id");
    String id =
        given != null && CLIENT_ID.matcher(given).matches()
            ? given
            : ID_PREFIX + "-" + Long.toHexString(NEXT_ID.incrementAndGet());
    ctx.attribute(REQUEST_ID, id);
    ctx.header("X-Request-Id", id);
  }
}
