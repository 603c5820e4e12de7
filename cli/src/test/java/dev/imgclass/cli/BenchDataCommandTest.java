package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchDataCommandTest {
  @Test
  void a_missing_data_folder_is_one_line_and_exit_code_2(@TempDir Path dir) {
    Cli.Run r = Cli.run("bench-data", "--data", dir.resolve("absent").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: data not found");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void data_that_are_not_files_are_refused_in_one_line() {
    Cli.Run r = Cli.run("bench-data", "--data", "synthetic:100");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("image folder");
  }

  @Test
  void json_has_one_row_per_measurement_and_a_rate_per_round(@TempDir Path dir) throws Exception {
    for (String c : new String[] {"cat", "dog"}) {
      Files.createDirectories(dir.resolve(c));
      for (int i = 0; i < 3; i++) {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(i, i, 0xff8040);
        ImageIO.write(img, "jpg", dir.resolve(c).resolve(i + ".jpg").toFile());
      }
    }
    Cli.Run r =
        Cli.run(
            "bench-data",
            "--data",
            dir.toString(),
            "--size",
            "32",
            "--batch-size",
            "4",
            "--workers",
            "0,2",
            "--rounds",
            "2",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = Json.MAPPER.readTree(r.out());
    assertThat(j.get("images").asInt()).isEqualTo(6);
    assertThat(j.get("bad_files").asInt()).isZero();
    JsonNode rows = j.get("results");
    assertThat(rows)
        .extracting(n -> n.get("key").asText())
        .containsExactly(
            "imageio",
            "imageio-jdk",
            "safe-decode",
            "decode",
            "pipeline-w0",
            "pipeline-w2",
            "cached-w0",
            "cached-w2");
    for (JsonNode row : rows) {
      assertThat(row.get("img_per_s")).hasSize(2);
      assertThat(row.get("median").asDouble()).isPositive();
    }
    assertThat(rows.get(0).get("vs_imageio").asDouble()).isEqualTo(1.0);
  }
}
