package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.EvalReport;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imgclass advise} on generated 28x28 gray data with two models and a tiny time budget: both
 * are timed at both precisions, the front is non-dominated, budgets are respected, bad input is one
 * line.
 */
class AdviseCommandTest {
  static final String MODELS = "resnet20,mobilenetv3_small_050";
  static JsonNode doc;

  static Cli.Run advise(String models, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "advise",
                "--data",
                "synthetic:200",
                "--models",
                models,
                "--seconds",
                "0.05",
                "--threads",
                "2"));
    a.addAll(List.of(extra));
    return Cli.run(a.toArray(String[]::new));
  }

  static JsonNode json(Cli.Run r) throws Exception {
    assertThat(r.code()).as(r.err()).isZero();
    return Json.MAPPER.readTree(r.out());
  }

  @BeforeAll
  static void measureOnce() throws Exception {
    doc = json(advise(MODELS, "--json"));
  }

  /** Every measured point of a document: (model, precision, median latency, top-1). */
  static List<Pareto.Point> points(JsonNode d) {
    List<Pareto.Point> pts = new ArrayList<>();
    for (JsonNode m : d.get("models")) {
      if (m.get("accuracy").isNull()) continue;
      for (String p : LatencyProbe.PRECISIONS) {
        JsonNode s = m.get(p);
        if (s.has("latency_ms_median"))
          pts.add(
              new Pareto.Point(
                  m.get("model").asText(),
                  p,
                  s.get("latency_ms_median").asDouble(),
                  m.get("accuracy").get("top1").asDouble()));
      }
    }
    return pts;
  }

  static Pareto.Point point(JsonNode p) {
    return new Pareto.Point(
        p.get("model").asText(),
        p.get("precision").asText(),
        p.get("latency_ms_median").asDouble(),
        p.get("top1").asDouble());
  }

  @Test
  void both_models_are_timed_in_fp32_and_int8_at_the_datas_shape_on_this_machine() {
    JsonNode models = doc.get("models");
    assertThat(models).hasSize(2);
    assertThat(models.get(0).get("model").asText()).isEqualTo("resnet20");
    assertThat(models.get(1).get("model").asText()).isEqualTo("mobilenetv3_small_050");
    for (JsonNode m : models) {
      assertThat(m.get("input").asText()).isEqualTo("1x28x28");
      assertThat(m.get("params").asLong()).isPositive();
      assertThat(m.get("macs").asLong()).isPositive();
      for (String p : List.of("fp32", "int8")) {
        JsonNode s = m.get(p);
        assertThat(s.has("error")).as(m.get("model") + " " + p + ": " + s).isFalse();
        assertThat(s.get("latency_ms_median").asDouble()).isPositive();
        assertThat(s.get("latency_ms_p90").asDouble())
            .isGreaterThanOrEqualTo(s.get("latency_ms_median").asDouble());
        assertThat(s.get("runs_batch1").asInt()).isGreaterThanOrEqualTo(Timing.MIN_RUNS);
        assertThat(s.get("img_per_s_batch64").asDouble()).isPositive();
      }
      // the INT8 file is the quantized graph: int8 weights, a fraction of the FP32 file
      assertThat(m.get("int8").get("onnx_bytes").asLong())
          .isLessThan(m.get("fp32").get("onnx_bytes").asLong() / 2);
    }
    assertThat(doc.get("input").get("channels").asInt()).isEqualTo(1);
    assertThat(doc.get("input").get("classes").asInt()).isEqualTo(10);
    JsonNode machine = doc.get("machine");
    assertThat(machine.get("cpu").asText()).isNotBlank();
    assertThat(machine.get("cores").asInt()).isPositive();
    assertThat(machine.get("threads").asInt()).isEqualTo(2);
  }

  @Test
  void the_accuracy_is_the_leaderboards_and_says_so() {
    JsonNode a = doc.get("models").get(0).get("accuracy");
    assertThat(a.get("source").asText()).isEqualTo("leaderboard");
    assertThat(a.get("top1").asDouble()).isEqualTo(0.7938);
    assertThat(a.get("detail").asText()).contains("Fashion-MNIST", "bench/RESULTS-zoo.md");
    assertThat(doc.get("accuracy").get("note").asText()).contains("not measured on this data");
    assertThat(doc.get("accuracy").get("int8").asText()).contains("not measured");
  }

  @Test
  void the_front_holds_exactly_the_points_no_other_point_beats_on_both() {
    List<Pareto.Point> all = points(doc);
    assertThat(all).hasSize(4);
    List<Pareto.Point> front = new ArrayList<>();
    doc.get("front").forEach(p -> front.add(point(p)));
    assertThat(front).isNotEmpty();
    for (Pareto.Point f : front) assertThat(all).noneMatch(p -> p.dominates(f));
    for (Pareto.Point p : all) {
      boolean onFront = front.contains(p);
      assertThat(onFront || front.stream().anyMatch(f -> f.dominates(p))).as(p.label()).isTrue();
      JsonNode row = doc.get("models").get(p.model().equals("resnet20") ? 0 : 1);
      assertThat(row.get(p.precision()).get("on_front").asBoolean()).isEqualTo(onFront);
    }
    // without a budget: the most accurate point, and the fastest
    JsonNode rec = doc.get("recommendation");
    Pareto.Point pick = point(rec.get("pick"));
    assertThat(all).noneMatch(p -> p.top1() > pick.top1());
    Pareto.Point fastest = point(rec.get("fastest"));
    assertThat(all).noneMatch(p -> p.latencyMs() < fastest.latencyMs());
  }

  @Test
  void a_budget_gives_the_most_accurate_point_that_meets_it() throws Exception {
    List<Pareto.Point> before = points(doc);
    double lo = before.stream().mapToDouble(Pareto.Point::latencyMs).min().orElseThrow();
    double hi = before.stream().mapToDouble(Pareto.Point::latencyMs).max().orElseThrow();
    double budget = Math.sqrt(lo * hi); // between the fastest and the slowest point
    JsonNode d = json(advise(MODELS, "--json", "--latency-ms", Double.toString(budget)));
    JsonNode rec = d.get("recommendation");
    assertThat(rec.get("latency_budget_ms").asDouble()).isEqualTo(budget);
    List<Pareto.Point> all = points(d);
    boolean anyFits = all.stream().anyMatch(p -> p.latencyMs() <= budget);
    assertThat(rec.get("met").asBoolean()).isEqualTo(anyFits);
    if (anyFits) {
      Pareto.Point pick = point(rec.get("pick"));
      assertThat(pick.latencyMs()).isLessThanOrEqualTo(budget);
      assertThat(all).noneMatch(p -> p.latencyMs() <= budget && p.top1() > pick.top1());
    }
  }

  @Test
  void an_impossible_budget_says_none_meets_it_names_the_fastest_and_exits_0() {
    Cli.Run r = advise("mobilenetv3_small_050", "--latency-ms", "0.0001");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("no model meets 0.0001 ms at batch 1 on this machine; the fastest is")
        .contains("Pareto front")
        .contains("not measured on this data")
        .containsPattern("(?m)^mobilenetv3_small_050 +int8 ");
  }

  @Test
  void a_users_run_replaces_the_leaderboard_accuracy_of_its_model(@TempDir Path run)
      throws Exception {
    List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
    ModelSpec spec = new ModelSpec("resnet20", classes, 1, 28, List.of(0.5), List.of(0.25));
    new ModelCard(ModelCard.FORMAT, spec, Map.of("data", "my data"), Map.of(), Map.of()).write(run);
    float[][] probs = new float[4][10];
    int[] labels = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++) probs[i][i < 3 ? i : 0] = 1; // 3 of 4 right
    Json.writeFile(run.resolve("eval.json"), EvalReport.of(probs, labels, classes, 1.0));
    JsonNode d =
        json(advise("resnet20", "--runs", run.toString(), "--json", "--latency-ms", "0.0001"));
    JsonNode a = d.get("models").get(0).get("accuracy");
    assertThat(a.get("top1").asDouble()).isEqualTo(0.75);
    assertThat(a.get("source").asText()).isEqualTo(run.toString());
    assertThat(a.get("detail").asText()).contains("my data");
    JsonNode rec = d.get("recommendation");
    assertThat(rec.get("met").asBoolean()).isFalse();
    assertThat(rec.get("pick").isNull()).isTrue();
    assertThat(rec.get("fastest").get("model").asText()).isEqualTo("resnet20");
    assertThat(rec.get("message").asText()).contains("no model meets 0.0001 ms");
  }

  @Test
  void image_files_are_read_at_the_size_train_would_use(@TempDir Path dir) throws Exception {
    for (String label : List.of("cat", "dog")) {
      Path d = Files.createDirectories(dir.resolve(label));
      for (int i = 0; i < 3; i++) {
        BufferedImage b = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        b.setRGB(i, i, 0xff8040);
        ImageIO.write(b, "png", d.resolve(i + ".png").toFile());
      }
    }
    String folder = dir.toString();
    JsonNode d =
        json(
            Cli.run("advise", "--data", folder, "--models", MODELS, "--seconds", "0.02", "--json"));
    assertThat(d.get("models").get(0).get("input").asText()).isEqualTo("3x32x32");
    assertThat(d.get("models").get(1).get("input").asText()).isEqualTo("3x224x224");
    assertThat(d.get("input").get("classes").asInt()).isEqualTo(2);
    JsonNode gray =
        json(
            Cli.run(
                "advise",
                "--data",
                folder,
                "--models",
                "resnet20",
                "--image-size",
                "40",
                "--channels",
                "1",
                "--seconds",
                "0.02",
                "--json"));
    assertThat(gray.get("models").get(0).get("input").asText()).isEqualTo("1x40x40");
  }

  static void assertOneLineError(Cli.Run r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(Main.FAILED);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: ").contains(expected);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void bad_input_is_one_line_and_a_failing_exit(@TempDir Path dir) {
    assertOneLineError(advise("resnet20,resnet7"), "unknown model 'resnet7'");
    assertOneLineError(advise("resnet20", "--latency-ms", "-1"), "--latency-ms must be positive");
    assertOneLineError(
        Cli.run("advise", "--data", "synthetic:200", "--seconds", "0"),
        "--seconds must be in (0, 600]");
    assertOneLineError(
        Cli.run("advise", "--data", dir.resolve("absent").toString(), "--models", "resnet20"),
        "data not found");
    assertOneLineError(
        advise("resnet20", "--runs", dir.resolve("no-run").toString()), "run not found");
    assertOneLineError(advise("resnet20", "--runs", dir.toString()), "no model.json in " + dir);
  }

  @Test
  void a_model_that_failed_is_listed_with_its_reason_and_kept_off_the_front() {
    ModelSpec spec =
        new ModelSpec("resnet20", List.of("a", "b"), 1, 28, List.of(0.5), List.of(0.25));
    Timing t = Timing.of(1, new double[] {1.0});
    Timing t64 = Timing.of(64, new double[] {10.0});
    Map<String, LatencyProbe.Speed> speeds = new LinkedHashMap<>();
    speeds.put("fp32", new LatencyProbe.Speed(t, t64, 1000));
    Map<String, String> failed = Map.of("int8", "quantization failed: no calibration");
    LatencyProbe.Result r =
        new LatencyProbe.Result(
            "resnet20", spec, Optional.of(new LatencyProbe.Size(1, 2)), speeds, failed);
    AdviseReport report =
        AdviseReport.of(List.of(r), Accuracies.load(List.of()), OptionalDouble.empty());
    assertThat(report.front()).extracting(Pareto.Point::precision).containsExactly("fp32");
    AdviseCommand.Sample sample =
        new AdviseCommand.Sample("two classes", List.of("a", "b"), List.of());
    Map<String, Object> machine =
        Map.of("cpu", "x", "cores", 1, "threads", 1, "runtime", "r", "seconds_per_measurement", 1);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    report.print(sample, machine, new PrintStream(text, true, StandardCharsets.UTF_8));
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("resnet20               int8 failed: quantization failed: no calibration");
    String json = Json.write(report.document(sample, machine));
    assertThat(json).contains("\"error\" : \"quantization failed: no calibration\"");
  }

  @Test
  void the_shipped_leaderboard_is_the_table_of_bench_results_zoo() throws Exception {
    String md = Files.readString(Path.of("..", "bench", "RESULTS-zoo.md"));
    Matcher m = Pattern.compile("(?m)^\\| (\\w+) \\| (\\d+\\.\\d+)% \\|").matcher(md);
    Map<String, Double> table = new LinkedHashMap<>();
    while (m.find()) table.put(m.group(1), Double.parseDouble(m.group(2)) / 100);
    assertThat(table).hasSize(5);
    Accuracies a = Accuracies.load(List.of());
    table.forEach(
        (model, top1) -> assertThat(a.of(model).orElseThrow().top1()).isCloseTo(top1, offset()));
    JsonNode rows =
        Json.MAPPER
            .readTree(AdviseCommand.class.getResourceAsStream(Accuracies.RESOURCE))
            .get("rows");
    assertThat(rows).hasSize(table.size());
  }

  private static org.assertj.core.data.Offset<Double> offset() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
