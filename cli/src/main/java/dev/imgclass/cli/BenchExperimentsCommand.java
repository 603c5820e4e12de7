package dev.imgclass.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.DataSplits;
import dev.imgclass.data.Dataset;
import dev.imgclass.experiments.Assignment;
import dev.imgclass.experiments.Difference;
import dev.imgclass.experiments.EventStore;
import dev.imgclass.experiments.UnitMean;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Classifiers;
import dev.imgclass.serve.InferenceServer;
import dev.imgclass.serve.ModelStore;
import dev.imgclass.serve.ServeOptions;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imgclass bench-experiments} (hidden; used by bench/experiments/ab_bench.sh): the A/B
 * replay harness. Fashion-MNIST test images are the traffic, simulated users are the units, the
 * test labels are the feedback, and two trained models are the arms.
 *
 * <ul>
 *   <li>{@code offline}: many experiments replayed in process with the server's own assignment and
 *       statistics on the models' real per-image correctness: the A/A false-positive rate of the
 *       always-valid test and of a naive fixed-horizon test peeked at the same points, and the A/B
 *       power and labelled events to a decision.
 *   <li>{@code server}: experiments through a real server on loopback (HTTP requests, feedback,
 *       reports): A/B and A/A runs whose server-side analysis is checked against the in-process
 *       replay of the same units, a planted 45/55 split, and a planted latency regression.
 *   <li>{@code load} / {@code verify}: traffic against an external server that the script kills
 *       with SIGKILL, then how many answered requests the events store lost.
 * </ul>
 */
@Command(
    name = "bench-experiments",
    hidden = true,
    mixinStandardHelpOptions = true,
    description = "The A/B replay harness (for bench/experiments).")
final class BenchExperimentsCommand implements Callable<Integer> {
  @Option(names = "--mode", required = true, description = "offline, server, load or verify")
  String mode;

  @Option(names = "--control", description = "The control model (.onnx).")
  Path control;

  @Option(names = "--treatment", description = "The treatment model (.onnx).")
  Path treatment;

  @Option(names = "--slow", description = "A slow model with the same classes (latency guardrail).")
  Path slow;

  @Option(
      names = "--data",
      defaultValue = "fashion-mnist",
      description = "The traffic: its test split (of the forms: " + DataHelp.FORMS + ")")
  String data;

  @Option(names = "--aa", defaultValue = "500")
  int aaRuns;

  @Option(names = "--ab", defaultValue = "200")
  int abRuns;

  @Option(names = "--peek", defaultValue = "100", description = "Labelled events between looks.")
  int peek;

  @Option(names = "--aa-max", defaultValue = "20000")
  int aaMax;

  @Option(names = "--ab-max", defaultValue = "100000")
  int abMax;

  @Option(names = "--server-ab", defaultValue = "2")
  int serverAb;

  @Option(names = "--server-aa", defaultValue = "2")
  int serverAa;

  @Option(names = "--server-max", defaultValue = "60000")
  int serverMax;

  @Option(names = "--clients", defaultValue = "4")
  int clients;

  @Option(names = "--url", description = "load: the server's base URL")
  String url;

  @Option(names = "--seconds", defaultValue = "10", description = "load: how long")
  int seconds;

  @Option(names = "--acks", description = "load: file of answered request ids; verify: read it")
  Path acks;

  @Option(names = "--events", description = "verify: the events store")
  String events;

  @Option(names = "--flush-ms", defaultValue = "1000", description = "verify: flush interval")
  long flushMs;

  @Option(names = "--kill-ms", description = "verify: epoch ms when the server was killed")
  Long killMs;

  @Option(names = "--out", required = true, description = "JSON lines appended here")
  Path out;

  @Option(names = "--seed", defaultValue = "2026")
  long seed;

  private Dataset test;
  private final PrintStream log = System.err;

