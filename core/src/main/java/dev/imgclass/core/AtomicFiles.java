package dev.imgclass.core;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes that never leave a half-written file behind: write to a temporary file in the same folder,
 * fsync, optionally check the complete file, then rename over the target. A crash leaves either the
 * old or the new file; a failed write or check leaves the old one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** A check of a complete file before it replaces its target; throws to refuse the file. */
  @FunctionalInterface
  public interface Check {
    void accept(Path file) throws IOException;
  }

  /** Produces a file's content; may throw, and then the target is left as it was. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void write(Path target, byte[] bytes) {
    write(target, new ByteBuffer[] {ByteBuffer.wrap(bytes)});
  }

  /**
   * Writes {@code bytes} to a temporary file beside {@code target}, runs {@code check} on that
   * complete file, and only then renames it over {@code target}. When the check throws, the
   * temporary file is deleted, {@code target} (old or absent) is left as it was, and the check's
   * exception propagates.
   */
  public static void write(Path target, byte[] bytes, Check check) {
    writeWith(target, buffers(new ByteBuffer[] {ByteBuffer.wrap(bytes)}), check);
  }

  /** Writes the buffers in order as one file, atomically. */
  public static void write(Path target, ByteBuffer[] parts) {
    writeWith(target, buffers(parts), f -> {});
  }

  /**
   * Writes the buffers in order to a temporary file, runs {@code check} on it, and only then
   * renames it over {@code target}; a check that throws leaves {@code target} as it was.
   */
  public static void write(Path target, ByteBuffer[] parts, Check check) {
    writeWith(target, buffers(parts), check);
  }

  /** Writes what {@code content} streams as one file, atomically. */
  public static void write(Path target, Content content) {
    writeWith(
        target,
        ch -> {
          // not closed here: closing the stream would close the channel before its fsync
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch));
          content.writeTo(out);
          out.flush();
        },
        f -> {});
  }

  private interface ChannelWriter {
    void write(FileChannel ch) throws IOException;
  }

  private static ChannelWriter buffers(ByteBuffer[] parts) {
    return ch -> {
      for (ByteBuffer part : parts) {
        ByteBuffer b = part.duplicate();
        while (b.hasRemaining()) ch.write(b);
      }
    };
  }

  private static void writeWith(Path target, ChannelWriter writer, Check check) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      readableByAll(tmp); // temp files start as rw-------; models are meant to be shared
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        writer.write(ch);
        ch.force(true);
      }
      check.accept(tmp);
      move(tmp, target);
      fsyncDir(dir);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new ImgclassException("cannot write " + target + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(tmp); // the content or the check failed: the target stays as it was
      throw e;
    }
  }

  private static void readableByAll(Path p) {
    try {
      Files.setPosixFilePermissions(
          p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException | UnsupportedOperationException ignored) {
      // not a POSIX file system: keep its defaults
    }
  }

  /** Renames {@code from} to {@code to} atomically where the file system allows it. */
  public static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes a rename durable: fsync of the folder that holds it (best effort). */
  public static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // some file systems cannot open folders; the rename itself is still atomic
    }
  }

  /**
   * Deletes {@code p} if it exists, ignoring failures: clean-up after an error already reported.
   */
  public static void deleteQuietly(Path p) {
    if (p == null) return;
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort clean-up of a temp file after a failure already reported
    }
  }
}
