package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoders of crafted files throw what they like: runtime exceptions from array indexing, or run
 * out of memory. A stand-in BMP reader, ordered before the JDK's, throws each of them.
 */
class DecoderFailureTest {
  @TempDir Path dir;

  static Stream<Arguments> throwables() {
    return Stream.of(
        thrown(
            () -> new ArrayIndexOutOfBoundsException("Index 4096 out of bounds for length 4096"),
            "corrupt bmp (Index 4096 out of bounds for length 4096)"),
        thrown(NegativeArraySizeException::new, "corrupt bmp (NegativeArraySizeException)"),
        thrown(() -> new IllegalStateException("two\n  lines"), "corrupt bmp (two lines)"),
        thrown(
            () -> new OutOfMemoryError("Java heap space"), "out of memory decoding 64x32 pixels"));
  }

  private static Arguments thrown(Supplier<Throwable> t, String reason) {
    return Arguments.of(t.get().getClass().getSimpleName(), t, reason);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("throwables")
  void what_a_decoder_throws_becomes_a_one_line_error_for_that_file(
      String name, Supplier<Throwable> throwable, String reason) {
    Path file = TestImages.bmp(dir);
    ThrowingSpi spi = new ThrowingSpi(throwable);
    IIORegistry registry = IIORegistry.getDefaultInstance();
    ImageReaderSpi jdk = ImageFile.readerSpiFor(ImageFormat.BMP);
    registry.registerServiceProvider(spi, ImageReaderSpi.class);
    registry.setOrdering(ImageReaderSpi.class, spi, jdk);
    try {
      assertThatThrownBy(() -> Images.decode(file))
          .isInstanceOf(ImgclassException.class)
          .hasMessage("cannot read image " + file + ": " + reason);
    } finally {
      registry.deregisterServiceProvider(spi, ImageReaderSpi.class);
    }
    assertThat(Images.decode(file).getWidth()).isEqualTo(TestImages.WIDTH); // the JDK's again
  }

  /** Announces BMP and reads headers as 64x32, then throws from {@code read}. */
  private static final class ThrowingSpi extends ImageReaderSpi {
    private final Supplier<Throwable> throwable;

    ThrowingSpi(Supplier<Throwable> throwable) {
      super(
          "test",
          "1",
          new String[] {"bmp"},
          null,
          null,
          ThrowingReader.class.getName(),
          new Class<?>[] {ImageInputStream.class},
          null,
          false,
          null,
          null,
          null,
          null,
          false,
          null,
          null,
          null,
          null);
      this.throwable = throwable;
    }

    @Override
    public boolean canDecodeInput(Object source) {
      return false; // only chosen by format name, as ImageFile does
    }

    @Override
    public ImageReader createReaderInstance(Object extension) {
      return new ThrowingReader(this, throwable);
    }

    @Override
    public String getDescription(Locale locale) {
      return "throws from read";
    }
  }

  private static final class ThrowingReader extends ImageReader {
    private final Supplier<Throwable> throwable;

    ThrowingReader(ImageReaderSpi spi, Supplier<Throwable> throwable) {
      super(spi);
      this.throwable = throwable;
    }

    @Override
    public int getNumImages(boolean allowSearch) {
      return 1;
    }

    @Override
    public int getWidth(int imageIndex) {
      return TestImages.WIDTH;
    }

    @Override
    public int getHeight(int imageIndex) {
      return TestImages.HEIGHT;
    }

    @Override
    public Iterator<ImageTypeSpecifier> getImageTypes(int imageIndex) {
      return java.util.List.of(
              ImageTypeSpecifier.createFromBufferedImageType(BufferedImage.TYPE_INT_RGB))
          .iterator();
    }

    @Override
    public IIOMetadata getStreamMetadata() {
      return null;
    }

    @Override
    public IIOMetadata getImageMetadata(int imageIndex) {
      return null;
    }

    @Override
    public BufferedImage read(int imageIndex, ImageReadParam param) {
      Throwable t = throwable.get();
      if (t instanceof RuntimeException e) throw e;
      throw (Error) t;
    }
  }
}
