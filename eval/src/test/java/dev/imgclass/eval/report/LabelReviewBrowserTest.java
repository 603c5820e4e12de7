package dev.imgclass.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgclass.data.Corrections;
import dev.imgclass.data.DataSources;
import dev.imgclass.data.Dataset;
import dev.imgclass.eval.LabelIssue;
import dev.imgclass.eval.NearDuplicates;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review page in a real browser (headless Debian Chromium through Playwright, {@code
 * browser-tests/label-review.mjs}): four decisions made with the mouse and the keyboard, and one on
 * a near-duplicate pair (an image shown twice keeps one decision), survive a reload, the downloaded
 * decisions.csv is what {@code data apply-corrections} reads, and the corrected manifest has those
 * four changes. Skipped where Chromium, Node or the npm package is missing, except under {@code
 * CI=true}.
 */
class LabelReviewBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path BROWSER_DIR = Path.of("../browser-tests"); // Maven runs tests in the module

  @Test
  void decisions_made_on_the_page_become_a_corrected_manifest(@TempDir Path dir) throws Exception {
    require(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing");
    require(onPath("node"), "node is not on the PATH");
    require(
        Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
        BROWSER_DIR.toAbsolutePath() + "/node_modules/playwright-core is missing (npm ci there)");
    // an image folder of three classes, 4 images each
    Path images = dir.resolve("images");
    List<String> classes = List.of("cat", "dog", "fox");
    for (int c = 0; c < 3; c++) {
      Files.createDirectories(images.resolve(classes.get(c)));
      for (int i = 0; i < 4; i++) {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++)
          for (int x = 0; x < 16; x++) img.setRGB(x, y, (c * 80 << 16) | (i * 60 << 8) | (x * 15));
        ImageIO.write(img, "png", images.resolve(classes.get(c)).resolve(i + ".png").toFile());
      }
    }
    Dataset data = DataSources.open(images.toString()).train();
    // the first five images are "issues", each suggested the next class
    List<LabelIssue> issues = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String given = data.classes().get(data.label(i));
      String suggested = data.classes().get((data.label(i) + 1) % 3);
      issues.add(new LabelIssue(i + 1, i, data.name(i), given, suggested, 0.01, 0.9));
    }
    Path page = dir.resolve("label_issues.html");
    // two near-duplicate pairs, the first holding an image that is also an issue
    List<NearDuplicates.Pair> pairs =
        List.of(new NearDuplicates.Pair(0, 5, 0, 1.0), new NearDuplicates.Pair(6, 9, 2, 0.995));
    float[] probs = {0.2f, 0.7f, 0.1f};
    LabelIssuesPage.write(page, "review", "5 images", data, issues, 100, pairs, 50, i -> probs);
    String html = Files.readString(page);
    assertThat(html).contains("top-3: dog 0.70, cat 0.20, fox 0.10");
    assertThat(html).contains("Near-duplicates with different labels");
    assertThat(Files.readString(page)).doesNotContain("src=\"http", "href=\"http");

    Path out = Files.createDirectories(dir.resolve("out"));
    Process p =
        new ProcessBuilder("node", "label-review.mjs", page.toString(), out.toString())
            .directory(BROWSER_DIR.toFile())
            .redirectErrorStream(true)
            .start();
    boolean done = p.waitFor(90, TimeUnit.SECONDS);
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) p.destroyForcibly();
    assertThat(done).as("finished in 90 s: " + printed).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).contains("\"ok\":true");

    List<String> csv = Files.readAllLines(out.resolve("decisions.csv"));
    assertThat(csv.get(0)).isEqualTo("path,decision,label");
    assertThat(csv).hasSize(6);
    assertThat(csv.get(1)).isEqualTo(issues.get(0).name() + ",accept," + issues.get(0).suggested());
    assertThat(csv.get(2)).isEqualTo(issues.get(1).name() + ",keep," + issues.get(1).given());
    assertThat(csv.get(3)).startsWith(issues.get(2).name() + ",relabel,");
    assertThat(csv.get(4)).isEqualTo(issues.get(3).name() + ",unclear,");
    // the key a on the pair (0, 5)'s second image: image 0's label
    assertThat(csv.get(5))
        .isEqualTo(data.name(5) + ",relabel," + data.classes().get(data.label(0)));
    String relabelled = csv.get(3).substring(csv.get(3).lastIndexOf(',') + 1);
    assertThat(relabelled).isNotIn(issues.get(2).given(), issues.get(2).suggested());

    Corrections.Result r =
        Corrections.apply(
            images.toString(), out.resolve("decisions.csv"), dir.resolve("fixed.csv"));
    assertThat(r.images()).isEqualTo(12);
    assertThat(r.corrected()).isEqualTo(3); // accept and two relabels
    assertThat(r.kept()).isEqualTo(1);
    assertThat(r.excluded()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("fixed.csv")))
        .contains(issues.get(0).suggested() + ",")
        .contains(",excluded");
    Files.createDirectories(Path.of("target"));
    Files.copy(
        out.resolve("label-review.png"),
        Path.of("target/label-review.png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void require(boolean ok, String what) {
    if (ok) return;
    if ("true".equals(System.getenv("CI")))
      fail(what + ": .ci/run should have installed it (Chromium, node, npm ci in browser-tests)");
    assumeTrue(false, what + ": skipping the browser test of the review page");
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) return false;
    for (String d : path.split(File.pathSeparator))
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) return true;
    return false;
  }
}
