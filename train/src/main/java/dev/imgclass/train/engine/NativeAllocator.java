package dev.imgclass.train.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.util.Locale;

/**
 * Configures glibc's malloc for libtorch before the engine allocates anything.
 *
 * <p>glibc serves every allocation above its mmap threshold (128 KiB at first, raised dynamically
 * only up to 32 MiB) with a fresh {@code mmap} and returns it with {@code munmap} on free, and it
 * gives memory at the top of a heap back to the system past the trim threshold. A training or
 * inference step allocates and frees activations of a few MiB each, so with the defaults every step
 * maps them anew and page-faults them in again; measured here, a ResNet-20 at batch 64 ran at
 * 726–1,078 img/s instead of 2,950 (issue 15, ../shared/ANCHORS.md "The allocator"), and from one
 * process to the next speed was bimodal. Raising both thresholds keeps freed activations in the
 * heap for the next step: the process's memory stays at its peak working set (flat from epoch to
 * epoch) instead of going up and down every step.
 *
 * <p>The thresholds alone are not enough in a JVM. A Java thread is never the process's first
 * thread, so glibc gives it a per-thread arena made of 64 MiB heaps instead of the main {@code brk}
 * heap, and when a free leaves the newest of those heaps empty, glibc unmaps the whole heap
 * whatever the trim threshold says (only {@code M_TOP_PAD} is consulted there). A step whose
 * working set crosses a heap boundary then maps and faults a heap back in every step: measured here
 * (issue 15), a third of ResNet-20 training processes ran in that mode, with 2–3× the page faults
 * and {@code munmap} calls and up to 40 % fewer images per second, while Python's main thread,
 * which uses the main heap, never does. A top pad of one whole heap (64 MiB) makes glibc keep the
 * heap: free memory at the top stays in the process, up to the peak, as the trim threshold already
 * asks.
 *
 * <p>Done in-process with {@code mallopt(M_MMAP_THRESHOLD)}, {@code mallopt(M_TRIM_THRESHOLD)} and
 * {@code mallopt(M_TOP_PAD)} through JNA, so the launcher, the tests and any Java program that
 * embeds imgclass get it alike; the same settings as {@code MALLOC_MMAP_THRESHOLD_} / {@code
 * MALLOC_TRIM_THRESHOLD_} / {@code MALLOC_TOP_PAD_}, which a user may still set (then nothing here
 * changes any of them). {@code mallopt} takes an {@code int}, so the thresholds are 2 GiB (blocks
 * larger than that are still mapped). {@code -Dimgclass.allocator=glibc} (or {@code
 * IMGCLASS_ALLOCATOR=glibc}) leaves glibc's defaults alone, for measuring them. On a C library
 * without {@code mallopt} (musl) nothing happens and {@link #state} says so.
 */
public final class NativeAllocator {
  /** glibc's {@code M_TRIM_THRESHOLD}. */
  static final int M_TRIM_THRESHOLD = -1;

  /** glibc's {@code M_TOP_PAD}. */
  static final int M_TOP_PAD = -2;

  /** glibc's {@code M_MMAP_THRESHOLD}. */
  static final int M_MMAP_THRESHOLD = -3;

  /**
   * The top pad, in bytes: glibc's {@code HEAP_MAX_SIZE} on 64-bit Linux (twice the largest dynamic
   * mmap threshold, 32 MiB), the size of one per-thread heap, so that no empty heap is unmapped.
   */
  public static final int TOP_PAD = 64 << 20;

  /** Both thresholds, in bytes: the largest an {@code int} holds. */
  public static final int THRESHOLD = Integer.MAX_VALUE;

  private static String state = "not configured";

  private NativeAllocator() {}

  /** The C library functions used here and by the tests. */
  interface LibC extends Library {
    int mallopt(int param, int value);

    Pointer malloc(long size);

    void free(Pointer p);

    MallInfo2 mallinfo2();
  }

  /** glibc's {@code struct mallinfo2} (2.33 and later). */
  @Structure.FieldOrder({
    "arena",
    "ordblks",
    "smblks",
    "hblks",
    "hblkhd",
    "usmblks",
    "fsmblks",
    "uordblks",
    "fordblks",
    "keepcost"
  })
  public static class MallInfo2 extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks; // chunks served by mmap, now
    public long hblkhd; // their bytes
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;
  }

  private static LibC libc;

  static synchronized LibC libc() {
    if (libc == null) libc = Native.load("c", LibC.class);
    return libc;
  }

  /**
   * Raises glibc's mmap and trim thresholds and its top pad unless the user chose otherwise;
   * idempotent. Never throws: an allocator that cannot be configured costs speed, not correctness.
   * Returns {@link #state}.
   */
  public static synchronized String configure() {
    if (!"not configured".equals(state)) return state;
    state = decide(System.getProperty("imgclass.allocator"), System.getenv("IMGCLASS_ALLOCATOR"));
    return state;
  }

  private static String decide(String property, String env) {
    String choice = property != null ? property : env;
    if (choice != null && choice.trim().toLowerCase(Locale.ROOT).equals("glibc"))
      return "glibc defaults (asked for by imgclass.allocator / IMGCLASS_ALLOCATOR)";
    if (System.getenv("MALLOC_MMAP_THRESHOLD_") != null
        || System.getenv("MALLOC_TRIM_THRESHOLD_") != null
        || System.getenv("MALLOC_TOP_PAD_") != null)
      return "as set in MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_";
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
      return "system default (not Linux)";
    try {
      LibC c = libc();
      int mmap = c.mallopt(M_MMAP_THRESHOLD, THRESHOLD);
      int trim = c.mallopt(M_TRIM_THRESHOLD, THRESHOLD);
      int pad = c.mallopt(M_TOP_PAD, TOP_PAD);
      if (mmap == 1 && trim == 1 && pad == 1)
        return "glibc, mmap and trim thresholds 2 GiB, top pad 64 MiB";
      return "glibc refused mallopt (mmap " + mmap + ", trim " + trim + ", top pad " + pad + ")";
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return "system default (no mallopt: " + e.getMessage() + ")";
    }
  }

  /** What {@link #configure} did, for logs and benchmark records. */
  public static synchronized String state() {
    return state;
  }
}
