package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (plain or gzipped): a big-endian magic number
 * whose low bytes give the element type (0x08 = unsigned byte) and dimension count, the dimensions,
 * then the data. Truncated files and wrong magic numbers are refused with the file name and what
 * was expected.
 */
public final class IdxReader {
  private static final long MAX_BYTES = 2L << 30;

  private IdxReader() {}

  /** An unsigned-byte IDX array. */
  public record Idx(int[] dims, byte[] data) {}

  public static Idx read(Path file, int expectedDims) {
    byte[] raw = readMaybeGzip(file);
    if (raw.length < 4)
      throw new ImgclassException(
          "IDX file " + file + " is truncated: " + raw.length + " bytes, no header");
    ByteBuffer b = ByteBuffer.wrap(raw);
    int magic = b.getInt();
    int type = (magic >>> 8) & 0xff;
    int nd = magic & 0xff;
    if ((magic >>> 16) != 0 || type != 0x08 || nd != expectedDims) {
      throw new ImgclassException(
          String.format(
              "wrong IDX magic number 0x%08x in %s: expected 0x%08x (unsigned bytes, %d dimensions)",
              magic, file, 0x0800 | expectedDims, expectedDims));
    }
    if (raw.length < 4 + 4 * nd)
      throw new ImgclassException("IDX file " + file + " is truncated inside its header");
    int[] dims = new int[nd];
    long total = 1;
    for (int i = 0; i < nd; i++) {
      dims[i] = b.getInt();
      if (dims[i] < 0)
        throw new ImgclassException("IDX file " + file + " has a negative dimension");
      total *= dims[i];
    }
    long have = raw.length - (4L + 4L * nd);
    if (have < total) {
      throw new ImgclassException(
          "IDX file "
              + file
              + " is truncated: header promises "
              + total
              + " bytes of data, file holds "
              + have);
    }
    byte[] data = new byte[(int) total];
    b.get(data);
    return new Idx(dims, data);
  }

  static byte[] readMaybeGzip(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      boolean gz = head.length == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
      if (!gz) return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImgclassException("IDX file not found: " + file);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_BYTES)
          throw new ImgclassException("IDX file " + file + " unpacks to more than 2 GiB");
      }
      return out.toByteArray();
    } catch (java.io.EOFException e) {
      throw new ImgclassException("IDX file " + file + " is truncated: the gzip stream ends early");
    } catch (IOException e) {
      throw new ImgclassException("IDX file " + file + " is not valid gzip: " + e.getMessage(), e);
    }
  }
}
