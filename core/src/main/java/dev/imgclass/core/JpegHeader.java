package dev.imgclass.core;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * What a JPEG's segments before its first scan say: the frame header (SOF), Adobe's APP14 colour
 * transform and the EXIF orientation in APP1. Reads no entropy-coded data.
 *
 * @param components 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK or YCCK)
 * @param precision bits per sample, 8 or 12
 * @param adobeTransform APP14's transform (0 none, 1 YCbCr, 2 YCCK), -1 without an APP14 segment
 * @param orientation EXIF orientation 1–8; 1 when absent, out of range or unreadable
 */
record JpegHeader(int components, int precision, int adobeTransform, int orientation) {
  private static final Map<Integer, List<String>> SEGMENTS = new HashMap<>();

  static {
    SEGMENTS.put(JPEG.APP1, List.of("Exif"));
    SEGMENTS.put(JPEG.APP14, List.of("Adobe"));
    for (int m = JPEG.SOF0; m <= JPEG.SOF15; m++) {
      if (m != JPEG.DHT && m != JPEG.DAC && m != 0xffc8) SEGMENTS.put(m, JPEGSegmentUtil.ALL_IDS);
    }
  }

  /** Reads the segments up to the first scan; empty when there is no frame header before it. */
  static Optional<JpegHeader> read(ImageInputStream in) throws IOException {
    int components = 0;
    int precision = 0;
    int transform = -1;
    int orientation = 1;
    for (JPEGSegment s : JPEGSegmentUtil.readSegments(in, SEGMENTS)) {
      byte[] d = s.segmentData().readAllBytes();
      if (s.marker() == JPEG.APP1) {
        if (orientation == 1) orientation = exifOrientation(d);
      } else if (s.marker() == JPEG.APP14) {
        if (d.length >= 12) transform = d[11] & 0xff; // "Adobe", version, flags0, flags1, transform
      } else if (components == 0 && d.length >= 6) {
        precision = d[0] & 0xff; // then height (2 bytes), width (2), component count (1)
        components = d[5] & 0xff;
      }
    }
    if (components == 0) return Optional.empty();
    return Optional.of(new JpegHeader(components, precision, transform, orientation));
  }

  /** "gray", "rgb", "cmyk" or "ycck", as stored; the decoder turns all of them into RGB or gray. */
  String colorMode() {
    return switch (components) {
      case 1 -> "gray";
      case 3 -> "rgb";
      case 4 -> adobeTransform == 2 ? "ycck" : "cmyk";
      default -> components + " components";
    };
  }

  /**
   * The orientation tag of IFD0 in an APP1 payload ({@code "Exif\0\0"} then a TIFF structure). A
   * damaged block means "no orientation", never a failed image.
   */
  static int exifOrientation(byte[] app1) {
    if (app1.length < 14) return 1;
    byte[] tiff = Arrays.copyOfRange(app1, 6, app1.length); // TIFF offsets count from here
    try (var in = new MemoryCacheImageInputStream(new ByteArrayInputStream(tiff))) {
      Directory dir = new TIFFReader().read(in);
      if (dir instanceof CompoundDirectory c && c.directoryCount() > 0) dir = c.getDirectory(0);
      Entry e = dir.getEntryById(TIFF.TAG_ORIENTATION);
      // a damaged entry holds the exception that reading it raised as its value
      if (e != null && e.getValue() instanceof Number n && n.intValue() >= 1 && n.intValue() <= 8) {
        return n.intValue();
      }
      return 1;
    } catch (IOException | RuntimeException e) {
      return 1;
    }
  }
}
