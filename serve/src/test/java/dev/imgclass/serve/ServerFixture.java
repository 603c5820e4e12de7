package dev.imgclass.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A store with model "tiny" (versions as asked), a token file, and a running server. */
final class ServerFixture implements AutoCloseable {
  static final String TOKEN = "0123456789abcdef0123456789abcdef";
  final Path dir;
  final ModelStore store;
  final Path tokenFile;
  final InferenceServer server;
  final List<String> log = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ServerFixture(Path dir, ServeOptions options) {
    this(dir, options, System::currentTimeMillis);
  }

  ServerFixture(Path dir, ServeOptions options, java.util.function.LongSupplier clock) {
    this.dir = dir;
    try {
      store = ModelStore.openOrCreate(dir.resolve("store"));
      store.add("tiny", TinyModels.write(dir.resolve("tiny1.onnx"), 0f));
      tokenFile = dir.resolve("token");
      Files.writeString(tokenFile, TOKEN + "\n");
      Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server =
        InferenceServer.start(
            store.root(),
            options.withPorts(0, 0).withAdminTokenFile(tokenFile),
            line -> {
              synchronized (log) {
                log.add(line);
              }
            },
            clock);
  }

  ServerFixture(Path dir) {
    this(dir, ServeOptions.defaults().withThreads(1, 2));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  URI admin(String path) {
    return URI.create("http://127.0.0.1:" + server.adminPort().orElseThrow() + path);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  HttpResponse<String> post(String path, String contentType, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return send(b.build());
  }

  HttpResponse<String> adminPost(String path, String body, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(admin(path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return send(b.build());
  }

  HttpResponse<String> adminGet(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(admin(path)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest r) {
    try {
      return http.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A V2 infer request body for {@code n} images of one gray level in [0, 1]. */
  static String inferBody(int n, float level) {
    StringBuilder sb =
        new StringBuilder("{\"id\":\"r1\",\"inputs\":[{\"name\":\"input\",\"shape\":[");
    sb.append(n).append(",1,8,8],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < n * 64; i++) sb.append(i == 0 ? "" : ",").append(level);
    return sb.append("]}]}").toString();
  }

  @Override
  public void close() {
    server.close();
  }
}
