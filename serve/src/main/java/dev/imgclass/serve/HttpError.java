package dev.imgclass.serve;

import dev.imgclass.core.ImgclassException;

/**
 * A request that fails with a given HTTP status; its message is the one line the client reads in
 * the protocol's error body. Nothing else about the failure (no stack trace, no class name) is
 * sent.
 */
final class HttpError extends ImgclassException {
  private static final long serialVersionUID = 1L;

  final int status;
  final transient String retryAfterSeconds; // for 503, or null

  HttpError(int status, String message) {
    this(status, message, null);
  }

  HttpError(int status, String message, String retryAfterSeconds) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  static HttpError notFound(String message) {
    return new HttpError(404, message);
  }

  static HttpError unavailable(String message) {
    return new HttpError(503, message, "1");
  }
}
