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
    assumeTrue(
        System.getProperty("os.name").toLowerCase().contains("linux"), "glibc's malloc only");
    Natives.load();
    String state = NativeAllocator.state();
    assumeTrue(
        !state.startsWith("glibc defaults") && !state.startsWith("as set in"),
        "the allocator was left to the user here: " + state);
    assertThat(state).isEqualTo("glibc, mmap and trim thresholds 2 GiB");
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
}
