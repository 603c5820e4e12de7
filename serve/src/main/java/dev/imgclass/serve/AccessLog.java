package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One JSON line per request, written by its own thread so that answering never waits for the disk:
 * request threads only offer the line to a bounded queue, and when the writer falls behind lines
 * are dropped and counted ({@code imgclass_access_log_dropped_total}) instead of slowing requests.
 */
final class AccessLog implements AutoCloseable {
  private final ArrayBlockingQueue<String> lines = new ArrayBlockingQueue<>(16_384);
  private final Writer out;
  private final Thread writer;
  private final Runnable onDrop;
  private volatile boolean closed;

  private AccessLog(Writer out, Runnable onDrop) {
    this.out = out;
    this.onDrop = onDrop;
    this.writer = new Thread(this::drain, "access-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** A log to {@code where}: a file (appended to), or {@code -} for standard output. */
  static AccessLog open(String where, Runnable onDrop) {
    try {
      Writer w =
          where.equals("-")
              ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
              : Files.newBufferedWriter(
                  Path.of(where),
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
      return new AccessLog(new BufferedWriter(w, 1 << 16), onDrop);
    } catch (IOException e) {
      throw new ImgclassException("cannot open access log " + where + ": " + e.getMessage(), e);
    }
  }

  void log(String jsonLine) {
    if (!lines.offer(jsonLine)) onDrop.run();
  }

  private void drain() {
    List<String> batch = new ArrayList<>(256);
    while (!closed || !lines.isEmpty()) {
      try {
        String first = lines.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        lines.drainTo(batch, 255);
        for (String l : batch) out.write(l + "\n");
        out.flush();
      } catch (InterruptedException e) {
        break;
      } catch (IOException e) {
        onDrop.run(); // a full disk loses log lines, never requests
      }
      batch.clear();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5_000);
      out.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // nothing more can be written
    }
  }
}
