package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run reports ({@code train}, {@code report}) and model comparisons ({@code compare}). */
class ReportTest {
  static final List<String> CHARTS =
      List.of("curves.png", "lr.png", "confusion.png", "per_class.png", "reliability.png");

  @TempDir static Path dir;
  static Path run;
  static Path fiveClasses;

  @BeforeAll
  static void trainTwoTinyRuns() {
    run = dir.resolve("run");
    fiveClasses = dir.resolve("five");
    train("synthetic:600", 2, run);
    train("synthetic:100:5", 1, fiveClasses);
  }

  static void train(String data, int epochs, Path out) {
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            data,
            "--epochs",
            Integer.toString(epochs),
            "--batch-size",
            "50",
            "--threads",
            "2",
            "--precision",
            "fp32",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  @Test
  void train_writes_a_self_contained_report_with_every_chart_as_png() throws Exception {
    String html = Files.readString(run.resolve("report.html"));
    assertThat(html)
        .contains("Model card", "Most confused pairs", "Misclassified test images", "resnet20")
        .doesNotContain("http://", "https://", "<script", "<link");
    // five charts and at least one gallery image, all inline
    assertThat(html.split("src=\"data:image/png;base64,", -1).length - 1).isGreaterThan(5);
    for (String chart : CHARTS) {
      var img = ImageIO.read(run.resolve(chart).toFile());
      assertThat(img).as(chart).isNotNull();
      assertThat(img.getWidth()).as(chart).isGreaterThan(400);
    }
  }

  @Test
  void report_rewrites_the_page_and_charts_of_a_run_directory() throws Exception {
    Path copy = Files.createDirectories(dir.resolve("copy"));
    for (String f :
        List.of("model.json", "weights.safetensors", "metrics.jsonl", "metrics.csv", "eval.json"))
      Files.copy(run.resolve(f), copy.resolve(f));
    Cli.Run r = Cli.run("report", copy.toString(), "--threads", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote " + copy.resolve("report.html"));
    for (String chart : CHARTS) assertThat(copy.resolve(chart)).isRegularFile();
  }

  @Test
  void report_of_a_run_directory_without_metrics_is_a_one_line_error() throws Exception {
    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.copy(run.resolve("model.json"), bare.resolve("model.json"));
    ErrorsTest.assertOneLineError(
        Cli.run("report", bare.toString()), "no training metrics in " + bare);
  }

  @Test
  void compare_of_a_model_with_itself_finds_no_difference_with_p_equal_to_one() throws Exception {
    Path page = dir.resolve("compare.html");
    Cli.Run r =
        Cli.run(
            "compare",
            run.toString(),
            run.toString(),
            "--data",
            "synthetic:600",
            "--json",
            "--html",
            page.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("pValue").asDouble()).isEqualTo(1.0);
    assertThat(j.get("significant").asBoolean()).isFalse();
    assertThat(j.get("onlyA").asInt()).isZero();
    assertThat(j.get("images").asInt()).isEqualTo(120);
    assertThat(j.get("verdict").asText()).startsWith("no significant difference");
    assertThat(j.get("perClass").size()).isEqualTo(10);
    assertThat(Files.readString(page))
        .contains("no significant difference", "95% confidence intervals")
        .doesNotContain("http://", "https://");
  }

  @Test
  void compare_of_two_different_models_reports_their_own_accuracies_and_the_disagreements()
      throws Exception {
    Path weak = dir.resolve("weak");
    Cli.Run t =
        Cli.run(
            "train",
            "--data",
            "synthetic:600",
            "--epochs",
            "1",
            "--limit",
            "100",
            "--seed",
            "5",
            "--lr",
            "0.01",
            "--batch-size",
            "50",
            "--threads",
            "2",
            "--precision",
            "fp32",
            "--out",
            weak.toString());
    assertThat(t.code()).as(t.err()).isZero();
    Cli.Run r =
        Cli.run("compare", run.toString(), weak.toString(), "--data", "synthetic:600", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("onlyA").asInt() + j.get("onlyB").asInt()).isPositive();
    assertThat(j.get("pValue").asDouble()).isBetween(0.0, 1.0);
    assertThat(
            j.get("onlyA").asInt()
                + j.get("onlyB").asInt()
                + j.get("both").asInt()
                + j.get("neither").asInt())
        .isEqualTo(j.get("images").asInt());
    for (var side : List.of(List.of("a", run.toString()), List.of("b", weak.toString()))) {
      Cli.Run e = Cli.run("eval", "--model", side.get(1), "--data", "synthetic:600", "--json");
      assertThat(e.code()).as(e.err()).isZero();
      assertThat(j.get(side.get(0)).get("accuracy").asDouble())
          .as("model " + side.get(0) + " as its own eval says")
          .isEqualTo(Json.MAPPER.readTree(e.out()).get("top1").asDouble());
    }
  }

  @Test
  void compare_prints_a_table_with_intervals_and_a_verdict() {
    Cli.Run r = Cli.run("compare", run.toString(), run.toString(), "--data", "synthetic:600");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("95% CI (Wilson)", "McNemar exact test: p = 1.000", "verdict: ");
  }

  @Test
  void compare_refuses_models_with_different_class_lists_naming_the_difference() {
    ErrorsTest.assertOneLineError(
        Cli.run("compare", run.toString(), fiveClasses.toString(), "--data", "synthetic:100"),
        "model A's classes differ from model B's (only in model A: [");
  }

  @Test
  void a_headless_chromium_renders_the_report_with_every_chart_visible() throws Exception {
    Screenshot.assertRendersCharts(run.resolve("report.html"), dir.resolve("shot"));
  }
}
