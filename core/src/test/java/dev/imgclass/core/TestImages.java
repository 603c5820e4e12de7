package dev.imgclass.core;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes picture files of every kind the decoder must handle, good and broken, for tests of any
 * module: core publishes its test classes as a test-jar, which another module uses with
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.imgclass</groupId>
 *   <artifactId>imgclass-core</artifactId>
 *   <version>${project.version}</version>
 *   <type>test-jar</type>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * Every good picture shows one checkable pattern, {@value #WIDTH}x{@value #HEIGHT}: the left half
 * red, the right half blue, and a green {@value #CORNER}x{@value #CORNER} square in the top-left
 * corner (so that rotations and mirrors can be told apart). Edges fall on JPEG's 16-pixel blocks,
 * so colours at the centre of each region survive lossy compression.
 */
public final class TestImages {
  public static final int WIDTH = 64;
  public static final int HEIGHT = 32;
  public static final int CORNER = 16;
  public static final int RED = 0xff0000;
  public static final int BLUE = 0x0000ff;
  public static final int GREEN = 0x00ff00;

  private TestImages() {}

  /** The pattern's colour at ({@code x}, {@code y}) as 0xRRGGBB. */
  public static int patternRgb(int x, int y) {
    if (x < CORNER && y < CORNER) return GREEN;
    return x < WIDTH / 2 ? RED : BLUE;
  }

  /** The pattern drawn into a new image of a {@code BufferedImage.TYPE_*}. */
  public static BufferedImage pattern(int imageType) {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, imageType);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) img.setRGB(x, y, 0xff000000 | patternRgb(x, y));
    }
    return img;
  }

  /** Writes every good and broken file into {@code dir}; keys are the file names. */
  public static Map<String, Path> writeAll(Path dir) {
    Map<String, Path> files = new LinkedHashMap<>();
    for (Path p :
        new Path[] {
          grayPng(dir),
          rgbPng(dir),
          rgbaPng(dir),
          grayAlphaPng(dir),
          palettePng(dir),
          gray16Png(dir),
          rgb16Png(dir),
          rgbJpeg(dir),
          grayJpeg(dir),
          exifJpeg(dir, 6),
          exifJpeg(dir, 3),
          corruptExifJpeg(dir),
          cmykJpeg(dir),
          ycckJpeg(dir),
          gif(dir),
          bmp(dir),
          pngNamedJpg(dir),
          emptyFile(dir),
          truncatedPng(dir),
          truncatedJpeg(dir),
          truncatedHeaderPng(dir),
          randomBytes(dir),
          textNamed(dir, "text.png"),
          textNamed(dir, "text.jpg"),
          hugePng(dir, 100_000, 100_000),
          hugeJpeg(dir, 60_000, 60_000)
        }) {
      files.put(p.getFileName().toString(), p);
    }
    return files;
  }

  // ---- good pictures ----

  /** 8-bit gray with the pattern's BT.601 luma: 76 for red, 150 for green, 29 for blue. */
  public static Path grayPng(Path dir) {
    return write(dir, "gray.png", encode(grayPattern(), "png"));
  }

  /** The pattern's luma in an 8-bit gray image, written as samples (not via sRGB conversion). */
  public static BufferedImage grayPattern() {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int rgb = patternRgb(x, y);
        img.getRaster().setSample(x, y, 0, rgb == RED ? 76 : rgb == GREEN ? 150 : 29);
      }
    }
    return img;
  }

  public static Path rgbPng(Path dir) {
    return write(dir, "rgb.png", encode(pattern(BufferedImage.TYPE_INT_RGB), "png"));
  }

  /** The pattern with its blue half at alpha 128: on white it becomes (127, 127, 255). */
  public static Path rgbaPng(Path dir) {
    BufferedImage img = pattern(BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = WIDTH / 2; x < WIDTH; x++) img.setRGB(x, y, 0x80000000 | BLUE);
    }
    return write(dir, "rgba.png", encode(img, "png"));
  }

  /** Gray 100 everywhere, alpha 0 in the left half: on white the left half is 255. */
  public static Path grayAlphaPng(Path dir) {
    BufferedImage img = components(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_BYTE);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++)
        img.getRaster().setPixel(x, y, new int[] {100, x < 32 ? 0 : 255});
    }
    return write(dir, "gray-alpha.png", encode(img, "png"));
  }

  /**
   * 2-bit palette (red, blue, green, transparent) with the bottom-right {@value #CORNER}x{@value
   * #CORNER} square transparent: white once composited.
   */
  public static Path palettePng(Path dir) {
    byte[] r = {(byte) 255, 0, 0, 0};
    byte[] g = {0, 0, (byte) 255, 0};
    byte[] b = {0, (byte) 255, 0, 0};
    byte[] a = {(byte) 255, (byte) 255, (byte) 255, 0};
    var palette = new IndexColorModel(2, 4, r, g, b, a);
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_BINARY, palette);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int rgb = patternRgb(x, y);
        int index = rgb == RED ? 0 : rgb == BLUE ? 1 : 2;
        if (x >= WIDTH - CORNER && y >= HEIGHT - CORNER) index = 3;
        img.getRaster().setSample(x, y, 0, index);
      }
    }
    return write(dir, "palette.png", encode(img, "png"));
  }

  /** 16-bit gray: 0xABCD in the left half, 0x12FF in the right half. */
  public static Path gray16Png(Path dir) {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) img.getRaster().setSample(x, y, 0, x < 32 ? 0xabcd : 0x12ff);
    }
    return write(dir, "gray16.png", encode(img, "png"));
  }

  /**
   * 16-bit RGB pattern whose low bytes are all 0xC3, so that an 8-bit reading by high byte gives
   * exactly the pattern's colours (scaling by 255/65535 would give 1 instead of 0).
   */
  public static Path rgb16Png(Path dir) {
    BufferedImage img = components(ColorSpace.CS_sRGB, false, DataBuffer.TYPE_USHORT);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int c = patternRgb(x, y);
        int[] px = {(c >> 16) << 8 | 0xc3, (c >> 8 & 0xff) << 8 | 0xc3, (c & 0xff) << 8 | 0xc3};
        img.getRaster().setPixel(x, y, px);
      }
    }
    return write(dir, "rgb16.png", encode(img, "png"));
  }

  public static Path rgbJpeg(Path dir) {
    return write(dir, "rgb.jpg", jpeg(pattern(BufferedImage.TYPE_INT_RGB)));
  }

  public static Path grayJpeg(Path dir) {
    return write(dir, "gray.jpg", jpeg(grayPattern()));
  }

  /**
   * The pattern stored as is, with an APP1 EXIF block whose IFD0 holds only the orientation tag.
   * Orientation 6 means "rotate 90° clockwise to display": the green corner ends top-right.
   */
  public static Path exifJpeg(Path dir, int orientation) {
    byte[] tiff = tiffWithOrientation(orientation);
    return write(dir, "exif" + orientation + ".jpg", withApp1(rgbJpegBytes(), exif(tiff)));
  }

  /** EXIF orientation 6 in an IFD that the header places beyond the end of the block. */
  public static Path corruptExifJpeg(Path dir) {
    byte[] tiff = tiffWithOrientation(6);
    tiff[4] = 0x7f; // IFD0 offset 0x7f000008
    return write(dir, "exif-corrupt.jpg", withApp1(rgbJpegBytes(), exif(tiff)));
  }

  /**
   * Adobe-style (inverted) CMYK JPEG made by Pillow, a resource of this jar; see {@code
   * images/README.md}. The JDK's own JPEG reader refuses it.
   */
  public static Path cmykJpeg(Path dir) {
    try (InputStream in = TestImages.class.getResourceAsStream("/images/cmyk.jpg")) {
      if (in == null) throw new IllegalStateException("resource /images/cmyk.jpg is missing");
      return write(dir, "cmyk.jpg", in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * YCCK JPEG (Adobe APP14 transform 2) written by the JDK's encoder, which stores a raster's
   * samples as given: each pixel is Y, Cb, Cr of the ink's (C, M, Y) and the inverted K, the way
   * Adobe applications store CMYK.
   */
  public static Path ycckJpeg(Path dir) {
    WritableRaster ycck =
        Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, WIDTH, HEIGHT, 4, null);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int rgb = patternRgb(x, y); // pure colours: inks C, M, Y = 255 - R, G, B, and no K
        int c = 255 - (rgb >> 16);
        int m = 255 - (rgb >> 8 & 0xff);
        int ye = 255 - (rgb & 0xff);
        double luma = 0.299 * c + 0.587 * m + 0.114 * ye;
        double cb = 128 - 0.168736 * c - 0.331264 * m + 0.5 * ye;
        double cr = 128 + 0.5 * c - 0.418688 * m - 0.081312 * ye;
        ycck.setPixel(x, y, new int[] {clamp(luma), clamp(cb), clamp(cr), 255});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    var cmykType =
        ImageTypeSpecifier.createInterleaved(
            new CmykSpace(), new int[] {0, 1, 2, 3}, DataBuffer.TYPE_BYTE, false, false);
    ImageWriteParam param = writer.getDefaultWriteParam();
    IIOMetadata meta = writer.getDefaultImageMetadata(cmykType, param); // APP14 transform 2
    return write(dir, "ycck.jpg", writeWith(writer, new IIOImage(ycck, null, meta), param));
  }

  public static Path gif(Path dir) {
    return write(dir, "indexed.gif", encode(pattern(BufferedImage.TYPE_BYTE_INDEXED), "gif"));
  }

  public static Path bmp(Path dir) {
    return write(dir, "rgb.bmp", encode(pattern(BufferedImage.TYPE_INT_RGB), "bmp"));
  }

  /** A good PNG whose name says JPEG: the content decides, so it decodes. */
  public static Path pngNamedJpg(Path dir) {
    return write(dir, "png-named.jpg", encode(pattern(BufferedImage.TYPE_INT_RGB), "png"));
  }

  // ---- broken files ----

  public static Path emptyFile(Path dir) {
    return write(dir, "empty.png", new byte[0]);
  }

  /** A 128x128 noise PNG cut in the middle of its IDAT chunk. */
  public static Path truncatedPng(Path dir) {
    byte[] png = encode(noise(), "png");
    return write(dir, "truncated.png", Arrays.copyOf(png, png.length / 2));
  }

  /** A 128x128 noise JPEG cut in the middle of its scan: decoders warn and fill the rest gray. */
  public static Path truncatedJpeg(Path dir) {
    byte[] jpg = jpeg(noise());
    return write(dir, "truncated.jpg", Arrays.copyOf(jpg, jpg.length / 2));
  }

  /**
   * A 64x64 gradient PNG with one bit of its IDAT data flipped, at the first place (from the end)
   * where the JDK's PNG reader, which ignores chunk CRCs, still decodes the file without a word.
   */
  public static Path crcDamagedPng(Path dir) {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4 << 16) | (y * 4 << 8));
    }
    byte[] png = encode(img, "png");
    int idat = idatOffset(png);
    int length = ByteBuffer.wrap(png, idat, 4).getInt();
    for (int i = idat + 8 + length - 1; i >= idat + 8; i--) {
      byte[] damaged = png.clone();
      damaged[i] ^= 0x01;
      try {
        if (ImageIO.read(new java.io.ByteArrayInputStream(damaged)) != null)
          return write(dir, "crc-damaged.png", damaged);
      } catch (IOException | RuntimeException refused) {
        // this flip the reader notices (a zlib error): try the next byte
      }
    }
    throw new IllegalStateException("every one-bit flip of the IDAT data fails to decode");
  }

  /** Where the first IDAT chunk starts (its length field) in a PNG file's bytes. */
  public static int idatOffset(byte[] png) {
    int at = 8;
    while (at + 8 <= png.length) {
      int length = ByteBuffer.wrap(png, at, 4).getInt();
      if (new String(png, at + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) return at;
      at += 12 + length;
    }
    throw new IllegalArgumentException("no IDAT chunk");
  }

  /** The PNG signature and half of the IHDR chunk. */
  public static Path truncatedHeaderPng(Path dir) {
    byte[] png = encode(pattern(BufferedImage.TYPE_INT_RGB), "png");
    return write(dir, "truncated-header.png", Arrays.copyOf(png, 20));
  }

  /** 4 KiB of seeded random bytes named .jpg. */
  public static Path randomBytes(Path dir) {
    byte[] bytes = new byte[4096];
    new SplittableRandom(7).nextBytes(bytes);
    return write(dir, "random.jpg", bytes);
  }

  /** A text file with an image's name. */
  public static Path textNamed(Path dir, String name) {
    return write(dir, name, "this is not a picture\n".getBytes(StandardCharsets.UTF_8));
  }

  /** A PNG of one IHDR chunk (8-bit RGB, valid CRC) claiming {@code width}x{@code height}. */
  public static Path hugePng(Path dir, int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put(new byte[] {8, 2, 0, 0, 0}); // depth, colour type RGB, deflate, filter, no interlace
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    out.writeBytes(pngChunk("IHDR", ihdr.array()));
    out.writeBytes(pngChunk("IEND", new byte[0]));
    return write(dir, "huge-" + width + "x" + height + ".png", out.toByteArray());
  }

  /**
   * A valid small JPEG whose frame header (SOF0) is patched to claim {@code width}x{@code height}.
   */
  public static Path hugeJpeg(Path dir, int width, int height) {
    byte[] jpg = rgbJpegBytes();
    int sof = segment(jpg, 0xc0);
    ByteBuffer.wrap(jpg, sof + 5, 4).putShort((short) height).putShort((short) width);
    return write(dir, "huge-" + width + "x" + height + ".jpg", jpg);
  }

  // ---- helpers ----

  private static byte[] rgbJpegBytes() {
    return jpeg(pattern(BufferedImage.TYPE_INT_RGB));
  }

  private static BufferedImage noise() {
    BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
    SplittableRandom rng = new SplittableRandom(3);
    for (int y = 0; y < 128; y++) {
      for (int x = 0; x < 128; x++) img.setRGB(x, y, rng.nextInt());
    }
    return img;
  }

  private static BufferedImage components(int space, boolean alpha, int dataType) {
    ColorSpace cs = ColorSpace.getInstance(space);
    int[] bits = new int[cs.getNumComponents() + (alpha ? 1 : 0)];
    Arrays.fill(bits, DataBuffer.getDataTypeSize(dataType));
    int transparency = alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE;
    var cm = new ComponentColorModel(cs, bits, alpha, false, transparency, dataType);
    return new BufferedImage(cm, cm.createCompatibleWritableRaster(WIDTH, HEIGHT), false, null);
  }

  private static byte[] encode(BufferedImage img, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(img, format, out))
        throw new IllegalStateException("no " + format + " writer");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Baseline JPEG at quality 0.95. */
  private static byte[] jpeg(BufferedImage img) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.95f);
    return writeWith(writer, new IIOImage(img, null, null), param);
  }

  private static byte[] writeWith(ImageWriter writer, IIOImage image, ImageWriteParam param) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** A big-endian TIFF header and an IFD0 holding one entry: orientation (274), SHORT. */
  private static byte[] tiffWithOrientation(int orientation) {
    return ByteBuffer.allocate(26)
        .put(new byte[] {'M', 'M', 0, 42})
        .putInt(8) // IFD0 offset
        .putShort((short) 1) // entries
        .putShort((short) 274)
        .putShort((short) 3) // SHORT
        .putInt(1) // count
        .putShort((short) orientation)
        .putShort((short) 0) // padding of the 4-byte value field
        .putInt(0) // no next IFD
        .array();
  }

  /** An APP1 segment: marker, length, "Exif\0\0", TIFF structure. */
  private static byte[] exif(byte[] tiff) {
    return ByteBuffer.allocate(4 + 6 + tiff.length)
        .putShort((short) 0xffe1)
        .putShort((short) (2 + 6 + tiff.length))
        .put(new byte[] {'E', 'x', 'i', 'f', 0, 0})
        .put(tiff)
        .array();
  }

  /** {@code jpg} with {@code app1} inserted after SOI and, when present, the JFIF APP0 segment. */
  private static byte[] withApp1(byte[] jpg, byte[] app1) {
    int at = 2;
    if ((jpg[2] & 0xff) == 0xff && (jpg[3] & 0xff) == 0xe0) {
      at = 4 + ((jpg[4] & 0xff) << 8 | (jpg[5] & 0xff));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpg, 0, at);
    out.writeBytes(app1);
    out.write(jpg, at, jpg.length - at);
    return out.toByteArray();
  }

  /** Offset of the first marker {@code 0xFF code} among the segments after SOI. */
  private static int segment(byte[] jpg, int code) {
    int at = 2;
    while (at + 4 <= jpg.length && (jpg[at] & 0xff) == 0xff) {
      if ((jpg[at + 1] & 0xff) == code) return at;
      at += 2 + ((jpg[at + 2] & 0xff) << 8 | (jpg[at + 3] & 0xff));
    }
    throw new IllegalStateException("no marker " + Integer.toHexString(code));
  }

  private static byte[] pngChunk(String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length)
        .put(name)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }

  private static int clamp(double v) {
    return (int) Math.max(0, Math.min(255, Math.round(v)));
  }

  private static Path write(Path dir, String name, byte[] bytes) {
    try {
      return Files.write(Files.createDirectories(dir).resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The least a CMYK colour space needs to be for the JPEG writer to choose YCCK. */
  private static final class CmykSpace extends ColorSpace {
    private static final long serialVersionUID = 1L;

    CmykSpace() {
      super(TYPE_CMYK, 4);
    }

    @Override
    public float[] toRGB(float[] v) {
      return new float[] {
        (1 - v[0]) * (1 - v[3]), (1 - v[1]) * (1 - v[3]), (1 - v[2]) * (1 - v[3])
      };
    }

    /** Naive RGB to CMYK: K from the brightest channel, C, M, Y from what remains. */
    @Override
    public float[] fromRGB(float[] rgb) {
      float k = 1 - Math.max(rgb[0], Math.max(rgb[1], rgb[2]));
      if (k >= 1) return new float[] {0, 0, 0, 1};
      return new float[] {
        (1 - rgb[0] - k) / (1 - k), (1 - rgb[1] - k) / (1 - k), (1 - rgb[2] - k) / (1 - k), k
      };
    }

    @Override
    public float[] toCIEXYZ(float[] v) {
      return ColorSpace.getInstance(CS_sRGB).toCIEXYZ(toRGB(v));
    }

    @Override
    public float[] fromCIEXYZ(float[] xyz) {
      return fromRGB(ColorSpace.getInstance(CS_sRGB).fromCIEXYZ(xyz));
    }
  }
}
