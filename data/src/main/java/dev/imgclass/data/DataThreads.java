package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Worker threads of the input pipeline: daemons (they never keep the JVM alive), named. */
final class DataThreads {
  private DataThreads() {}

  static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "imgclass-" + prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Waits for a job; its exception comes back as thrown there. */
  static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImgclassException("interrupted while reading data");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) throw re;
      if (c instanceof Error err) throw err;
      throw new ImgclassException("data worker failed: " + c, c);
    }
  }

  /**
   * Runs {@code body} for every index in [0, n) on {@code workers} threads, in chunks; returns when
   * all are done, rethrowing the first failure.
   */
  static void parallelFor(int n, int workers, java.util.function.IntConsumer body) {
    int w = Math.max(1, workers);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(w, daemon("pool"));
    try {
      java.util.List<Future<?>> jobs = new java.util.ArrayList<>();
      int chunk = Math.max(1, n / (w * 8));
      for (int start = 0; start < n; start += chunk) {
        int s = start;
        int e = Math.min(n, start + chunk);
        jobs.add(
            pool.submit(
                () -> {
                  for (int i = s; i < e; i++) body.accept(i);
                }));
      }
      for (Future<?> f : jobs) await(f);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Default worker count: the cores this JVM may use. */
  static int defaultWorkers() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }
}
