package dev.imgclass.core;

import static dev.imgclass.core.TestImages.BLUE;
import static dev.imgclass.core.TestImages.GREEN;
import static dev.imgclass.core.TestImages.RED;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageDecodingTest {
  private static final int WHITE = 0xffffff;

  @TempDir Path dir;

  static Stream<Arguments> colourFiles() {
    return Stream.of(
        file("rgb.png", TestImages::rgbPng, 0),
        file("rgb16.png", TestImages::rgb16Png, 0), // exact: high bytes, not 255/65535 scaling
        file("palette.png", TestImages::palettePng, 0),
        file("indexed.gif", TestImages::gif, 0),
        file("rgb.bmp", TestImages::bmp, 0),
        file("png-named.jpg", TestImages::pngNamedJpg, 0),
        file("rgb.jpg", TestImages::rgbJpeg, 12),
        file("cmyk.jpg", TestImages::cmykJpeg, 12),
        file("ycck.jpg", TestImages::ycckJpeg, 12));
  }

  private static Arguments file(String name, Function<Path, Path> writer, int tolerance) {
    return Arguments.of(name, writer, tolerance);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("colourFiles")
  void colour_files_decode_to_the_pattern_in_8_bit_rgb(
      String name, Function<Path, Path> writer, int tolerance) {
    ImageU8 rgb = Images.toPlanar(Images.decode(writer.apply(dir)), 3);
    assertThat(rgb.width()).isEqualTo(TestImages.WIDTH);
    assertThat(rgb.height()).isEqualTo(TestImages.HEIGHT);
    assertColour(rgb, 8, 8, GREEN, tolerance);
    assertColour(rgb, 24, 24, RED, tolerance);
    assertColour(rgb, 40, 8, BLUE, tolerance);
  }

  @Test
  void a_palette_png_composites_its_transparent_entry_on_white() {
    ImageU8 rgb = Images.toPlanar(Images.decode(TestImages.palettePng(dir)), 3);
    assertColour(rgb, 56, 24, WHITE, 0);
    assertColour(rgb, 44, 12, BLUE, 0);
  }

  @Test
  void gray_png_and_jpeg_keep_their_stored_values() {
    ImageU8 png = Images.toPlanar(Images.decode(TestImages.grayPng(dir)), 1);
    assertThat(new int[] {png.get(0, 8, 8), png.get(0, 24, 24), png.get(0, 8, 40)})
        .containsExactly(150, 76, 29);
    ImageU8 jpg = Images.toPlanar(Images.decode(TestImages.grayJpeg(dir)), 1);
    assertThat(jpg.get(0, 8, 8)).isCloseTo(150, org.assertj.core.data.Offset.offset(4));
    assertThat(jpg.get(0, 24, 24)).isCloseTo(76, org.assertj.core.data.Offset.offset(4));
  }

  @Test
  void sixteen_bit_gray_png_keeps_the_high_byte() {
    ImageU8 g = Images.toPlanar(Images.decode(TestImages.gray16Png(dir)), 1);
    assertThat(g.get(0, 5, 5)).isEqualTo(0xab);
    assertThat(g.get(0, 5, 50)).isEqualTo(0x12);
  }

  @Test
  void rgba_and_gray_alpha_pngs_composite_on_white() {
    ImageU8 rgba = Images.toPlanar(Images.decode(TestImages.rgbaPng(dir)), 3);
    assertColour(rgba, 24, 24, RED, 0);
    assertColour(rgba, 48, 16, 0x7f7fff, 0); // blue at alpha 128 over white
    ImageU8 ga = Images.toPlanar(Images.decode(TestImages.grayAlphaPng(dir)), 1);
    assertThat(ga.get(0, 10, 10)).isEqualTo(255); // alpha 0
    assertThat(ga.get(0, 10, 50)).isEqualTo(100); // opaque
  }

  @Test
  void exif_orientation_6_turns_the_picture_a_quarter_clockwise() {
    BufferedImage img = Images.decode(TestImages.exifJpeg(dir, 6));
    assertThat(img.getWidth()).isEqualTo(TestImages.HEIGHT);
    assertThat(img.getHeight()).isEqualTo(TestImages.WIDTH);
    ImageU8 rgb = Images.toPlanar(img, 3);
    assertColour(rgb, 24, 8, GREEN, 12); // the top-left corner is now top-right
    assertColour(rgb, 8, 24, RED, 12); // the left half is now the top half
    assertColour(rgb, 16, 48, BLUE, 12);
  }

  @Test
  void exif_orientation_3_turns_the_picture_upside_down() {
    ImageU8 rgb = Images.toPlanar(Images.decode(TestImages.exifJpeg(dir, 3)), 3);
    assertThat(rgb.width()).isEqualTo(TestImages.WIDTH);
    assertColour(rgb, 56, 24, GREEN, 12); // the top-left corner is now bottom-right
    assertColour(rgb, 40, 8, RED, 12);
    assertColour(rgb, 16, 16, BLUE, 12);
  }

  @Test
  void a_corrupt_exif_block_leaves_the_picture_as_stored() {
    Path file = TestImages.corruptExifJpeg(dir);
    ImageU8 rgb = Images.toPlanar(Images.decode(file), 3);
    assertThat(rgb.width()).isEqualTo(TestImages.WIDTH);
    assertColour(rgb, 8, 8, GREEN, 12);
    assertThat(Images.probe(file).orientation()).isEqualTo(1);
  }

  /** Pixels 1..6 of a 3x2 image, upright for each EXIF orientation (rows top to bottom). */
  static Stream<Arguments> orientations() {
    return Stream.of(
        Arguments.of(1, new int[][] {{1, 2, 3}, {4, 5, 6}}),
        Arguments.of(2, new int[][] {{3, 2, 1}, {6, 5, 4}}),
        Arguments.of(3, new int[][] {{6, 5, 4}, {3, 2, 1}}),
        Arguments.of(4, new int[][] {{4, 5, 6}, {1, 2, 3}}),
        Arguments.of(5, new int[][] {{1, 4}, {2, 5}, {3, 6}}),
        Arguments.of(6, new int[][] {{4, 1}, {5, 2}, {6, 3}}),
        Arguments.of(7, new int[][] {{6, 3}, {5, 2}, {4, 1}}),
        Arguments.of(8, new int[][] {{3, 6}, {2, 5}, {1, 4}}));
  }

  @ParameterizedTest(name = "orientation {0}")
  @MethodSource("orientations")
  void every_exif_orientation_maps_pixels_as_the_tiff_spec_says(int orientation, int[][] rows) {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 6; i++) img.getRaster().setSample(i % 3, i / 3, 0, i + 1);
    BufferedImage out = Orientation.apply(img, orientation);
    int[][] got = new int[out.getHeight()][out.getWidth()];
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) got[y][x] = out.getRaster().getSample(x, y, 0);
    }
    assertThat(got).isDeepEqualTo(rows);
  }

  @Test
  void jpeg_is_read_by_twelvemonkeys_whatever_order_the_registry_lists_readers() throws Exception {
    assertThat(ImageFile.readerFor(ImageFormat.JPEG).getClass().getName())
        .startsWith("com.twelvemonkeys.");
  }

  @Test
  void an_ordinary_jpeg_gives_the_same_pixels_as_the_jdks_own_reader() throws Exception {
    Path file = TestImages.rgbJpeg(dir);
    var jdk =
        IIORegistry.getDefaultInstance()
            .getServiceProviders(
                ImageReaderSpi.class,
                s ->
                    ((ImageReaderSpi) s).getPluginClassName().startsWith("com.sun.")
                        && Arrays.asList(((ImageReaderSpi) s).getFormatNames()).contains("jpeg"),
                false)
            .next()
            .createReaderInstance();
    BufferedImage expected;
    try (var in = ImageIO.createImageInputStream(file.toFile())) {
      jdk.setInput(in);
      expected = jdk.read(0);
    } finally {
      jdk.dispose();
    }
    BufferedImage got = Images.decode(file);
    int w = expected.getWidth();
    int h = expected.getHeight();
    assertThat(got.getRGB(0, 0, w, h, null, 0, w))
        .containsExactly(expected.getRGB(0, 0, w, h, null, 0, w));
  }

  @Test
  void sixteen_bit_rgb_samples_keep_their_high_byte() throws Exception {
    BufferedImage img = Images.decode(TestImages.rgb16Png(dir));
    assertThat(img.getRaster().getPixel(24, 24, (int[]) null)).containsExactly(0xffc3, 0xc3, 0xc3);
    assertThat(img.getRGB(24, 24) & 0xffffff).isNotEqualTo(RED); // why toPlanar reads samples
    ImageU8 rgb = Images.toPlanar(img, 3);
    assertColour(rgb, 24, 24, RED, 0);
  }

  static void assertColour(ImageU8 rgb, int x, int y, int expected, int tolerance) {
    int[] got = {rgb.get(0, y, x), rgb.get(1, y, x), rgb.get(2, y, x)};
    int[] want = {expected >> 16, expected >> 8 & 0xff, expected & 0xff};
    for (int c = 0; c < 3; c++) {
      assertThat(Math.abs(got[c] - want[c]))
          .as("channel %d at (%d, %d): got %s, want %s", c, x, y, str(got), str(want))
          .isLessThanOrEqualTo(tolerance);
    }
  }

  private static String str(int[] rgb) {
    return "(" + rgb[0] + ", " + rgb[1] + ", " + rgb[2] + ")";
  }
}
