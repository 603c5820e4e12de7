package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageProbeTest {
  @TempDir Path dir;

  static Stream<Arguments> headers() {
    return Stream.of(
        header(TestImages::grayPng, "png", "gray", 8),
        header(TestImages::rgbPng, "png", "rgb", 8),
        header(TestImages::rgbaPng, "png", "rgba", 8),
        header(TestImages::grayAlphaPng, "png", "gray+alpha", 8),
        header(TestImages::palettePng, "png", "palette", 2),
        header(TestImages::gray16Png, "png", "gray", 16),
        header(TestImages::rgb16Png, "png", "rgb", 16),
        header(TestImages::rgbJpeg, "jpeg", "rgb", 8),
        header(TestImages::grayJpeg, "jpeg", "gray", 8),
        header(TestImages::cmykJpeg, "jpeg", "cmyk", 8),
        header(TestImages::ycckJpeg, "jpeg", "ycck", 8),
        header(TestImages::gif, "gif", "palette", 8),
        header(TestImages::bmp, "bmp", "rgb", 8));
  }

  private static Arguments header(Function<Path, Path> writer, String format, String mode, int b) {
    return Arguments.of(writer, format, mode, b);
  }

  @ParameterizedTest(name = "{1} {2} {3}-bit")
  @MethodSource("headers")
  void the_probe_reports_format_size_colour_mode_and_depth(
      Function<Path, Path> writer, String format, String mode, int bits) throws Exception {
    Path file = writer.apply(dir);
    ImageInfo info = Images.probe(file);
    assertThat(info)
        .isEqualTo(
            new ImageInfo(
                format,
                TestImages.WIDTH,
                TestImages.HEIGHT,
                mode,
                bits,
                1,
                Files.size(file),
                true));
  }

  @Test
  void the_probe_reads_exif_orientation_and_the_upright_size() {
    ImageInfo info = Images.probe(TestImages.exifJpeg(dir, 6));
    assertThat(info.orientation()).isEqualTo(6);
    assertThat(info.width()).isEqualTo(64);
    assertThat(info.uprightWidth()).isEqualTo(32);
    assertThat(info.uprightHeight()).isEqualTo(64);
    assertThat(Images.probe(TestImages.exifJpeg(dir, 3)).orientation()).isEqualTo(3);
  }

  @Test
  void content_wins_over_the_extension_and_the_mismatch_is_reported() {
    ImageInfo info = Images.probe(TestImages.pngNamedJpg(dir));
    assertThat(info.format()).isEqualTo("png");
    assertThat(info.extensionMatches()).isFalse();
    assertThat(Images.decode(TestImages.pngNamedJpg(dir)).getWidth()).isEqualTo(64);
  }

  @Test
  void the_probe_reads_no_pixels_even_of_a_picture_above_any_sane_limit() {
    Path file = TestImages.hugePng(dir, 100_000, 100_000);
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Images.probe(file, Long.MAX_VALUE); // warm up
    long before = threads.getCurrentThreadAllocatedBytes();
    ImageInfo info = Images.probe(file, Long.MAX_VALUE);
    long bytes = threads.getCurrentThreadAllocatedBytes() - before;
    System.out.printf("probing a 100000x100000 PNG allocated %,d bytes%n", bytes);
    assertThat(info.width()).isEqualTo(100_000);
    assertThat(bytes).isLessThan(1L << 20);
  }

  static Stream<Arguments> unreadableHeaders() {
    return Stream.of(
        Arguments.of((Function<Path, Path>) TestImages::emptyFile, "empty file"),
        Arguments.of((Function<Path, Path>) TestImages::randomBytes, "unrecognised format"),
        Arguments.of(
            (Function<Path, Path>) d -> TestImages.textNamed(d, "notes.jpg"),
            "unrecognised format"),
        Arguments.of((Function<Path, Path>) TestImages::truncatedHeaderPng, "truncated"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("unreadableHeaders")
  void an_unreadable_header_is_a_one_line_error(Function<Path, Path> writer, String reason) {
    Path file = writer.apply(dir);
    assertThatThrownBy(() -> Images.probe(file))
        .isInstanceOf(ImgclassException.class)
        .hasMessageStartingWith("cannot read image " + file + ": ")
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void a_jpeg_cut_inside_its_header_is_truncated() throws Exception {
    Path file = TestImages.rgbJpeg(dir);
    Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 100));
    assertThatThrownBy(() -> Images.probe(file)).hasMessageContaining("truncated");
  }
}
