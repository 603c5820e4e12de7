package dev.imgclass.experiments;

import java.util.Optional;

/**
 * Writes events to an {@link EventStore} off the request path: {@code offer} never blocks (a full
 * queue drops the event and counts it), one background thread stores what waits every {@code
 * flushMillis} or as soon as {@code maxBatch} events wait, in one transaction per kind.
 */
public final class EventWriter implements AutoCloseable {
  public EventWriter(EventStore store, long flushMillis, int maxBatch, int capacity) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** Queues an exposure; false (and counted as dropped) when the queue is full or closed. */
  public boolean offer(Exposure exposure) {
    throw new UnsupportedOperationException();
  }

  /** Queues feedback; false (and counted as dropped) when the queue is full or closed. */
  public boolean offer(Feedback feedback) {
    throw new UnsupportedOperationException();
  }

  /** An exposure offered but not stored yet. */
  public Optional<Exposure> pendingExposure(String requestId) {
    throw new UnsupportedOperationException();
  }

  /** Whether feedback for the request id is queued and not stored yet. */
  public boolean pendingFeedback(String requestId) {
    throw new UnsupportedOperationException();
  }

  /** Returns once everything offered before the call is stored (or failed and was counted). */
  public void flush() {
    throw new UnsupportedOperationException();
  }

  public long written() {
    throw new UnsupportedOperationException();
  }

  public long dropped() {
    throw new UnsupportedOperationException();
  }

  /** Events lost because the store refused a batch (after retries). */
  public long failed() {
    throw new UnsupportedOperationException();
  }

  /** Epoch milliseconds of the last successful flush, 0 before the first. */
  public long lastFlushMillis() {
    throw new UnsupportedOperationException();
  }

  /** Flushes what waits and stops the thread; the store stays open. */
  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }
}
