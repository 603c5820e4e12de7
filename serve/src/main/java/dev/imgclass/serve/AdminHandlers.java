package dev.imgclass.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The admin API ({@code /admin/v1/...}, its own port on the loopback address): list, load (hot
 * swap), unload, set the default version. Every call needs the bearer token and a loopback peer;
 * models come only from the store, by validated name and version — there is no way to name a path
 * or a URL.
 */
final class AdminHandlers {
  private final Models models;
  private final AdminToken token;

  AdminHandlers(Models models, AdminToken token) {
    this.models = models;
    this.token = token;
  }

  /** The read-only dashboard page: loopback peers only, no token (its buttons send the token). */
  static final String DASHBOARD = "/dashboard";

  /** Runs before every admin route: loopback peers with the right token only. */
  void authorize(Context ctx) {
    if (!isLoopback(ctx.req().getRemoteAddr()))
      throw new HttpError(403, "the admin API answers the loopback address only");
    if (ctx.method() == io.javalin.http.HandlerType.GET && ctx.path().equals(DASHBOARD)) return;
    if (!token.accepts(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new HttpError(401, "missing or wrong admin token");
    }
  }

  static boolean isLoopback(String address) {
    // only literal addresses (what the servlet reports): a host name is refused, never looked up
    if (address == null
        || address.isEmpty()
        || !address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':'))
      return false;
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  void list(Context ctx) {
    TreeSet<String> names = new TreeSet<>(models.store().names());
    names.addAll(models.snapshot().keySet());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String n : names) out.add(models.describe(n));
    V2Handlers.json(ctx, 200, Map.of("models", out));
  }

  void describe(Context ctx) {
    String name = name(ctx);
    if (models.store().versions(name).isEmpty() && models.get(name).isEmpty())
      throw HttpError.notFound("unknown model '" + name + "'");
    V2Handlers.json(ctx, 200, models.describe(name));
  }

  /** {@code {"version": N, "keep_previous": false}}, both optional. */
  void load(Context ctx) {
    String name = name(ctx);
    JsonNode body = body(ctx);
    Optional<Integer> v = version(body, false);
    if (v.isEmpty() && models.store().versions(name).isEmpty())
      throw HttpError.notFound("model '" + name + "' has no version in the store");
    if (v.isPresent() && !models.store().versions(name).contains(v.get()))
      throw HttpError.notFound("model '" + name + "' has no version " + v.get() + " in the store");
    boolean keep = body.path("keep_previous").asBoolean(false);
    long t0 = System.nanoTime();
    LoadedVersion lv;
    try {
      lv = models.load(name, v, keep);
    } catch (HttpError e) {
      throw e;
    } catch (ImgclassException e) {
      throw new HttpError(422, "not loaded, the previous version keeps serving: " + e.getMessage());
    }
    V2Handlers.json(
        ctx,
        200,
        Map.of(
            "name",
            name,
            "loaded_version",
            lv.version(),
            "default_version",
            lv.version(),
            "load_ms",
            (System.nanoTime() - t0) / 1_000_000));
  }

  /** {@code {"version": N}}; without a version the whole model is unloaded. */
  void unload(Context ctx) {
    String name = name(ctx);
    Optional<Integer> v = version(body(ctx), false);
    models.unload(name, v);
    V2Handlers.json(ctx, 200, models.describe(name));
  }

  /** {@code {"version": N}}: a loaded version becomes the default. */
  void setDefault(Context ctx) {
    String name = name(ctx);
    int v = version(body(ctx), true).orElseThrow();
    models.setDefault(name, v);
    V2Handlers.json(ctx, 200, models.describe(name));
  }

  private static String name(Context ctx) {
    try {
      return ModelStore.checkName(ctx.pathParam("name"));
    } catch (ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }

  private static JsonNode body(Context ctx) {
    byte[] b = Bodies.read(ctx, 64 << 10, 10_000);
    if (b.length == 0) return Json.MAPPER.createObjectNode();
    try {
      JsonNode n = Json.MAPPER.readTree(b);
      if (n == null || !n.isObject()) throw HttpError.badRequest("the body must be a JSON object");
      return n;
    } catch (IOException e) {
      throw HttpError.badRequest("malformed JSON body");
    }
  }

  private static Optional<Integer> version(JsonNode body, boolean required) {
    JsonNode v = body.get("version");
    if (v == null || v.isNull()) {
      if (required) throw HttpError.badRequest("the body needs a \"version\"");
      return Optional.empty();
    }
    try {
      return Optional.of(ModelStore.parseVersion(v.asText()));
    } catch (ImgclassException e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }
}
