import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed rate (run with {@code java bench/serve/LoadGen.java ...}). A scheduler
 * releases requests on a fixed timetable whatever the server does; a pool of workers, each with
 * one keep-alive connection, sends them; each latency is measured from the moment its request was
 * due, so a stall counts against every request it delays (no coordinated omission). The workers
 * write prepared bytes and parse only the status line and Content-Length, so the generator costs
 * little of the CPU it shares with the server. Prints one JSON line.
 *
 * <p>Arguments: URL BODY_FILE CONTENT_TYPE RATE_PER_S SECONDS [WARMUP_SECONDS] [CONNECTIONS]
 */
public class LoadGen {
  public static void main(String[] a) throws Exception {
    URI url = URI.create(a[0]);
    byte[] body = Files.readAllBytes(Path.of(a[1]));
    String type = a[2];
    double rate = Double.parseDouble(a[3]);
    double seconds = Double.parseDouble(a[4]);
    double warmup = a.length > 5 ? Double.parseDouble(a[5]) : 2;
    int conns = a.length > 6 ? Integer.parseInt(a[6]) : 32;
    String head =
        "POST " + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery())
            + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
            + "\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] request = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, request, h.length, body.length);
    InetSocketAddress addr = new InetSocketAddress(url.getHost(), url.getPort());
    run(addr, request, rate, warmup, conns, false);
    run(addr, request, rate, seconds, conns, true);
  }

  static void run(InetSocketAddress addr, byte[] request, double rate, double seconds, int conns, boolean report)
      throws Exception {
    int n = (int) Math.round(rate * seconds);
    long interval = (long) (1e9 / rate);
    long[] latency = new long[n];
    ArrayBlockingQueue<long[]> due = new ArrayBlockingQueue<>(n + conns);
    AtomicInteger ok = new AtomicInteger();
    Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    Thread[] workers = new Thread[conns];
    for (int w = 0; w < conns; w++) {
      workers[w] =
          new Thread(
              () -> {
                Socket s = null;
                byte[] buf = new byte[64 << 10];
                while (true) {
                  long[] job;
                  try {
                    job = due.take();
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (job[0] < 0) return;
                  try {
                    if (s == null) {
                      s = new Socket();
                      s.setTcpNoDelay(true);
                      s.connect(addr, 5000);
                      s.setSoTimeout(30_000);
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                    int status = readResponse(buf, s);
                    latency[(int) job[1]] = System.nanoTime() - job[0];
                    if (status == 200) ok.incrementAndGet();
                    else errors.computeIfAbsent(Integer.toString(status), k -> new AtomicInteger()).incrementAndGet();
                  } catch (IOException e) {
                    latency[(int) job[1]] = System.nanoTime() - job[0];
                    errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                    try {
                      if (s != null) s.close();
                    } catch (IOException ignored) {
                    }
                    s = null;
                  }
                }
              });
      workers[w].start();
    }
    long start = System.nanoTime() + 10_000_000;
    for (int i = 0; i < n; i++) {
      long t = start + i * interval;
      long wait = t - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      due.put(new long[] {t, i});
    }
    for (int w = 0; w < conns; w++) due.put(new long[] {-1, -1});
    for (Thread t : workers) t.join();
    double wall = (System.nanoTime() - start) / 1e9;
    if (!report) return;
    String dump = System.getenv("LOADGEN_DUMP"); // optional: one "due_ms latency_ms" line per request
    if (dump != null) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) sb.append(i * interval / 1e6).append(' ').append(latency[i] / 1e6).append('\n');
      Files.writeString(Path.of(dump), sb);
    }
    long[] s = latency.clone();
    Arrays.sort(s);
    int errs = errors.values().stream().mapToInt(AtomicInteger::get).sum();
    System.out.printf(
        java.util.Locale.ROOT,
        "{\"rate_target\":%.1f,\"connections\":%d,\"sent\":%d,\"ok\":%d,\"errors\":%d,\"error_kinds\":\"%s\",\"achieved_per_s\":%.1f,"
            + "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f}%n",
        rate, conns, n, ok.get(), errs, errors.keySet(), n / wall,
        pct(s, 0.50), pct(s, 0.90), pct(s, 0.99), pct(s, 0.999), s[s.length - 1] / 1e6);
  }

  /** Reads one response (status line, headers, Content-Length body); returns the status. */
  static int readResponse(byte[] buf, Socket s) throws IOException {
    InputStream in = s.getInputStream();
    int len = 0;
    int headerEnd = -1;
    while (headerEnd < 0) {
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) throw new IOException("closed");
      len += r;
      for (int i = Math.max(0, len - r - 3); i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
          headerEnd = i + 4;
          break;
        }
    }
    String headers = new String(buf, 0, headerEnd, StandardCharsets.US_ASCII);
    int status = Integer.parseInt(headers.substring(9, 12));
    int cl = 0;
    for (String line : headers.split("\r\n"))
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) cl = Integer.parseInt(line.substring(15).trim());
    int have = len - headerEnd;
    while (have < cl) {
      int r = in.read(buf, 0, Math.min(buf.length, cl - have));
      if (r < 0) throw new IOException("closed");
      have += r;
    }
    return status;
  }

  static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }
}
