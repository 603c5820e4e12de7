package dev.imgclass.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The picture formats imgclass reads, recognised by their first bytes: the content decides, never
 * the file name.
 */
enum ImageFormat {
  PNG(
      "png",
      List.of("png"),
      new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
      new byte[] {'I', 'E', 'N', 'D', (byte) 0xae, 0x42, 0x60, (byte) 0x82}),
  JPEG(
      "jpeg",
      List.of("jpg", "jpeg", "jpe", "jfif"),
      new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff},
      new byte[] {(byte) 0xff, (byte) 0xd9}),
  GIF("gif", List.of("gif"), new byte[] {'G', 'I', 'F', '8'}, new byte[] {0x3b}),
  BMP("bmp", List.of("bmp", "dib"), new byte[] {'B', 'M'}, new byte[0]);

  /** Bytes {@link #sniff} needs to tell the formats apart, and to read a PNG's IHDR. */
  static final int HEAD_BYTES = 32;

  /** Lower-case name, also the ImageIO format name. */
  final String id;

  private final List<String> extensions;
  private final byte[] magic;
  private final byte[] trailer;

  ImageFormat(String id, List<String> extensions, byte[] magic, byte[] trailer) {
    this.id = id;
    this.extensions = extensions;
    this.magic = magic;
    this.trailer = trailer;
  }

  /** The format whose signature starts {@code head}, which holds the file's first bytes. */
  static Optional<ImageFormat> sniff(byte[] head) {
    for (ImageFormat f : values()) {
      if (head.length >= f.magic.length
          && Arrays.equals(head, 0, f.magic.length, f.magic, 0, f.magic.length)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code tail}, a file's last bytes, ends as a complete file of this format does (PNG's
   * IEND chunk, JPEG's EOI marker, GIF's trailer). Used only to explain a failure: readers tolerate
   * a missing end when the pixel data is complete.
   */
  boolean endsCompletely(byte[] tail) {
    int from = tail.length - trailer.length;
    return from >= 0 && Arrays.equals(tail, from, tail.length, trailer, 0, trailer.length);
  }

  /** Whether {@code fileName}'s extension is one this format is known by (case-insensitive). */
  boolean matchesExtension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot >= 0 && extensions.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
