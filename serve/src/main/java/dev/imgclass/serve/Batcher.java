package dev.imgclass.serve;

import dev.imgclass.runtime.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching for one loaded model version (Triton's dynamic batcher): requests wait on a
 * bounded queue; an inference thread takes the first, gathers more until {@code max_batch_size}
 * images or {@code max_queue_delay} since the first arrived, and runs them as one batch. A full
 * queue refuses at once (503); a request whose deadline passes while queued is answered 504 and
 * never run.
 */
final class Batcher implements AutoCloseable {
  /** One request's images, flattened (n, C, S, S), and where its logits go. */
  record Job(
      float[] input,
      int n,
      long enqueuedNanos,
      long deadlineNanos,
      CompletableFuture<float[][]> out) {}

  private final Classifier classifier;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final int inputLength;
  private final ArrayBlockingQueue<Job> queue;
  private final ServeMetrics.ModelMetrics metrics;
  private final Thread worker;
  private volatile boolean closed;
  private Job carried; // taken from the queue but did not fit the last batch (worker-owned)

  /**
   * One inference thread per loaded version: ONNX Runtime spreads each batch over its intra-op
   * threads, and a second thread on the same cores would only contend with it.
   */
  Batcher(
      Classifier classifier,
      ModelConfig config,
      String threadName,
      ServeMetrics.ModelMetrics metrics) {
    this.classifier = classifier;
    this.maxBatch = config.maxBatchSize();
    this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros());
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.metrics = metrics;
    int s = classifier.spec().inputSize();
    this.inputLength = classifier.spec().inChannels() * s * s;
    worker = new Thread(this::loop, threadName);
    worker.setDaemon(true);
    worker.start();
  }

  int maxBatch() {
    return maxBatch;
  }

  int queued() {
    return queue.size();
  }

  /**
   * Queues {@code n} images (flattened) for inference; the future completes with one row of logits
   * per image, or exceptionally with an {@link HttpError} (503 queue full, 504 deadline, 500).
   */
  CompletableFuture<float[][]> submit(float[] input, int n, long deadlineNanos) {
    if (n < 1 || n > maxBatch)
      throw HttpError.badRequest(
          "batch of " + n + " images; this model takes 1 to " + maxBatch + " per request");
    if (input.length != n * inputLength)
      throw HttpError.badRequest(
          "input has " + input.length + " values; " + n + " images need " + n * inputLength);
    if (closed) throw HttpError.unavailable("model version is unloading; retry");
    CompletableFuture<float[][]> out = new CompletableFuture<>();
    if (!queue.offer(new Job(input, n, System.nanoTime(), deadlineNanos, out)))
      throw HttpError.unavailable("the model's queue is full (" + queue.size() + " requests)");
    return out;
  }

  private void loop() {
    List<Job> batch = new ArrayList<>(maxBatch);
    while (!closed || !queue.isEmpty() || carried != null) {
      batch.clear();
      try {
        if (!gather(batch)) continue;
      } catch (InterruptedException e) {
        break;
      }
      run(batch);
    }
    failAll("model version unloaded");
  }

  /** Fills {@code batch} by Triton's rule; false when nothing arrived within a poll. */
  private boolean gather(List<Job> batch) throws InterruptedException {
    Job first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
    carried = null;
    if (first == null) return false;
    batch.add(first);
    int images = first.n();
    long until = first.enqueuedNanos() + maxDelayNanos;
    while (images < maxBatch) {
      Job next = queue.poll();
      if (next == null) {
        long wait = until - System.nanoTime();
        if (wait <= 0) break;
        next = queue.poll(wait, TimeUnit.NANOSECONDS);
        if (next == null) break;
      }
      if (images + next.n() > maxBatch) {
        carried = next;
        break;
      }
      batch.add(next);
      images += next.n();
    }
    return true;
  }

  private void run(List<Job> batch) {
    long now = System.nanoTime();
    List<Job> live = new ArrayList<>(batch.size());
    int images = 0;
    for (Job j : batch) {
      metrics.queueSeconds(now - j.enqueuedNanos());
      if (now > j.deadlineNanos()) {
        j.out().completeExceptionally(new HttpError(504, "deadline passed while queued"));
      } else {
        live.add(j);
        images += j.n();
      }
    }
    if (live.isEmpty()) return;
    float[] x;
    if (live.size() == 1) {
      x = live.get(0).input();
    } else {
      x = new float[images * inputLength];
      int at = 0;
      for (Job j : live) {
        System.arraycopy(j.input(), 0, x, at, j.input().length);
        at += j.input().length;
      }
    }
    float[][] logits;
    long t0 = System.nanoTime();
    try {
      logits = classifier.logits(x, images);
    } catch (RuntimeException e) {
      for (Job j : live)
        j.out().completeExceptionally(new HttpError(500, "inference failed: " + e.getMessage()));
      return;
    }
    metrics.batch(images, System.nanoTime() - t0);
    int row = 0;
    for (Job j : live) {
      float[][] mine = new float[j.n()][];
      for (int i = 0; i < j.n(); i++) mine[i] = logits[row++];
      j.out().complete(mine);
    }
  }

  private void failAll(String why) {
    List<Job> left = new ArrayList<>();
    if (carried != null) left.add(carried);
    carried = null;
    queue.drainTo(left);
    for (Job j : left) j.out().completeExceptionally(HttpError.unavailable(why));
  }

  /** Stops taking requests, finishes those queued, and stops the thread. */
  @Override
  public void close() {
    closed = true;
    try {
      worker.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
