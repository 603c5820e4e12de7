package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Json;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.SyntheticData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data label-issues} on synthetic images with planted label flips, in a CSV manifest. */
class LabelIssuesCommandTest {
  @TempDir static Path dir;
  static Path manifest;
  static final Set<String> flipped = new HashSet<>();
  static final int N = 400;
  static final Set<String> copies = new HashSet<>(); // "original,copy" paths

  @BeforeAll
  static void plant() throws Exception {
    Dataset d = SyntheticData.generate(N, 4, 16, 7);
    Path images = dir.resolve("images");
    Files.createDirectories(images);
    Random r = new Random(3);
    StringBuilder csv = new StringBuilder("path,label\n");
    for (int i = 0; i < N; i++) {
      ImageU8 img = d.image(i);
      BufferedImage b = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
      b.getRaster().setDataElements(0, 0, 16, 16, img.data());
      String name = String.format("img%03d.png", i);
      ImageIO.write(b, "png", images.resolve(name).toFile());
      int label = d.label(i);
      if (r.nextDouble() < 0.06) { // about 6 % flipped to another class, from every class
        label = (label + 1 + r.nextInt(3)) % 4;
        flipped.add("images/" + name);
      }
      csv.append("images/").append(name).append(',').append(d.classes().get(label)).append('\n');
    }
    // three brightened copies filed under another class (near-duplicates with different labels)
    // and one under its own class (not an issue)
    for (int k = 0; k < 4; k++) {
      int src = 10 + 50 * k;
      while (flipped.contains(String.format("images/img%03d.png", src))) src++;
      byte[] px = d.image(src).data().clone();
      for (int j = 0; j < px.length; j++) px[j] = (byte) Math.min(255, (px[j] & 0xff) + 20);
      BufferedImage b = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
      b.getRaster().setDataElements(0, 0, 16, 16, px);
      String name = String.format("copy%d.png", k);
      ImageIO.write(b, "png", images.resolve(name).toFile());
      int label = k < 3 ? (d.label(src) + 1) % 4 : d.label(src);
      csv.append("images/").append(name).append(',').append(d.classes().get(label)).append('\n');
      if (k < 3) {
        flipped.add("images/" + name);
        copies.add(String.format("images/img%03d.png,images/%s", src, name));
      }
    }
    manifest = dir.resolve("labels.csv");
    Files.writeString(manifest, csv);
  }