  @Override
  public Integer call() throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Files.createDirectories(out.toAbsolutePath().getParent());
    switch (mode) {
      case "offline" -> offline();
      case "server" -> server();
      case "load" -> load();
      case "verify" -> verify();
      case "traffic" -> traffic();
      default ->
          throw new ImgclassException("--mode must be offline, server, load, verify or traffic");
    }
    return Main.OK;
  }

  private void emit(Map<String, Object> line) throws IOException {
    line.put("time", java.time.Instant.now().toString());
    String s = Json.line(line);
    log.println(s);
    Files.writeString(
        out,
        s + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private Dataset testSet() {
    if (test == null) {
      DataSplits s = DataSources.open(data, new DataSources.Load(1, 28, 16_000_000L));
      test = s.test().orElseThrow(() -> new ImgclassException(data + " has no test split"));
    }
    return test;
  }

  /** Per-image correctness of a model on the test set. */
  private boolean[] correctness(Path model) {
    Dataset d = testSet();
    boolean[] right = new boolean[d.size()];
    try (Classifier c = Classifiers.open(model)) {
      for (int from = 0; from < d.size(); from += 256) {
        int to = Math.min(d.size(), from + 256);
        List<ImageU8> batch = new ArrayList<>();
        for (int i = from; i < to; i++) batch.add(d.image(i));
        float[][] p = c.probabilities(batch);
        for (int i = from; i < to; i++) right[i] = EvalReport.argmax(p[i - from]) == d.label(i);
      }
    }
    return right;
  }

  private static double accuracy(boolean[] r) {
    int n = 0;
    for (boolean b : r) if (b) n++;
    return (double) n / r.length;
  }

  /** One replayed experiment: the first look at which each test rejects (0: never). */
  record Replay(long sequentialAt, double sequentialSign, long fixedAt, long labelled) {}

  /**
   * Units u0, u1, ... each send one request for a random test image, assigned by the server's own
   * function, labelled at once; both tests are run every {@code peek} labelled events.
   */
  static Replay replay(
      String salt, boolean[] a, boolean[] b, int max, int peek, double alpha, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> arms = List.of("control", "treatment");
    double[] w = {1, 1};
    double[] sum = new double[2];
    long[] n = new long[2];
    long seqAt = 0;
    double sign = 0;
    long fixAt = 0;
    for (int i = 1; i <= max; i++) {
      int arm = Assignment.choose(salt, "u" + i, arms, w);
      int image = r.nextInt(a.length);
      boolean right = arm == 0 ? a[image] : b[image];
      n[arm]++;
      if (right) sum[arm]++;
      if (i % peek != 0 || n[0] < 2 || n[1] < 2) continue;
      UnitMean c = UnitMean.ofSingleOutcomes(sum[0], sum[0], n[0]);
      UnitMean t = UnitMean.ofSingleOutcomes(sum[1], sum[1], n[1]);
      if (seqAt == 0) {
        Difference d = Difference.sequential(t, c, alpha, 5000);
        if (d.pValue() < alpha) {
          seqAt = i;
          sign = Math.signum(d.estimate());
        }
      }
      if (fixAt == 0 && Difference.fixedHorizon(t, c, alpha).pValue() < alpha) fixAt = i;
      if (seqAt != 0 && fixAt != 0) return new Replay(seqAt, sign, fixAt, i);
    }
    return new Replay(seqAt, sign, fixAt, max);
  }

  private void offline() throws IOException {
    boolean[] a = correctness(control);
    boolean[] b = correctness(treatment);
    log.printf(
        "control %.4f, treatment %.4f on %d test images%n", accuracy(a), accuracy(b), a.length);
    SplittableRandom seeds = new SplittableRandom(seed);
    // A/A: the control in both arms
    int seqFp = 0;
    int fixFp = 0;
    long t0 = System.nanoTime();
    for (int run = 0; run < aaRuns; run++) {
      Replay r = replay("aa-" + run, a, a, aaMax, peek, 0.05, seeds.nextLong());
      if (r.sequentialAt() > 0) seqFp++;
      if (r.fixedAt() > 0) fixFp++;
    }
    Map<String, Object> aa = new LinkedHashMap<>();
    aa.put("bench", "ab-offline-aa");
    aa.put("model", control.toString());
    aa.put("accuracy", accuracy(a));
    aa.put("runs", aaRuns);
    aa.put("peek_every_labelled", peek);
    aa.put("max_labelled", aaMax);
    aa.put("sequential_false_positive_rate", (double) seqFp / aaRuns);
    aa.put("naive_fixed_horizon_false_positive_rate", (double) fixFp / aaRuns);
    aa.put("seconds", (System.nanoTime() - t0) / 1e9);
    emit(aa);
    // A/B
    int detected = 0;
    int rightSign = 0;
    List<Long> at = new ArrayList<>();
    t0 = System.nanoTime();
    for (int run = 0; run < abRuns; run++) {
      Replay r = replay("ab-" + run, a, b, abMax, peek, 0.05, seeds.nextLong());
      if (r.sequentialAt() > 0) {
        detected++;
        at.add(r.sequentialAt());
        if (r.sequentialSign() == Math.signum(accuracy(b) - accuracy(a))) rightSign++;
      }
    }
    long[] sorted = at.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("bench", "ab-offline-ab");
    ab.put("control", control.toString());
    ab.put("treatment", treatment.toString());
    ab.put("control_accuracy", accuracy(a));
    ab.put("treatment_accuracy", accuracy(b));
    ab.put("gap_pt", 100 * (accuracy(b) - accuracy(a)));
    ab.put("runs", abRuns);
    ab.put("max_labelled", abMax);
    ab.put("detected_rate", (double) detected / abRuns);
    ab.put("right_sign_rate", (double) rightSign / abRuns);
    ab.put("median_labelled_to_decision", sorted.length == 0 ? null : sorted[sorted.length / 2]);
    ab.put(
        "p90_labelled_to_decision",
        sorted.length == 0 ? null : sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.9)]);
    ab.put("seconds", (System.nanoTime() - t0) / 1e9);
    emit(ab);
  }

  // ---------------------------------------------------------------- through the server

  private HttpClient http;
  private byte[][] pngs;

  private byte[][] pngs() throws IOException {
    if (pngs == null) {
      Dataset d = testSet();
      pngs = new byte[d.size()][];
      for (int i = 0; i < d.size(); i++) {
        ImageU8 im = d.image(i);
        BufferedImage b = new BufferedImage(im.width(), im.height(), BufferedImage.TYPE_BYTE_GRAY);
        b.getRaster().setDataElements(0, 0, im.width(), im.height(), im.data());
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ImageIO.write(b, "png", o);
        pngs[i] = o.toByteArray();
      }
    }
    return pngs;
  }

  private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static final String TOKEN = "bench-experiments-token-0123456789abcdef";

  private void server() throws Exception {
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Path dir = Files.createTempDirectory("imgclass-ab-bench");
    ModelStore store = ModelStore.openOrCreate(dir.resolve("store"));
    store.add("fashion", control); // v1
    store.add("fashion", treatment); // v2
    if (slow != null) store.add("fashion", slow); // v3
    Path token = dir.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    boolean[] a = correctness(control);
    boolean[] b = correctness(treatment);
    pngs();
    ServeOptions o =
        ServeOptions.defaults()
            .withPorts(0, 0)
            .withAdminTokenFile(token)
            .withEvents(dir.resolve("events.db").toString(), 200)
            .withSchedule(250, 60_000);
    try (InferenceServer s = InferenceServer.start(store.root(), o, line -> log.println(line))) {
      String base = "http://127.0.0.1:" + s.port();
      String admin = "http://127.0.0.1:" + s.adminPort().orElseThrow();
      SplittableRandom seeds = new SplittableRandom(seed + 1);
      for (int run = 0; run < serverAb; run++)
        serverRun(base, admin, "ab-server-" + run, 1, 2, a, b, seeds.nextLong(), 0, null);
      for (int run = 0; run < serverAa; run++)
        serverRun(base, admin, "aa-server-" + run, 1, 1, a, a, seeds.nextLong(), 0, null);
      // a planted 45/55 split: 18.2 % of the control's units never reach the server
      serverRun(base, admin, "srm-server", 1, 2, a, b, seeds.nextLong(), 1 - 45.0 / 55, null);
      if (slow != null)
        serverRun(
            base,
            admin,
            "latency-server",
            1,
            3,
            a,
            correctness(slow),
            seeds.nextLong(),
            0,
            "{\"min_requests\":200,\"p99_latency_ratio\":1.5,\"p99_latency_margin_ms\":2}");
    }
  }

  /**
   * One experiment through the server. {@code dropControl}: the share of control units the harness
   * leaves out (a planted sample-ratio mismatch). {@code guardrails}: JSON, for a run that should
   * roll back.
   */
  private void serverRun(
      String base,
      String admin,
      String id,
      int controlVersion,
      int treatmentVersion,
      boolean[] a,
      boolean[] b,
      long runSeed,
      double dropControl,
      String guardrails)
      throws Exception {
    String cfg =
        "{\"id\":\""
            + id
            + "\",\"model\":\"fashion\",\"salt\":\""
            + id
            + "\",\"arms\":[{\"name\":\"control\",\"version\":"
            + controlVersion
            + ",\"weight\":1},{\"name\":\"treatment\",\"version\":"
            + treatmentVersion
            + ",\"weight\":1}]"
            + (guardrails == null
                ? ",\"guardrails\":{\"p99_latency_ratio\":1000,\"error_rate_increase\":1}"
                : ",\"guardrails\":" + guardrails)
            + "}";
    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(URI.create(admin + "/admin/v1/experiments"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(cfg))
                .build());
    if (created.statusCode() / 100 != 2)
      throw new ImgclassException("creating " + id + ": " + created.body());
    SplittableRandom r = new SplittableRandom(runSeed);
    List<String> arms = List.of("control", "treatment");
    double[] w = {1, 1};
    SplittableRandom dropper = new SplittableRandom(runSeed ^ 0x5DEECE66DL);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicInteger failed = new AtomicInteger();
    long sent = 0;
    long labelled = 0;
    long[] expectedN = new long[2];
    long[] expectedRight = new long[2];
    String decision = null;
    JsonNode report = null;
    long decidedAt = 0;
    long t0 = System.nanoTime();
    int unit = 0;
    int chunk = 1000;
    while (labelled < serverMax) {
      List<int[]> batch = new ArrayList<>(); // unit, image
      while (batch.size() < chunk) {
        unit++;
        int arm = Assignment.choose(id, "u" + unit, arms, w);
        if (arm == 0 && dropControl > 0 && dropper.nextDouble() < dropControl) continue;
        int image = r.nextInt(a.length);
        batch.add(new int[] {unit, image, arm});
      }
      List<Future<String>> ids = new ArrayList<>();
      for (int[] u : batch)
        ids.add(
            pool.submit(
                () -> {
                  HttpResponse<String> resp =
                      send(
                          HttpRequest.newBuilder(URI.create(base + "/v1/models/fashion:classify"))
                              .header("Content-Type", "image/png")
                              .header("X-Unit-Id", "u" + u[0])
                              .POST(HttpRequest.BodyPublishers.ofByteArray(pngs[u[1]]))
                              .build());
                  if (resp.statusCode() != 200) {
                    failed.incrementAndGet();
                    return null;
                  }
                  return Json.MAPPER.readTree(resp.body()).get("request_id").asText();
                }));
      StringBuilder fb = new StringBuilder("[");
      int items = 0;
      for (int i = 0; i < batch.size(); i++) {
        String rid = ids.get(i).get();
        sent++;
        if (rid == null) continue;
        int image = batch.get(i)[1];
        int arm = batch.get(i)[2];
        expectedN[arm]++;
        if (arm == 0 ? a[image] : b[image]) expectedRight[arm]++;
        String label = testSet().classes().get(testSet().label(image));
        fb.append(items++ > 0 ? "," : "")
            .append("{\"request_id\":\"")
            .append(rid)
            .append("\",\"label\":\"")
            .append(label)
            .append("\"}");
      }
      HttpResponse<String> f =
          send(
              HttpRequest.newBuilder(URI.create(base + "/v1/feedback"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(fb.append("]").toString()))
                  .build());
      if (f.statusCode() != 200) throw new ImgclassException("feedback: " + f.body());
      labelled += items;
      report =
          Json.MAPPER.readTree(
              send(HttpRequest.newBuilder(URI.create(base + "/v1/experiments/" + id)).GET().build())
                  .body());
      decision = report.get("decision").get("decision").asText();
      if (!decision.equals("keep_running") && decidedAt == 0) decidedAt = labelled;
      boolean srmRun = dropControl > 0;
      if (decision.equals("ship")
          || decision.equals("roll_back") && !report.get("state").asText().equals("rolled_back")
          || srmRun && report.get("srm").get("mismatch").asBoolean() && labelled >= 10_000) break;
      if (report.get("state").asText().equals("rolled_back")) {
        // keep sending a little after the rollback: every request must still be answered
        if (labelled >= decidedAt + 2 * chunk) break;
      }
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - t0) / 1e9;
    // the server's numbers against the replay of the same units and images in process
    JsonNode arms0 = report.get("arms");
    boolean parity = true;
    for (int k = 0; k < 2 && report.get("state").asText().equals("running"); k++) {
      JsonNode arm = arms0.get(k);
      parity &=
          arm.get("labelled").asLong() == expectedN[k]
              && Math.abs(arm.get("accuracy").asDouble() - (double) expectedRight[k] / expectedN[k])
                  < 1e-12;
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("bench", "ab-server");
    line.put("experiment", id);
    line.put("control_version", controlVersion);
    line.put("treatment_version", treatmentVersion);
    line.put("planted_control_drop", dropControl);
    line.put("requests", sent);
    line.put("failed_requests", failed.get());
    line.put("labelled", labelled);
    line.put("state", report.get("state").asText());
    line.put("decision", decision);
    line.put("reason", report.get("decision").get("reason").asText());
    line.put("labelled_at_first_decision", decidedAt == 0 ? null : decidedAt);
    line.put("p_value", report.get("p_value"));
    line.put("srm_p_value", report.get("srm_p_value"));
    line.put("observed_share", report.get("srm").get("observed_share"));
    line.put("arms", arms0);
    line.put("comparison", report.get("comparisons").get(0));
    line.put(
        "server_equals_replay", report.get("state").asText().equals("running") ? parity : null);
    line.put("requests_per_second", sent / seconds);
    line.put("seconds", seconds);
    emit(line);
    // stop it so the next experiment may run on the model
    send(
        HttpRequest.newBuilder(URI.create(admin + "/admin/v1/experiments/" + id + "/stop"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build());
  }

  @Option(names = "--requests", defaultValue = "20000", description = "traffic: how many")
  int requests;

  @Option(names = "--experiment", description = "traffic: the experiment to report on")
  String experiment;

  /**
   * Test images from simulated users (one request each) against an external server, each answered
   * request given its true label as feedback, 1,000 at a time; after each thousand, one line of the
   * experiment's report.
   */
  private void traffic() throws Exception {
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    pngs();
    SplittableRandom r = new SplittableRandom(seed);
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    int unit = 0;
    for (int done = 0; done < requests; ) {
      int n = Math.min(1000, requests - done);
      List<Future<String>> ids = new ArrayList<>();
      int[] images = new int[n];
      for (int i = 0; i < n; i++) {
        images[i] = r.nextInt(pngs.length);
        String u = "user-" + (++unit);
        byte[] body = pngs[images[i]];
        ids.add(
            pool.submit(
                () -> {
                  HttpResponse<String> resp =
                      send(
                          HttpRequest.newBuilder(URI.create(url + "/v1/models/fashion:classify"))
                              .header("Content-Type", "image/png")
                              .header("X-Unit-Id", u)
                              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                              .build());
                  return resp.statusCode() == 200
                      ? Json.MAPPER.readTree(resp.body()).get("request_id").asText()
                      : null;
                }));
      }
      StringBuilder fb = new StringBuilder("[");
      int items = 0;
      for (int i = 0; i < n; i++) {
        String rid = ids.get(i).get();
        if (rid == null) continue;
        fb.append(items++ > 0 ? "," : "")
            .append("{\"request_id\":\"")
            .append(rid)
            .append("\",\"label\":\"")
            .append(testSet().classes().get(testSet().label(images[i])))
            .append("\"}");
      }
      send(
          HttpRequest.newBuilder(URI.create(url + "/v1/feedback"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(fb.append("]").toString()))
              .build());
      done += n;
      if (experiment != null) {
        JsonNode rep =
            Json.MAPPER.readTree(
                send(HttpRequest.newBuilder(URI.create(url + "/v1/experiments/" + experiment))
                        .build())
                    .body());
        System.out.printf(
            "%6d requests, %6d labelled: p = %.3g, %s%n",
            done,
            rep.get("arms").get(0).get("labelled").asLong()
                + rep.get("arms").get(1).get("labelled").asLong(),
            rep.get("p_value").asDouble(),
            rep.get("decision").get("decision").asText());
      }
    }
    pool.shutdown();
  }

  // ---------------------------------------------------------------- kill -9

  /** Sends traffic with unit ids until killed or the time is up; logs each answer's id and time. */
  private void load() throws Exception {
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    pngs();
    long until = System.currentTimeMillis() + seconds * 1000L;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    try (BufferedWriter w = Files.newBufferedWriter(acks, StandardCharsets.UTF_8)) {
      List<Future<?>> jobs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        jobs.add(
            pool.submit(
                () -> {
                  SplittableRandom r = new SplittableRandom(seed + client);
                  int i = 0;
                  while (System.currentTimeMillis() < until) {
                    try {
                      HttpResponse<String> resp =
                          send(
                              HttpRequest.newBuilder(
                                      URI.create(url + "/v1/models/fashion:classify"))
                                  .timeout(Duration.ofSeconds(5))
                                  .header("Content-Type", "image/png")
                                  .header("X-Unit-Id", "c" + client + "-" + (i++ % 500))
                                  .POST(
                                      HttpRequest.BodyPublishers.ofByteArray(
                                          pngs[r.nextInt(pngs.length)]))
                                  .build());
                      long t = System.currentTimeMillis();
                      if (resp.statusCode() == 200) {
                        String id = Json.MAPPER.readTree(resp.body()).get("request_id").asText();
                        synchronized (w) {
                          w.write(id + " " + t + "\n");
                          w.flush(); // the script kills this process too
                        }
                        answered.incrementAndGet();
                      } else errors.incrementAndGet();
                    } catch (IOException e) {
                      errors.incrementAndGet(); // the server is gone
                      if (System.currentTimeMillis() < until) Thread.sleep(50);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> j : jobs) j.get();
    }
    pool.shutdown();
    log.println("answered " + answered.get() + ", errors " + errors.get());
  }

  /** After the restart: which answered requests the store lost, by their age at the kill. */
  private void verify() throws IOException {
    List<String> lines = Files.readAllLines(acks, StandardCharsets.UTF_8);
    long kill = killMs;
    int answered = 0;
    int lost = 0;
    int lostOlderThanFlush = 0;
    long oldestLostAgeMs = -1;
    try (EventStore store = EventStore.open(events)) {
      for (String l : lines) {
        String[] p = l.split(" ");
        if (p.length != 2) continue;
        long t = Long.parseLong(p[1]);
        if (t > kill) continue; // answered by the restarted server
        answered++;
        if (store.exposure(p[0]).isEmpty()) {
          lost++;
          long age = kill - t;
          oldestLostAgeMs = Math.max(oldestLostAgeMs, age);
          if (age > 2 * flushMs) lostOlderThanFlush++;
        }
      }
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("bench", "ab-kill9");
      line.put("answered_before_kill", answered);
      line.put("lost", lost);
      line.put("lost_share", answered == 0 ? 0 : (double) lost / answered);
      line.put("lost_older_than_two_flush_intervals", lostOlderThanFlush);
      line.put("oldest_lost_age_ms", oldestLostAgeMs);
      line.put("flush_ms", flushMs);
      line.put("exposures_in_store", store.exposureCount());
      emit(line);
    }
  }
}
