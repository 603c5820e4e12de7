package dev.imgclass.core;

import com.twelvemonkeys.imageio.stream.BufferedFileImageInputStream;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import javax.imageio.IIOException;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * One picture file opened for {@link Images#probe} or {@link Images#decode}: format recognised from
 * the content, reader chosen, header read and checked against the pixel limit, all before any pixel
 * is allocated. Every failure is an {@link ImgclassException} with a one-line message naming the
 * file.
 */
final class ImageFile implements AutoCloseable {
  private final Path file; // null for a picture held in memory
  private final byte[] bytes; // null for a picture in a file
  private final String name; // the file, or what the caller calls the bytes ("request body")
  private final long size;
  private final ImageFormat format;
  private final byte[] head;
  private final ImageInputStream in;
  private final JpegHeader jpeg; // null unless JPEG
  private final ImageReader reader;
  private final int width;
  private final int height;

  private ImageFile(Path file, byte[] bytes, String name, long maxPixels) throws IOException {
    this.file = file;
    this.bytes = bytes;
    this.name = name;
    if (file != null) {
      if (!Files.exists(file)) throw error("no such file");
      if (!Files.isRegularFile(file)) throw error("not a regular file");
      size = Files.size(file);
    } else {
      size = bytes.length;
    }
    if (size == 0) throw error("empty file");
    // buffered: the JDK's FileImageInputStream makes a system call for every small read
    in =
        file != null
            ? new BufferedFileImageInputStream(file.toFile())
            : new ByteArrayImageInputStream(bytes);
    ImageReader r = null;
    try {
      head = new byte[(int) Math.min(size, ImageFormat.HEAD_BYTES)];
      in.readFully(head);
      format =
          ImageFormat.sniff(head).orElseThrow(() -> error("not an image (unrecognised format)"));
      in.seek(0);
      jpeg = format == ImageFormat.JPEG ? readJpegHeader() : null;
      r = readerFor(format);
      r.setInput(in, true, true); // one image, forward only, no metadata
      width = r.getWidth(0);
      height = r.getHeight(0);
      if (width < 1 || height < 1) throw error("header says " + width + "x" + height + " pixels");
      if ((long) width * height > maxPixels) {
        throw new ImageTooLargeException(
            "cannot read image "
                + name
                + ": "
                + String.format(
                    Locale.ROOT,
                    "%dx%d is %d pixels, above the limit of %d pixels",
                    width,
                    height,
                    (long) width * height,
                    maxPixels));
      }
      reader = r;
    } catch (IOException | RuntimeException e) {
      if (r != null) r.dispose();
      in.close();
      throw e instanceof ImgclassException ie ? ie : failure(e);
    }
  }

  /** Opens {@code file} and reads its header; refuses it above {@code maxPixels}. */
  static ImageFile open(Path file, long maxPixels) {
    if (maxPixels < 1) throw new ImgclassException("pixel limit must be >= 1, got " + maxPixels);
    try {
      return new ImageFile(file, null, file.toString(), maxPixels);
    } catch (IOException e) {
      throw new ImgclassException("cannot read image " + file + ": " + oneLine(e), e);
    }
  }

  /** Opens a picture held in memory; {@code name} stands for it in messages. */
  static ImageFile open(byte[] bytes, String name, long maxPixels) {
    if (maxPixels < 1) throw new ImgclassException("pixel limit must be >= 1, got " + maxPixels);
    try {
      return new ImageFile(null, bytes, name, maxPixels);
    } catch (IOException e) {
      throw new ImgclassException("cannot read image " + name + ": " + oneLine(e), e);
    }
  }

  private JpegHeader readJpegHeader() throws IOException {
    JpegHeader h =
        JpegHeader.read(in)
            .orElseThrow(() -> failure(new IIOException("no frame header before the first scan")));
    in.seek(0);
    return h;
  }

  /** The header's facts; for PNG and JPEG read from the header bytes themselves. */
  ImageInfo info() {
    String mode;
    int bits;
    if (format == ImageFormat.PNG) { // IHDR: bit depth at byte 24, colour type at 25
      bits = head[24];
      mode =
          switch (head[25]) {
            case 0 -> "gray";
            case 2 -> "rgb";
            case 3 -> "palette";
            case 4 -> "gray+alpha";
            default -> "rgba";
          };
    } else if (format == ImageFormat.JPEG) {
      bits = jpeg.precision();
      mode = jpeg.colorMode();
    } else {
      ColorModel cm = rawColorModel();
      bits = cm instanceof IndexColorModel ? cm.getPixelSize() : cm.getComponentSize(0);
      mode = modeOf(cm);
    }
    int orientation = jpeg == null ? 1 : jpeg.orientation();
    boolean named = file == null || format.matchesExtension(file.getFileName().toString());
    return new ImageInfo(format.id, width, height, mode, bits, orientation, size, named);
  }

  private ColorModel rawColorModel() {
    try {
      ImageTypeSpecifier t = reader.getRawImageType(0);
      if (t == null) t = reader.getImageTypes(0).next();
      return t.getColorModel();
    } catch (IOException | RuntimeException e) {
      throw failure(e);
    }
  }

  private static String modeOf(ColorModel cm) {
    if (cm instanceof IndexColorModel) return "palette";
    boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    if (gray) return cm.hasAlpha() ? "gray+alpha" : "gray";
    return cm.hasAlpha() ? "rgba" : "rgb";
  }

  /**
   * Decodes the first image and turns it upright. Truncated pixel data is an error even where the
   * decoder would fill the rest with gray and only warn (JPEG's "premature end of data segment").
   */
  BufferedImage decode() {
    if (format == ImageFormat.PNG) verifyPngChunks();
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    BufferedImage img;
    try {
      img = reader.read(0);
    } catch (IOException | RuntimeException e) {
      throw failure(e);
    } catch (OutOfMemoryError e) { // a crafted file can make a decoder allocate far beyond w*h
      throw error("out of memory decoding " + width + "x" + height + " pixels", e);
    }
    for (String w : warnings) {
      if (w.toLowerCase(Locale.ROOT).contains("premature end")) {
        throw error("truncated (" + oneLine(w) + ")");
      }
    }
    if (img == null) throw error("decoded to nothing");
    return jpeg == null ? img : Orientation.apply(img, jpeg.orientation());
  }

  /**
   * Refuses a PNG whose chunk CRCs (over type and data) do not match, as libpng and Pillow do;
   * ImageIO's reader skips the check and would decode damaged pixel data silently. A file that ends
   * inside a chunk is left to the decoder, which reports it as truncated.
   */
  private void verifyPngChunks() {
    try (DataInputStream s =
        new DataInputStream(
            new BufferedInputStream(
                file != null ? Files.newInputStream(file) : new ByteArrayInputStream(bytes),
                1 << 16))) {
      s.skipNBytes(8); // the signature, already checked
      long at = 8;
      byte[] type = new byte[4];
      byte[] buf = new byte[1 << 14];
      CRC32 crc = new CRC32();
      while (true) {
        int length;
        try {
          length = s.readInt();
          s.readFully(type);
        } catch (EOFException e) {
          return;
        }
        if (length < 0) return; // not a PNG length: the decoder names the damage
        crc.reset();
        crc.update(type);
        for (int left = length; left > 0; ) {
          int n = s.read(buf, 0, Math.min(buf.length, left));
          if (n < 0) return;
          crc.update(buf, 0, n);
          left -= n;
        }
        int stored;
        try {
          stored = s.readInt();
        } catch (EOFException e) {
          return;
        }
        String name = chunkName(type);
        if ((int) crc.getValue() != stored)
          throw error("damaged PNG: CRC mismatch in " + name + " chunk at byte " + at);
        if (name.equals("IEND")) return;
        at += 12L + length;
      }
    } catch (IOException e) {
      throw failure(e);
    }
  }

  private static String chunkName(byte[] type) {
    for (byte b : type) {
      if (!(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'))
        return "0x" + java.util.HexFormat.of().formatHex(type);
    }
    return new String(type, java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    reader.dispose();
    try {
      in.close();
    } catch (IOException e) {
      // read-only file: nothing was lost
    }
  }

  /** A new reader for {@code format} from the provider {@link #readerSpiFor} chooses. */
  static ImageReader readerFor(ImageFormat format) throws IOException {
    return readerSpiFor(format).createReaderInstance();
  }

  /**
   * The installed reader provider for {@code format}, preferring TwelveMonkeys' (which reads CMYK,
   * YCCK and many damaged JPEGs that the JDK's refuses) whatever order the registry lists them in;
   * among the others, the registry's order.
   */
  static ImageReaderSpi readerSpiFor(ImageFormat format) {
    Iterator<ImageReaderSpi> spis =
        IIORegistry.getDefaultInstance()
            .getServiceProviders(ImageReaderSpi.class, s -> reads(s, format), true);
    ImageReaderSpi best = null;
    while (spis.hasNext()) {
      ImageReaderSpi s = spis.next();
      if (best == null || isTwelveMonkeys(s) && !isTwelveMonkeys(best)) best = s;
    }
    if (best == null) throw new ImgclassException("no ImageIO reader installed for " + format.id);
    return best;
  }

  private static boolean reads(Object spi, ImageFormat format) {
    for (String name : ((ImageReaderSpi) spi).getFormatNames()) {
      if (name.equalsIgnoreCase(format.id)) return true;
    }
    return false;
  }

  private static boolean isTwelveMonkeys(ImageReaderSpi spi) {
    return spi.getPluginClassName().startsWith("com.twelvemonkeys.");
  }

  /** A decoder's exception as this file's error, saying "truncated" when the file was cut. */
  private ImgclassException failure(Throwable e) {
    if (format == null) return error(oneLine(e), e);
    boolean cut = !endsCompletely();
    for (Throwable t = e; t != null && !cut; t = t.getCause()) cut = t instanceof EOFException;
    return error((cut ? "truncated (" : "corrupt " + format.id + " (") + oneLine(e) + ")", e);
  }

  private boolean endsCompletely() {
    if (bytes != null) {
      int n = (int) Math.min(size, 16);
      return format.endsCompletely(Arrays.copyOfRange(bytes, bytes.length - n, bytes.length));
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] tail = new byte[(int) Math.min(size, 16)];
      f.seek(size - tail.length);
      f.readFully(tail);
      return format.endsCompletely(tail);
    } catch (IOException e) {
      return false;
    }
  }

  private ImgclassException error(String reason) {
    return error(reason, null);
  }

  /** {@code cause}, when given, is kept for {@code --verbose}; the message stands on its own. */
  private ImgclassException error(String reason, Throwable cause) {
    return new ImgclassException("cannot read image " + name + ": " + reason, cause);
  }

  /** The messages of {@code e} and its causes on one line, without repeats. */
  private static String oneLine(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (sb.indexOf(m) < 0) sb.append(sb.length() == 0 ? "" : ": ").append(m);
    }
    return oneLine(sb.toString());
  }

  private static String oneLine(String s) {
    String flat = s.replaceAll("\\s+", " ").strip();
    return flat.length() <= 200 ? flat : flat.substring(0, 197) + "...";
  }
}
