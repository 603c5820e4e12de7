package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Screenshots a page with headless Chromium and checks that the report's charts are on it. */
final class Screenshot {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private Screenshot() {}

  /**
   * Each chart is recognised by a colour only it uses: orange lines (curves, learning rate), the
   * heatmap's dark blue (confusion), green F1 bars (per class), red points (reliability).
   */
  static void assertRendersCharts(Path html, Path workDir) throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "chromium is not installed (apt-get install chromium): screenshot test skipped");
    Path png = take(html, workDir);
    BufferedImage shot = ImageIO.read(png.toFile());
    assertThat(shot.getWidth()).isEqualTo(1200);
    Set<Integer> colours = new HashSet<>();
    int nonWhite = 0;
    int orange = 0;
    int navy = 0;
    int green = 0;
    int red = 0;
    for (int y = 0; y < shot.getHeight(); y++) {
      for (int x = 0; x < shot.getWidth(); x++) {
        int rgb = shot.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff) nonWhite++;
        if (near(rgb, 0xff7f0e)) orange++;
        if (near(rgb, 0x08306b)) navy++;
        if (near(rgb, 0x2ca02c)) green++;
        if (near(rgb, 0xd62728)) red++;
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(500);
    assertThat(nonWhite).as("non-white pixels").isGreaterThan(shot.getWidth() * 100);
    assertThat(List.of(orange, navy, green, red))
        .as("pixels of orange (curves), navy (confusion), green (per class), red (reliability)")
        .allMatch(n -> n > 20);
  }

  static Path take(Path html, Path workDir) throws Exception {
    Files.createDirectories(workDir);
    Path png = workDir.resolve("screenshot.png");
    Path profile = Files.createTempDirectory(workDir, "profile");
    Process p =
        new ProcessBuilder(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--screenshot=" + png,
                "--window-size=1200,3000",
                html.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("chromium.log").toFile())
            .start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 3 minutes");
    }
    assertThat(png).as(Files.readString(workDir.resolve("chromium.log"))).isRegularFile();
    return png;
  }

  private static boolean near(int rgb, int target) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((rgb >> shift) & 0xff) - ((target >> shift) & 0xff)) > 12) return false;
    }
    return true;
  }
}
