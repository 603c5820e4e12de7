package dev.imgclass.serve;

import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The asynchronous path every inference request takes once its body is read: parse or decode on the
 * bounded decode pool, queue for the model's batcher, build the response on the response pool
 * (never on the inference thread), then release the model version. Whatever fails becomes the
 * protocol's JSON error; the HTTP thread is free while the request waits.
 */
final class Pipeline {
  /** A request ready for the batcher: its images (n, C, S, S) and how to answer their logits. */
  record Prepared(float[] input, int n, Function<float[][], Reply> respond) {}

  /**
   * A finished answer: JSON when {@code jsonLength} is negative, else a binary tensor data reply
   * (KServe V2 extension) whose first {@code jsonLength} bytes are its JSON header.
   */
  record Reply(byte[] body, int jsonLength) {
    static Reply json(byte[] body) {
      return new Reply(body, -1);
    }
  }

  private final ExecutorService decodePool;
  private final ExecutorService responsePool;
  private final ServeMetrics metrics;

  Pipeline(ExecutorService decodePool, ExecutorService responsePool, ServeMetrics metrics) {
    this.decodePool = decodePool;
    this.responsePool = responsePool;
    this.metrics = metrics;
  }

  /** Runs one request against an acquired version, which this releases when answered. */
  void run(Context ctx, LoadedVersion lv, long deadlineNanos, Supplier<Prepared> prepare) {
    run(ctx, lv, deadlineNanos, prepare, err -> {});
  }

  /**
   * As {@link #run(Context, LoadedVersion, long, Supplier)}, telling {@code onError} of a request
   * that failed after it was accepted (decoding, queueing, inference).
   */
  void run(
      Context ctx,
      LoadedVersion lv,
      long deadlineNanos,
      Supplier<Prepared> prepare,
      java.util.function.Consumer<Throwable> onError) {
    CompletableFuture<Prepared> prepared;
    try {
      prepared =
          CompletableFuture.supplyAsync(
              () -> {
                long t0 = System.nanoTime();
                Prepared p = prepare.get();
                metrics.decode(lv.name(), System.nanoTime() - t0);
                return p;
              },
              decodePool);
    } catch (RejectedExecutionException e) {
      lv.release();
      throw HttpError.unavailable("the server is busy decoding; retry");
    }
    CompletableFuture<Void> done =
        prepared
            .thenCompose(
                p ->
                    lv.batcher()
                        .submit(p.input(), p.n(), deadlineNanos)
                        .thenApplyAsync(p.respond(), responsePool))
            .handle(
                (body, err) -> {
                  lv.release();
                  if (err == null) {
                    write(ctx, body);
                  } else {
                    Throwable t = unwrap(err);
                    // a client's bad input is not the model's failure
                    if (!(t instanceof HttpError h && h.status < 500)) onError.accept(t);
                    Routes.writeError(ctx, t);
                  }
                  return null;
                });
    ctx.future(() -> done);
  }

  /**
   * Writes a finished answer straight to the response: through {@code ctx.result} every response
   * would be copied once more through a fresh buffer.
   */
  private static void write(Context ctx, Reply reply) {
    if (reply.jsonLength() < 0) {
      ctx.status(200).contentType("application/json");
    } else {
      ctx.status(200).contentType("application/octet-stream");
      ctx.header(V2Tensors.HEADER_LENGTH, Integer.toString(reply.jsonLength()));
    }
    byte[] body = reply.body();
    ctx.res().setContentLength(body.length);
    try {
      ctx.res().getOutputStream().write(body);
    } catch (java.io.IOException e) {
      // the client went away; nothing is left to answer
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) t = t.getCause();
    return t;
  }
}
