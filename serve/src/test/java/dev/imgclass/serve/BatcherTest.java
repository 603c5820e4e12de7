package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.Classifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatcherTest {
  static final long FAR = TimeUnit.SECONDS.toNanos(60);

  /** Answers each image with its own first value; records batch sizes; can be held shut. */
  static class Echo implements Classifier {
    final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch gate;
    final ModelSpec spec =
        new ModelSpec("echo", List.of("a", "b"), 1, 8, List.of(0.0), List.of(1.0));

    Echo(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public ModelSpec spec() {
      return spec;
    }

    @Override
    public float[][] logits(float[] x, int n) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      batches.add(n);
      float[][] out = new float[n][];
      for (int i = 0; i < n; i++) out[i] = new float[] {x[i * 64], -x[i * 64]};
      return out;
    }

    @Override
    public void close() {}
  }

  static ModelConfig config(int maxBatch, long delayMicros, int capacity) {
    return new ModelConfig(null, null, maxBatch, delayMicros, capacity, null, null);
  }

  static Batcher batcher(Classifier c, ModelConfig cfg) {
    return new Batcher(c, cfg, "test", new ServeMetrics(List::of).of("echo", 1));
  }

  static float[] image(float v) {
    float[] x = new float[64];
    java.util.Arrays.fill(x, v);
    return x;
  }

  @Test
  void requests_waiting_together_run_as_one_batch_and_each_gets_its_own_row() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    Echo echo = new Echo(gate);
    try (Batcher b = batcher(echo, config(8, 0, 100))) {
      // the first runs alone while the gate holds it; the next 8 queue up meanwhile
      List<CompletableFuture<float[][]>> out = new ArrayList<>();
      out.add(b.submit(image(0), 1, System.nanoTime() + FAR));
      Thread.sleep(200);
      for (int i = 1; i <= 8; i++) out.add(b.submit(image(i), 1, System.nanoTime() + FAR));
      gate.countDown();
      for (int i = 0; i < out.size(); i++)
        assertThat(out.get(i).get(10, TimeUnit.SECONDS)[0][0]).isEqualTo((float) i);
      assertThat(echo.batches).containsExactly(1, 8);
    }
  }

  @Test
  void a_lone_request_waits_at_most_the_queue_delay() throws Exception {
    Echo echo = new Echo(new CountDownLatch(0));
    try (Batcher b = batcher(echo, config(32, 20_000, 100))) {
      long t0 = System.nanoTime();
      b.submit(image(3), 1, System.nanoTime() + FAR).get(5, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isGreaterThanOrEqualTo(15).isLessThan(2_000);
      assertThat(echo.batches).containsExactly(1);
    }
  }

  @Test
  void a_request_of_several_images_is_never_split_and_a_batch_never_exceeds_the_maximum()
      throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    Echo echo = new Echo(gate);
    try (Batcher b = batcher(echo, config(4, 0, 100))) {
      CompletableFuture<float[][]> first = b.submit(image(9), 1, System.nanoTime() + FAR);
      Thread.sleep(200);
      float[] three = new float[3 * 64];
      for (int i = 0; i < 3; i++) three[i * 64] = 10 + i;
      CompletableFuture<float[][]> a = b.submit(three, 3, System.nanoTime() + FAR);
      CompletableFuture<float[][]> c = b.submit(three, 3, System.nanoTime() + FAR);
      gate.countDown();
      first.get(10, TimeUnit.SECONDS);
      assertThat(a.get(10, TimeUnit.SECONDS)).hasDimensions(3, 2);
      assertThat(c.get(10, TimeUnit.SECONDS)[2][0]).isEqualTo(12f);
      assertThat(echo.batches).containsExactly(1, 3, 3);
    }
  }

  @Test
  void a_full_queue_refuses_with_503_and_retry_after() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (Batcher b = batcher(new Echo(gate), config(1, 0, 2))) {
      b.submit(image(0), 1, System.nanoTime() + FAR);
      Thread.sleep(100); // taken by the worker, held at the gate
      b.submit(image(1), 1, System.nanoTime() + FAR);
      b.submit(image(2), 1, System.nanoTime() + FAR);
      assertThatThrownBy(() -> b.submit(image(3), 1, System.nanoTime() + FAR))
          .isInstanceOfSatisfying(
              HttpError.class,
              e -> {
                assertThat(e.status).isEqualTo(503);
                assertThat(e.retryAfterSeconds).isEqualTo("1");
              });
      gate.countDown();
    }
  }

  @Test
  void a_request_whose_deadline_passes_in_the_queue_gets_504_and_is_not_run() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    Echo echo = new Echo(gate);
    try (Batcher b = batcher(echo, config(1, 0, 10))) {
      b.submit(image(0), 1, System.nanoTime() + FAR);
      Thread.sleep(100);
      CompletableFuture<float[][]> late = b.submit(image(1), 1, System.nanoTime() + 1_000_000);
      Thread.sleep(50);
      gate.countDown();
      assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(504));
      assertThat(echo.batches).containsExactly(1);
    }
  }

  @Test
  void wrong_sizes_are_refused_before_queueing() {
    try (Batcher b = batcher(new Echo(new CountDownLatch(0)), config(4, 0, 10))) {
      assertThatThrownBy(() -> b.submit(new float[5 * 64], 5, System.nanoTime() + FAR))
          .hasMessageContaining("1 to 4");
      assertThatThrownBy(() -> b.submit(new float[3], 1, System.nanoTime() + FAR))
          .hasMessageContaining("3 values");
    }
  }

  @Test
  void an_inference_failure_fails_its_batch_with_500_and_the_batcher_goes_on() throws Exception {
    Classifier broken =
        new Echo(new CountDownLatch(0)) {
          int calls;

          @Override
          public float[][] logits(float[] x, int n) {
            if (calls++ == 0) throw new IllegalStateException("boom");
            return super.logits(x, n);
          }
        };
    try (Batcher b = batcher(broken, config(4, 0, 10))) {
      CompletableFuture<float[][]> bad = b.submit(image(1), 1, System.nanoTime() + FAR);
      assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS))
          .cause()
          .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status).isEqualTo(500));
      assertThat(b.submit(image(2), 1, System.nanoTime() + FAR).get(5, TimeUnit.SECONDS)[0][0])
          .isEqualTo(2f);
    }
  }
}
