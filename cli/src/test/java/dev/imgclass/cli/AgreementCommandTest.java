package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data agreement}: exit 0 at the target, 1 below it, 2 on bad input; never edits input. */
class AgreementCommandTest {
  /** Three annotators, six items: b.png and d.png disputed (d a tie), f.png blank for r2. */
  static final String MANIFEST =
      "path,r1,r2,r3\n"
          + "a.png,cat,cat,cat\n"
          + "b.png,cat,cat,dog\n"
          + "c.png,dog,dog,dog\n"
          + "d.png,dog,cat,bird\n"
          + "e.png,bird,bird,bird\n"
          + "f.png,cat,,cat\n";

  @TempDir Path dir;
  Path csv;
  byte[] before;

  @BeforeEach
  void plant() throws Exception {
    csv = Files.writeString(dir.resolve("labels.csv"), MANIFEST);
    before = Files.readAllBytes(csv);
  }

  @Test
  void below_the_default_target_exits_1_and_says_so() throws Exception {
    Cli.Run r = Cli.run("data", "agreement", csv.toString(), "--annotators", "r1,r2,r3");
    assertThat(r.code()).as(r.err()).isEqualTo(Main.PROBLEMS);
    assertThat(r.out())
        .contains("overall agreement: 60.0 % (3 of 5 items labelled by all agree)")
        .contains("Fleiss' kappa:     0.493")
        .contains("r1 / r2")
        .contains("d.png  dog  cat  bird  (tie)     1/3")
        .contains("below target: overall agreement 60.00 % < 98.00 %");
    assertThat(Files.readAllBytes(csv)).isEqualTo(before);
  }

  @Test
  void at_the_target_exits_0_and_json_has_every_field() throws Exception {
    Cli.Run r =
        Cli.run(
            "data",
            "agreement",
            csv.toString(),
            "--annotators",
            "r1,r2,r3",
            "--target",
            "0.6",
            "--json");
    assertThat(r.code()).as(r.err()).isEqualTo(Main.OK);
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("overall_agreement").asDouble()).isEqualTo(0.6);
    assertThat(j.get("meets_target").asBoolean()).isTrue();
    assertThat(j.get("item_count").asInt()).isEqualTo(6);
    assertThat(j.get("excluded_from_fleiss").asInt()).isEqualTo(1);
    assertThat(j.get("fleiss_kappa").asDouble()).isCloseTo(73.0 / 148, within());
    assertThat(j.get("pairs")).hasSize(3);
    assertThat(j.get("pairs").get(0).get("cohen_kappa").asDouble()).isCloseTo(0.6875, within());
    assertThat(j.get("per_class").get(1).get("class").asText()).isEqualTo("cat");
    assertThat(j.get("per_class").get(1).get("disagreements").asInt()).isEqualTo(2);
    JsonNode tie = j.get("disagreements").get(1);
    assertThat(tie.get("item").asText()).isEqualTo("d.png");
    assertThat(tie.get("majority").isNull()).isTrue();
    assertThat(tie.get("labels").get("r3").asText()).isEqualTo("bird");
    JsonNode f = j.get("items").get(5);
    assertThat(f.get("labels").get("r2").isNull()).isTrue();
    assertThat(f.get("majority").asText()).isEqualTo("cat");
    assertThat(f.get("support").asText()).isEqualTo("2/2");
    assertThat(Files.readAllBytes(csv)).isEqualTo(before);
  }

  @Test
  void out_writes_agreement_json_and_disagreements_csv() throws Exception {
    Path out = dir.resolve("report");
    Cli.Run r =
        Cli.run(
            "data",
            "agreement",
            csv.toString(),
            "--annotators",
            "r1,r2,r3",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(Main.PROBLEMS);
    assertThat(
            Json.MAPPER
                .readTree(out.resolve("agreement.json").toFile())
                .get("unanimous_items")
                .asInt())
        .isEqualTo(3);
    assertThat(Files.readAllLines(out.resolve("disagreements.csv")))
        .containsExactly(
            "path,r1,r2,r3,majority,support",
            "b.png,cat,cat,dog,cat,2/3",
            "d.png,dog,cat,bird,,1/3");
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("agreement.json", "disagreements.csv");
    }
    assertThat(Files.readAllBytes(csv)).isEqualTo(before);
  }

  @Test
  void one_label_throughout_reports_kappa_as_null_with_a_note() throws Exception {
    Path one = Files.writeString(dir.resolve("one.csv"), "item,a,b\nx,cat,cat\ny,cat,cat\n");
    Cli.Run r = Cli.run("data", "agreement", one.toString(), "--annotators", "a,b", "--json");
    assertThat(r.code()).as(r.err()).isEqualTo(Main.OK);
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("fleiss_kappa").isNull()).isTrue();
    assertThat(j.get("pairs").get(0).get("cohen_kappa").isNull()).isTrue();
    assertThat(j.get("notes").get(0).asText()).contains("every kappa is undefined");
  }

  @Test
  void a_missing_file_is_one_error_line() {
    assertError(
        Cli.run("data", "agreement", dir.resolve("absent.csv").toString(), "--annotators", "a,b"),
        "manifest not found");
  }

  @Test
  void a_missing_annotator_column_is_named_with_the_columns_present() {
    assertError(
        Cli.run("data", "agreement", csv.toString(), "--annotators", "r1,r4"),
        "no annotator column 'r4'; its columns are: path, r1, r2, r3");
  }

  @Test
  void one_annotator_column_is_an_error() {
    assertError(
        Cli.run("data", "agreement", csv.toString(), "--annotators", "r1"),
        "at least 2 annotator columns, got 1");
  }

  @Test
  void a_target_outside_0_to_1_is_an_error() {
    for (String t : new String[] {"0", "1.5", "-0.2", "NaN"})
      assertError(
          Cli.run("data", "agreement", csv.toString(), "--annotators", "r1,r2", "--target", t),
          "--target must be in (0, 1]");
    assertThat(
            Cli.run("data", "agreement", csv.toString(), "--annotators", "r1,r3", "--target", "1")
                .code())
        .isEqualTo(Main.PROBLEMS);
  }

  @Test
  void a_manifest_without_items_is_an_error() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.csv"), "path,r1,r2\n");
    assertError(
        Cli.run("data", "agreement", empty.toString(), "--annotators", "r1,r2"), "has no items");
  }

  @Test
  void out_never_overwrites_the_manifest() throws Exception {
    Path named = Files.writeString(dir.resolve("disagreements.csv"), MANIFEST);
    assertError(
        Cli.run(
            "data",
            "agreement",
            named.toString(),
            "--annotators",
            "r1,r2",
            "--out",
            dir.toString()),
        "would overwrite the manifest");
    assertThat(Files.readString(named)).isEqualTo(MANIFEST);
  }

  private void assertError(Cli.Run r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(Main.FAILED);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: ").contains(expected);
    assertThat(r.out()).isEmpty();
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-12);
  }
}
