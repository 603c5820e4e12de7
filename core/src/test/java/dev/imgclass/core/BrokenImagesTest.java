package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BrokenImagesTest {
  @TempDir Path dir;

  static Stream<Arguments> brokenFiles() {
    return Stream.of(
        broken(TestImages::emptyFile, "empty file"),
        broken(TestImages::randomBytes, "not an image (unrecognised format)"),
        broken(d -> TestImages.textNamed(d, "text.png"), "not an image (unrecognised format)"),
        broken(d -> TestImages.textNamed(d, "text.jpg"), "not an image (unrecognised format)"),
        broken(TestImages::truncatedHeaderPng, "truncated"),
        broken(TestImages::truncatedPng, "truncated"),
        broken(TestImages::truncatedJpeg, "truncated"),
        broken(d -> TestImages.hugePng(d, 100_000, 100_000), "above the limit"),
        broken(d -> TestImages.hugeJpeg(d, 60_000, 60_000), "above the limit"),
        broken(d -> d.resolve("missing.png"), "no such file"));
  }

  private static Arguments broken(Function<Path, Path> writer, String reason) {
    return Arguments.of(writer, reason);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("brokenFiles")
  void a_broken_file_is_a_one_line_error_naming_the_file_and_the_reason(
      Function<Path, Path> writer, String reason) {
    Path file = writer.apply(dir);
    assertThatThrownBy(() -> Images.decode(file))
        .isInstanceOf(ImgclassException.class)
        .hasMessageStartingWith("cannot read image " + file + ": ")
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\tat "));
  }

  @Test
  void a_truncated_jpeg_is_refused_although_the_decoder_only_warns() {
    // the JDK and TwelveMonkeys decoders both fill the missing part gray and return the picture
    Path file = TestImages.truncatedJpeg(dir);
    assertThatThrownBy(() -> Images.decode(file)).hasMessageContaining("premature end");
  }

  @Test
  void a_png_whose_idat_crc_does_not_match_is_refused_naming_the_chunk() throws Exception {
    Path file = TestImages.crcDamagedPng(dir);
    assertThat(javax.imageio.ImageIO.read(file.toFile())).as("the JDK reader alone").isNotNull();
    int idat = TestImages.idatOffset(Files.readAllBytes(file));
    assertThatThrownBy(() -> Images.decode(file))
        .isInstanceOf(ImgclassException.class)
        .hasMessage(
            "cannot read image "
                + file
                + ": damaged PNG: CRC mismatch in IDAT chunk at byte "
                + idat);
  }

  @Test
  void every_good_png_passes_the_chunk_crc_check() {
    for (Path png :
        List.of(
            TestImages.grayPng(dir),
            TestImages.rgbaPng(dir),
            TestImages.palettePng(dir),
            TestImages.rgb16Png(dir))) {
      assertThat(Images.decode(png).getWidth()).as(png.toString()).isPositive();
    }
  }

  @Test
  void a_png_cut_in_its_pixel_data_probes_fine_but_does_not_decode() {
    Path file = TestImages.truncatedPng(dir);
    assertThat(Images.probe(file).width()).isEqualTo(128); // the probe reads the header only
    assertThatThrownBy(() -> Images.decode(file)).hasMessageContaining("truncated");
  }

  @Test
  void a_100000_by_100000_png_is_refused_before_any_pixel_is_allocated() {
    Path file = TestImages.hugePng(dir, 100_000, 100_000);
    String message = refusedAllocating(file, "100000x100000 PNG");
    assertThat(message).contains("100000x100000").contains("limit of 40000000 pixels");
  }

  @Test
  void a_jpeg_claiming_60000_by_60000_is_refused_before_any_pixel_is_allocated() {
    Path file = TestImages.hugeJpeg(dir, 60_000, 60_000);
    String message = refusedAllocating(file, "60000x60000 JPEG");
    assertThat(message).contains("60000x60000").contains("limit of 40000000 pixels");
  }

  @Test
  void the_pixel_limit_is_configurable_for_decode_and_probe() {
    Path file = TestImages.rgbPng(dir); // 64x32 = 2048 pixels
    assertThatThrownBy(() -> Images.decode(file, 2047)).hasMessageContaining("limit of 2047");
    assertThatThrownBy(() -> Images.probe(file, 2047)).hasMessageContaining("limit of 2047");
    assertThat(Images.decode(file, 2048).getWidth()).isEqualTo(64);
    assertThat(Images.probe(file, 2048).width()).isEqualTo(64);
  }

  @Test
  void broken_files_fail_one_by_one_and_the_good_ones_around_them_decode() {
    List<String> failed = new ArrayList<>();
    int decoded = 0;
    for (var e : TestImages.writeAll(dir).entrySet()) {
      try {
        Images.decode(e.getValue());
        decoded++;
      } catch (ImgclassException ex) {
        failed.add(e.getKey());
      }
    }
    assertThat(failed)
        .containsExactlyInAnyOrder(
            "empty.png",
            "truncated.png",
            "truncated.jpg",
            "truncated-header.png",
            "random.jpg",
            "text.png",
            "text.jpg",
            "huge-100000x100000.png",
            "huge-60000x60000.jpg");
    assertThat(decoded).isEqualTo(17);
  }

  @Test
  void a_jpeg_missing_only_its_end_marker_decodes() throws Exception {
    // decoders warn "missing EOI marker" but have every pixel: not worth losing the picture
    Path file = TestImages.rgbJpeg(dir);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 2));
    ImageU8 rgb = Images.toPlanar(Images.decode(file), 3);
    ImageDecodingTest.assertColour(rgb, 48, 16, TestImages.BLUE, 12);
  }

  @Test
  void a_directory_is_not_a_picture() {
    assertThatThrownBy(() -> Images.probe(dir)).hasMessageEndingWith(": not a regular file");
  }

  /**
   * Decodes {@code file}, which must be refused, and returns the message; asserts that the current
   * thread allocated under 4 MB doing so (the pixels would take gigabytes) and prints the time.
   */
  private static String refusedAllocating(Path file, String what) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assertThatThrownBy(() -> Images.decode(file)); // warm up: class loading, reader registry
    long bytes0 = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    String message = null;
    try {
      Images.decode(file);
    } catch (ImgclassException e) {
      message = e.getMessage();
    }
    long nanos = System.nanoTime() - t0;
    long bytes = threads.getCurrentThreadAllocatedBytes() - bytes0;
    System.out.printf(
        Locale.ROOT,
        "refusing the %s took %.2f ms and allocated %,d bytes: %s%n",
        what,
        nanos / 1e6,
        bytes,
        message);
    assertThat(message).isNotNull();
    assertThat(bytes).isLessThan(4L << 20);
    return message;
  }
}
