package dev.imgclass.train.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The engine's allocator settings take effect in this very process: after {@link
 * NativeAllocator#configure}, an 8 MiB block allocated on a fresh thread (the way libtorch's worker
 * threads allocate activations) comes from the heap, not from its own mmap. With glibc's defaults
 * it would be mapped (anything over 128 KiB at first).
 */
class NativeAllocatorTest {
  @Test
  void large_blocks_come_from_the_heap_after_the_engine_loads() throws Exception {
    String state = loadedAndOurs();
    assertThat(state).isEqualTo("glibc, mmap and trim thresholds 2 GiB, top pad 64 MiB");
    NativeAllocator.LibC c = NativeAllocator.libc();
    AtomicLong grew = new AtomicLong();
    Thread t =
        new Thread(
            () -> {
              long before = c.mallinfo2().hblkhd;
              Pointer p = c.malloc(8L << 20);
              grew.set(c.mallinfo2().hblkhd - before);
              c.free(p);
            });
    t.start();
    t.join();
    // other threads may map a little meanwhile, never the 8 MiB block itself
    assertThat(grew.get()).as("bytes newly mapped by mmap").isLessThan(8L << 20);
    assertThat(NativeAllocator.configure()).as("idempotent").isEqualTo(state);
  }

  /**
   * A thread other than the process's first allocates from a per-thread arena of 64 MiB heaps;
   * without the top pad, freeing the blocks that filled a second heap unmaps it (glibc's heap_trim
   * ignores the trim threshold there), and the next step faults it all in again. With it, the heap
   * stays: the bytes glibc holds from the system do not drop when the blocks are freed.
   */
  @Test
  void an_emptied_thread_heap_is_kept() throws Exception {
    assumeTrue(loadedAndOurs().startsWith("glibc, mmap"), "mallopt did not take effect here");
    NativeAllocator.LibC c = NativeAllocator.libc();
    AtomicLong held = new AtomicLong();
    AtomicLong after = new AtomicLong();
    Thread t =
        new Thread(
            () -> {
              // two 40 MiB blocks cannot share one 64 MiB heap: the second opens a new one
              Pointer a = c.malloc(40L << 20);
              Pointer b = c.malloc(40L << 20);
              held.set(c.mallinfo2().arena);
              c.free(b);
              c.free(a);
              after.set(c.mallinfo2().arena);
            });
    t.start();
    t.join();
    // other threads may allocate a little meanwhile; an unmapped heap would take 40 MiB or more
    assertThat(held.get() - after.get())
        .as("bytes given back to the system when the blocks were freed")
        .isLessThan(8L << 20);
  }

  /**
   * Loads the engine and returns the allocator state, skipping the test off Linux or where the user
   * (or a benchmark) chose the malloc settings.
   */
  private static String loadedAndOurs() {
    assumeTrue(
        System.getProperty("os.name").toLowerCase().contains("linux"), "glibc's malloc only");
    Natives.load();
    String state = NativeAllocator.state();
    assumeTrue(
        !state.startsWith("glibc defaults") && !state.startsWith("as set in"),
        "the allocator was left to the user here: " + state);
    return state;
  }
}
