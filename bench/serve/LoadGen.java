import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed rate (run with {@code java bench/serve/LoadGen.java ...}): requests are
 * sent on a fixed schedule whatever the server does, and each latency is measured from the time
 * the request was due, so a stall shows up in every request it delays (no coordinated omission).
 * Prints one JSON line: sent, ok, errors by status, achieved rate, latency percentiles in ms.
 *
 * <p>Arguments: URL BODY_FILE CONTENT_TYPE RATE_PER_S SECONDS [WARMUP_SECONDS]
 */
public class LoadGen {
  public static void main(String[] a) throws Exception {
    URI url = URI.create(a[0]);
    byte[] body = Files.readAllBytes(Path.of(a[1]));
    String type = a[2];
    double rate = Double.parseDouble(a[3]);
    double seconds = Double.parseDouble(a[4]);
    double warmup = a.length > 5 ? Double.parseDouble(a[5]) : 2;
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .header("Content-Type", type)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    run(http, req, rate, warmup, false);
    run(http, req, rate, seconds, true);
    System.exit(0);
  }

  static void run(HttpClient http, HttpRequest req, double rate, double seconds, boolean report)
      throws Exception {
    int n = (int) Math.round(rate * seconds);
    long interval = (long) (1e9 / rate);
    long[] latency = new long[n];
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(n);
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < n; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      int k = i;
      http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (r, e) -> {
                latency[k] = System.nanoTime() - due;
                if (e != null) errors.add(e.getClass().getSimpleName());
                else if (r.statusCode() == 200) ok.incrementAndGet();
                else errors.add(Integer.toString(r.statusCode()));
                done.countDown();
              });
    }
    done.await();
    double wall = (System.nanoTime() - start) / 1e9;
    if (!report) return;
    long[] s = latency.clone();
    Arrays.sort(s);
    System.out.printf(
        java.util.Locale.ROOT,
        "{\"rate_target\":%.1f,\"sent\":%d,\"ok\":%d,\"errors\":%d,\"error_kinds\":\"%s\",\"achieved_per_s\":%.1f,"
            + "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}%n",
        rate,
        n,
        ok.get(),
        errors.size(),
        String.join(",", errors.stream().distinct().toList()),
        n / wall,
        pct(s, 0.50),
        pct(s, 0.90),
        pct(s, 0.99),
        pct(s, 0.999),
        s[s.length - 1] / 1e6);
  }

  static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }
}