  static String[] args(Path out, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "data",
                "label-issues",
                manifest.toString(),
                "--out",
                out.toString(),
                "--epochs",
                "8",
                "--batch-size",
                "32",
                "--channels",
                "1",
                "--image-size",
                "16",
                "--threads",
                "1"));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  @Test
  void finds_the_planted_flips_and_resumes_from_finished_folds() throws Exception {
    byte[] before = Files.readAllBytes(manifest);
    Path out = dir.resolve("search");
    Cli.Run run = Cli.run(args(out, "--folds", "3"));
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("images scored out of fold (3 folds)")
        .contains("likely label errors");

    List<String> rows = Files.readAllLines(out.resolve("label_issues.csv"));
    assertThat(rows.get(0))
        .isEqualTo("rank,path,index,given_label,suggested_label,given_prob,suggested_prob");
    Set<String> found = new HashSet<>();
    for (String row : rows.subList(1, rows.size()))
      found.add(
          Path.of(row.split(",")[1]).getParent().getFileName()
              + "/"
              + Path.of(row.split(",")[1]).getFileName());
    Set<String> hit = new HashSet<>(found);
    hit.retainAll(flipped);
    // synthetic patterns are easy: most planted flips are found, and most flags are flips
    assertThat(hit.size())
        .as("recall over %d flips, found %s", flipped.size(), found)
        .isGreaterThanOrEqualTo(flipped.size() * 3 / 4);
    assertThat(hit.size()).as("precision").isGreaterThanOrEqualTo(found.size() * 3 / 4);

    JsonNode json = Json.MAPPER.readTree(out.resolve("label_issues.json").toFile());
    assertThat(json.get("images").asInt()).isEqualTo(N + 4);
    // the planted copies are near-duplicates with different labels; nothing else is
    List<String> dups = Files.readAllLines(out.resolve("near_duplicates.csv"));
    assertThat(dups.get(0))
        .isEqualTo("path_a,index_a,label_a,path_b,index_b,label_b,hash_distance,correlation");
    Set<String> pairs = new HashSet<>();
    for (String row : dups.subList(1, dups.size())) {
      String[] f = row.split(",");
      pairs.add("images/" + Path.of(f[0]).getFileName() + ",images/" + Path.of(f[3]).getFileName());
    }
    assertThat(pairs).isEqualTo(copies);
    assertThat(json.get("near_duplicates").asInt()).isEqualTo(3);
    assertThat(run.out()).contains("near-duplicates with different labels: 3 pairs");
    assertThat(Files.readString(out.resolve("label_issues.html")))
        .contains("Near-duplicates with different labels")
        .contains("top-3:");
    assertThat(json.get("noise_matrix_given_by_true").size()).isEqualTo(4);
    assertThat(json.get("wrong_share_per_class").size()).isEqualTo(4);
    assertThat(out.resolve("folds/fold-3/heldout.safetensors")).exists();
    assertThat(out.resolve("out_of_fold.safetensors")).exists();
    assertThat(Files.readString(out.resolve("label_issues.html")))
        .contains("Likely label errors")
        .contains("data:image/png;base64,")
        .contains(found.iterator().next().substring("images/".length()));
    assertThat(Files.readAllBytes(manifest)).isEqualTo(before);

    Cli.Run again = Cli.run(args(out, "--folds", "3", "--json"));
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err()).contains("fold 1/3: done before");
    JsonNode j = Json.MAPPER.readTree(again.out());
    assertThat(j.get("issues").asInt()).isEqualTo(rows.size() - 1);

    // accept every suggestion into a corrected manifest; a new search finds fewer issues
    Path corrected = dir.resolve("corrected.csv");
    Cli.Run apply =
        Cli.run(
            "data",
            "apply-corrections",
            manifest.toString(),
            out.resolve("label_issues.csv").toString(),
            "--out",
            corrected.toString());
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.out()).contains((rows.size() - 1) + " labels corrected");
    assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
    String[] second = args(dir.resolve("search2"), "--folds", "3", "--json");
    second[2] = corrected.toString();
    Cli.Run after = Cli.run(second);
    assertThat(after.code()).as(after.err()).isZero();
    assertThat(Json.MAPPER.readTree(after.out()).get("issues").asInt()).isLessThan(rows.size() - 1);

    Cli.Run unknown =
        Cli.run(
            "data",
            "apply-corrections",
            manifest.toString(),
            manifest.toString(),
            "--out",
            dir.resolve("x.csv").toString());
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("give a decision column");
  }

  @Test
  void the_test_split_is_scored_by_one_model_trained_on_the_training_split() throws Exception {
    Path out = dir.resolve("test-split");
    Cli.Run run =
        Cli.run(
            "data",
            "label-issues",
            "synthetic:200:3",
            "--split",
            "test",
            "--out",
            out.toString(),
            "--epochs",
            "2",
            "--threads",
            "1");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("model on the training split: training on 200 images, scoring 40")
        .contains("40 images scored by a model trained on the training split");
    JsonNode json = Json.MAPPER.readTree(out.resolve("label_issues.json").toFile());
    assertThat(json.get("split").asText()).isEqualTo("test");
    assertThat(json.get("images").asInt()).isEqualTo(40);
    assertThat(out.resolve("folds/train-split/model.json")).exists();
  }

  @Test
  void bad_inputs_are_one_line_errors() {
    Cli.Run distance = Cli.run(args(dir.resolve("d"), "--duplicate-distance", "17"));
    assertThat(distance.code()).isEqualTo(2);
    assertThat(distance.err()).contains("--duplicate-distance must be in [0, 16]");
    assertThat(dir.resolve("d/folds")).doesNotExist(); // refused before any training
    Cli.Run corr = Cli.run(args(dir.resolve("r"), "--duplicate-correlation", "1.5"));
    assertThat(corr.code()).isEqualTo(2);
    assertThat(corr.err()).contains("--duplicate-correlation must be in [-1, 1]");
    Cli.Run folds = Cli.run(args(dir.resolve("f1"), "--folds", "1"));
    assertThat(folds.code()).isEqualTo(2);
    assertThat(folds.err()).contains("--folds must be in [2, 20]");
    Cli.Run split = Cli.run(args(dir.resolve("s"), "--split", "test"));
    Cli.Run oneClass = Cli.run(args(dir.resolve("c"), "--folds", "2", "--limit", "1"));
    assertThat(oneClass.code()).isEqualTo(2);
    assertThat(oneClass.err()).contains("at least 4 images for 2 folds");
    assertThat(split.code()).isEqualTo(2);
    assertThat(split.err()).contains("has no test split");
    Cli.Run missing =
        Cli.run("data", "label-issues", dir.resolve("nope.csv").toString(), "--out", "x");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().lines().filter(l -> l.startsWith("error:")).count()).isEqualTo(1);
  }
}
