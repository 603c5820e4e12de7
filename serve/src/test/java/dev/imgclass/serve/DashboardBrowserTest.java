package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.awt.image.BufferedImage;
import java.io.File;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: headless Debian Chromium driven by Playwright ({@code
 * browser-tests/dashboard.mjs}) reads an experiment with labelled traffic, fails to stop it without
 * the token, stops it with the token, and screenshots the page before and after; the page may reach
 * nothing but the server. Skipped where Chromium, Node or the npm package is missing, except under
 * {@code CI=true}, where {@code .ci/run} installs them.
 */
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path BROWSER_DIR = Path.of("../browser-tests"); // Maven runs tests in the module
  static final byte[] BRIGHT = TinyModels.png(230, 8);
  static final byte[] DARK = TinyModels.png(20, 8);

  @Test
  void the_dashboard_shows_the_experiment_and_stops_it_in_chromium(@TempDir Path dir)
      throws Exception {
    Path node = onPath("node");
    require(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing");
    require(node != null, "node is not on the PATH");
    require(
        Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
        BROWSER_DIR.toAbsolutePath() + "/node_modules/playwright-core is missing (npm ci there)");

    try (ServerFixture f = new ServerFixture(dir)) {
      f.store.add("tiny", TinyModels.write(dir.resolve("tiny2.onnx"), 0.6f)); // calls more "bright"
      String cfg =
          "{\"id\":\"e1\",\"model\":\"tiny\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
              + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]}";
      HttpResponse<String> created = f.adminPost("/admin/v1/experiments", cfg, ServerFixture.TOKEN);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

      // 100 requests from 50 units, a third of them dark, all labelled
      StringBuilder feedback = new StringBuilder("[");
      for (int i = 0; i < 100; i++) {
        boolean bright = i % 3 != 0;
        HttpResponse<String> r =
            f.send(
                HttpRequest.newBuilder(f.uri("/v1/models/tiny:classify"))
                    .header("Content-Type", "image/png")
                    .header("X-Unit-Id", "unit-" + (i % 50))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bright ? BRIGHT : DARK))
                    .build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        feedback
            .append(i > 0 ? "," : "")
            .append("{\"request_id\":\"")
            .append(json(r.body()).get("request_id").asText())
            .append("\",\"label\":\"")
            .append(bright ? "bright" : "dark")
            .append("\"}");
      }
      HttpResponse<String> labelled =
          f.post(
              "/v1/feedback",
              "application/json",
              feedback.append("]").toString().getBytes(StandardCharsets.UTF_8));
      assertThat(labelled.statusCode()).as(labelled.body()).isEqualTo(200);
      assertThat(json(labelled.body()).get("accepted").asInt()).isEqualTo(100);

      Path out = Files.createDirectories(dir.resolve("browser-out"));
      Path stdout = dir.resolve("node-stdout.txt");
      Path stderr = dir.resolve("node-stderr.txt");
      Process p =
          new ProcessBuilder(
                  node.toString(),
                  "dashboard.mjs",
                  f.admin("/dashboard").toString(),
                  ServerFixture.TOKEN,
                  out.toAbsolutePath().toString(),
                  "e1")
              .directory(BROWSER_DIR.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      boolean finished = p.waitFor(90, TimeUnit.SECONDS);
      if (!finished) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String said = Files.readString(stdout) + Files.readString(stderr);
      assertThat(finished).as("the browser run did not end within 90 s: %s", said).isTrue();
      assertThat(p.exitValue()).as(said).isZero();

      JsonNode result = null;
      for (String line : Files.readString(stdout).split("\n"))
        if (line.startsWith("{")) result = json(line);
      assertThat(result).as(said).isNotNull();
      assertThat(result.path("ok").asBoolean()).as(said).isTrue();
      assertThat(result.path("arms").asInt()).as(said).isEqualTo(2);
      assertThat(result.path("state_after").asText()).as(said).isEqualTo("stopped");
      assertThat(result.path("blocked").asInt()).as(said).isZero();
      System.out.println("dashboard.mjs: " + result);

      for (String name : List.of("dashboard-running.png", "dashboard-stopped.png"))
        screenshot(out.resolve(name));
      Files.createDirectories(Path.of("target")); // for a human to look at
      for (String name : List.of("dashboard-running.png", "dashboard-stopped.png"))
        Files.copy(
            out.resolve(name),
            Path.of("target").resolve(name),
            StandardCopyOption.REPLACE_EXISTING);

      // the stop went through the server, not only the page
      HttpResponse<String> report = f.get("/v1/experiments/e1");
      assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
      assertThat(json(report.body()).get("state").asText()).isEqualTo("stopped");
      assertThat(report.body()).contains("\"state\":\"stopped\"");
    }
  }

  /** A real screenshot: a PNG ImageIO reads, at least 800 px wide, with many distinct colours. */
  private static void screenshot(Path png) throws Exception {
    assertThat(png).exists();
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).as("%s is not an image", png).isNotNull();
    assertThat(img.getWidth()).as(png.toString()).isGreaterThanOrEqualTo(800);
    assertThat(img.getHeight()).as(png.toString()).isGreaterThanOrEqualTo(300);
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2)
      for (int x = 0; x < img.getWidth(); x += 2) colours.add(img.getRGB(x, y) & 0xffffff);
    assertThat(colours.size()).as("distinct colours in %s", png).isGreaterThanOrEqualTo(50);
  }

  /** Skips when {@code ok} is false, except under CI, where {@code .ci/run} provides it all. */
  private static void require(boolean ok, String what) {
    if (ok) return;
    if ("true".equals(System.getenv("CI")))
      fail(what + ": .ci/run should have installed it (Chromium, node, npm ci in browser-tests)");
    assumeTrue(false, what + ": skipping the browser test of the dashboard");
  }

  private static Path onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) return null;
    for (String d : path.split(File.pathSeparator)) {
      if (d.isEmpty()) continue;
      Path c = Path.of(d, command);
      if (Files.isExecutable(c) && !Files.isDirectory(c)) return c;
    }
    return null;
  }

  private static JsonNode json(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }
}
