package dev.imgclass.serve;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Reading request bodies within limits: a declared length above the limit is refused before a byte
 * is read (413), a body that grows past it is cut off (413), and one that arrives too slowly — a
 * slowloris client trickling bytes to hold a thread — is answered 408 once the whole body has taken
 * longer than the body timeout.
 */
final class Bodies {
  private Bodies() {}

  static byte[] read(Context ctx, long maxBytes, long timeoutMs) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) throw tooLarge(declared, maxBytes);
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    try {
      InputStream in = ctx.req().getInputStream();
      if (declared >= 0) return readDeclared(in, (int) declared, deadline, timeoutMs);
      ByteArrayOutputStream out = new ByteArrayOutputStream(8 << 10);
      byte[] buf = new byte[8 << 10];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        if (out.size() > maxBytes) throw tooLarge(out.size(), maxBytes);
        if (System.nanoTime() > deadline)
          throw new HttpError(
              408, "the request body took longer than " + timeoutMs + " ms to arrive");
      }
      return out.toByteArray();
    } catch (IOException e) {
      for (Throwable t = e; t != null; t = t.getCause())
        if (t instanceof TimeoutException)
          throw new HttpError(408, "the request body stopped arriving (idle timeout)");
      throw HttpError.badRequest("the request body could not be read: " + e.getMessage());
    }
  }

  /** A body of known length, read straight into an array of that size (one allocation). */
  private static byte[] readDeclared(InputStream in, int length, long deadline, long timeoutMs)
      throws IOException {
    byte[] body = new byte[length];
    int have = 0;
    while (have < length) {
      int n = in.read(body, have, length - have);
      if (n < 0)
        throw HttpError.badRequest(
            "the request body ended after " + have + " of " + length + " bytes");
      have += n;
      if (System.nanoTime() > deadline)
        throw new HttpError(
            408, "the request body took longer than " + timeoutMs + " ms to arrive");
    }
    return body;
  }

  private static HttpError tooLarge(long size, long max) {
    return new HttpError(413, "request body of " + size + " bytes is over the limit of " + max);
  }

  /** The media type without parameters, lower case; empty when absent. */
  static String mediaType(Context ctx) {
    String ct = ctx.contentType();
    if (ct == null) return "";
    int semi = ct.indexOf(';');
    return (semi < 0 ? ct : ct.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }
}
