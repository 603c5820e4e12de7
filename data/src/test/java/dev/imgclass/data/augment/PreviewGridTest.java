package dev.imgclass.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImageU8;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewGridTest {
  @Test
  void the_grid_has_one_enlarged_cell_per_image_with_a_caption_band() {
    List<ImageU8> images = List.of(TestImages.gray28(), TestImages.gray28(), TestImages.gray28());
    BufferedImage grid = PreviewGrid.render(images, List.of("a", "b", "c"), 2, 3);
    int cellW = 28 * 3 + 2 * PreviewGrid.PAD;
    int cellH = cellW + PreviewGrid.CAPTION_HEIGHT;
    assertThat(grid.getWidth()).isEqualTo(2 * cellW);
    assertThat(grid.getHeight()).isEqualTo(2 * cellH);
    BufferedImage bare = PreviewGrid.render(images, List.of(), 5, 1);
    assertThat(bare.getWidth()).isEqualTo(3 * (28 + 2 * PreviewGrid.PAD)); // only 3 columns used
    assertThat(bare.getHeight()).isEqualTo(28 + 2 * PreviewGrid.PAD);
  }

  @Test
  void each_pixel_becomes_a_scale_by_scale_block_and_captions_are_drawn() {
    ImageU8 rgb = TestImages.rgb();
    BufferedImage grid = PreviewGrid.render(List.of(rgb), List.of("flip"), 1, 4);
    int p = PreviewGrid.PAD;
    for (int dy = 0; dy < 4; dy++) {
      for (int dx = 0; dx < 4; dx++) {
        int argb = grid.getRGB(p + 5 * 4 + dx, p + 3 * 4 + dy);
        assertThat((argb >> 16) & 0xff).isEqualTo(rgb.get(0, 3, 5));
        assertThat((argb >> 8) & 0xff).isEqualTo(rgb.get(1, 3, 5));
        assertThat(argb & 0xff).isEqualTo(rgb.get(2, 3, 5));
      }
    }
    int dark = 0;
    for (int y = 20 * 4 + 2 * p; y < grid.getHeight(); y++) {
      for (int x = 0; x < grid.getWidth(); x++) if ((grid.getRGB(x, y) & 0xff) < 128) dark++;
    }
    assertThat(dark).as("caption pixels").isGreaterThan(5);
  }

  @Test
  void write_leaves_a_readable_png(@TempDir Path dir) throws Exception {
    BufferedImage grid =
        PreviewGrid.render(List.of(TestImages.rgb()), List.of("a very long caption indeed"), 1, 2);
    Path png = dir.resolve("sub/preview.png");
    PreviewGrid.write(grid, png);
    BufferedImage back = ImageIO.read(png.toFile());
    assertThat(back.getWidth()).isEqualTo(grid.getWidth());
    assertThat(back.getHeight()).isEqualTo(grid.getHeight());
    try (var files = Files.list(png.getParent())) {
      assertThat(files).containsExactly(png); // no temporary file left behind
    }
  }

  @Test
  void bad_arguments_are_refused() {
    List<ImageU8> one = List.of(TestImages.rgb());
    assertThatThrownBy(() -> PreviewGrid.render(List.of(), List.of(), 1, 1))
        .hasMessageContaining("at least one image");
    assertThatThrownBy(() -> PreviewGrid.render(one, List.of("a", "b"), 1, 1))
        .hasMessageContaining("1 images but 2 captions");
    assertThatThrownBy(() -> PreviewGrid.render(one, List.of(), 0, 1))
        .hasMessageContaining("columns");
    assertThatThrownBy(() -> PreviewGrid.render(one, List.of(), 1, 0))
        .hasMessageContaining("scale");
  }
}
