package dev.imgclass.experiments;

import dev.imgclass.core.ImgclassException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes events to an {@link EventStore} off the request path: {@code offer} never blocks (a full
 * queue drops the event and counts it), one background thread stores what waits every {@code
 * flushMillis} or as soon as {@code maxBatch} events wait, in one transaction per kind.
 *
 * <p>Each write takes at most {@code maxBatch} events in the order offered and stores their
 * exposures, then their feedback. A batch the store refuses is retried three times (20, 100 and 400
 * ms apart), then counted in {@link #failed()} and reported in one line on standard error; the
 * thread goes on. Until its batch is stored (or failed) an event is visible through {@link
 * #pendingExposure} and {@link #pendingFeedback}.
 */
public final class EventWriter implements AutoCloseable {
  private static final long[] RETRY_BACKOFF_MILLIS = {20, 100, 400};

  private final EventStore store;
  private final long flushNanos;
  private final int maxBatch;
  private final int capacity;
  private final Thread thread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition(); // the writer thread waits on it
  private final Condition progress = lock.newCondition(); // flush() waits on it
  private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by lock
  private long accepted; // guarded by lock: events ever queued
  private long completed; // guarded by lock: events taken and stored or failed
  private long flushTarget; // guarded by lock: the highest count of accepted a flush() waits for
  private boolean closed; // guarded by lock

  private final ConcurrentHashMap<String, Exposure> pendingExposures = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Feedback> pendingFeedback = new ConcurrentHashMap<>();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile long lastFlushMillis;

  /**
   * Starts the writer thread ({@code imgclass-events}, a daemon).
   *
   * @param store where events go; {@link #close()} leaves it open
   * @param flushMillis the longest an event waits before a write starts, at least 1
   * @param maxBatch events that start a write at once, and the most one write takes; at least 1
   * @param capacity events that may wait (exposures and feedback together), at least {@code
   *     maxBatch}
   */
  public EventWriter(EventStore store, long flushMillis, int maxBatch, int capacity) {
    this.store = Objects.requireNonNull(store, "store");
    if (flushMillis < 1)
      throw new IllegalArgumentException("flushMillis must be at least 1, got " + flushMillis);
    if (maxBatch < 1)
      throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
    if (capacity < maxBatch)
      throw new IllegalArgumentException(
          "capacity must be at least maxBatch (" + maxBatch + "), got " + capacity);
    this.flushNanos = TimeUnit.MILLISECONDS.toNanos(flushMillis);
    this.maxBatch = maxBatch;
    this.capacity = capacity;
    this.thread = new Thread(this::run, "imgclass-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues an exposure; false (and counted as dropped) when the queue is full or closed. */
  public boolean offer(Exposure exposure) {
    Objects.requireNonNull(exposure.requestId(), "exposure without a request id");
    lock.lock();
    try {
      if (!admit()) return false;
      pendingExposures.put(exposure.requestId(), exposure);
      enqueue(exposure);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Queues feedback; false (and counted as dropped) when the queue is full or closed. */
  public boolean offer(Feedback feedback) {
    Objects.requireNonNull(feedback.requestId(), "feedback without a request id");
    lock.lock();
    try {
      if (!admit()) return false;
      pendingFeedback.put(feedback.requestId(), feedback);
      enqueue(feedback);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean admit() {
    if (closed || queue.size() >= capacity) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  private void enqueue(Object event) {
    queue.add(event);
    accepted++;
    if (queue.size() == maxBatch) work.signal();
  }

  /** An exposure offered but not stored yet. */
  public Optional<Exposure> pendingExposure(String requestId) {
    return Optional.ofNullable(pendingExposures.get(requestId));
  }

  /** Whether feedback for the request id is queued and not stored yet. */
  public boolean pendingFeedback(String requestId) {
    return pendingFeedback.containsKey(requestId);
  }

  /**
   * Returns once everything offered before the call is stored (or failed and was counted). An
   * interrupt does not cut the wait short; the thread's interrupt status is kept.
   */
  public void flush() {
    if (Thread.currentThread() == thread)
      throw new IllegalStateException("flush() called from the writer thread");
    boolean interrupted = false;
    lock.lock();
    try {
      long target = accepted;
      if (completed >= target) return;
      if (target > flushTarget) flushTarget = target;
      work.signal();
      while (completed < target && thread.isAlive()) {
        try {
          progress.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      lock.unlock();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /** Events in batches the store committed (duplicates it skipped included). */
  public long written() {
    return written.get();
  }

  /** Events refused because the queue was full or the writer closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Events lost because the store refused a batch (after retries). */
  public long failed() {
    return failed.get();
  }

  /** Epoch milliseconds of the last successful flush, 0 before the first. */
  public long lastFlushMillis() {
    return lastFlushMillis;
  }

  /** Flushes what waits and stops the thread; the store stays open. A second call does nothing. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      work.signal();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() == thread) return;
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  private void run() {
    while (true) {
      List<Object> batch = take();
      if (batch == null) return;
      try {
        store(batch);
      } finally {
        lock.lock();
        try {
          completed += batch.size();
          progress.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Waits for the next write: up to maxBatch events in order, or null once closed and empty. */
  private List<Object> take() {
    lock.lock();
    try {
      while (true) {
        long deadline = System.nanoTime() + flushNanos;
        while (!closed && queue.size() < maxBatch && flushTarget <= completed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          try {
            work.awaitNanos(left);
          } catch (InterruptedException e) {
            // only close() stops this thread
          }
        }
        if (!queue.isEmpty()) {
          int n = Math.min(maxBatch, queue.size());
          List<Object> batch = new ArrayList<>(n);
          for (int i = 0; i < n; i++) batch.add(queue.poll());
          return batch;
        }
        if (closed) return null;
      }
    } finally {
      lock.unlock();
    }
  }

  private void store(List<Object> batch) {
    List<Exposure> exposures = new ArrayList<>();
    List<Feedback> feedback = new ArrayList<>();
    for (Object event : batch) {
      if (event instanceof Exposure e) exposures.add(e);
      else feedback.add((Feedback) event);
    }
    boolean ok = true;
    if (!exposures.isEmpty()) {
      ok &= storeWithRetry("exposures", exposures, store::insertExposures);
      for (Exposure e : exposures) pendingExposures.remove(e.requestId(), e);
    }
    if (!feedback.isEmpty()) {
      ok &= storeWithRetry("feedback", feedback, store::insertFeedback);
      for (Feedback f : feedback) pendingFeedback.remove(f.requestId(), f);
    }
    if (ok) lastFlushMillis = System.currentTimeMillis();
  }

  private <T> boolean storeWithRetry(String kind, List<T> events, Consumer<List<T>> insert) {
    for (int attempt = 0; ; attempt++) {
      try {
        insert.accept(events);
        written.addAndGet(events.size());
        return true;
      } catch (Throwable e) {
        if (attempt == RETRY_BACKOFF_MILLIS.length) {
          failed.addAndGet(events.size());
          System.err.println(
              "imgclass: events: "
                  + events.size()
                  + " "
                  + kind
                  + " lost, the store refused them "
                  + (attempt + 1)
                  + " times: "
                  + describe(e));
          return false;
        }
        sleep(RETRY_BACKOFF_MILLIS[attempt]);
      }
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof ImgclassException || e.getMessage() == null) return JdbcEventStore.oneLine(e);
    return e.getClass().getSimpleName() + ": " + JdbcEventStore.oneLine(e);
  }

  private static void sleep(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        // only close() stops this thread
      }
    }
  }
}
