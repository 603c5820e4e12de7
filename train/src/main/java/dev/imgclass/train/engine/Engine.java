package dev.imgclass.train.engine;

import org.bytedeco.pytorch.global.torch;

/** Process-wide engine settings: intra-op threads and autocast. */
public final class Engine {
  private Engine() {}

  static {
    Natives.load();
  }

  /**
   * Whether 4-D activations and convolution weights are kept channels-last (NHWC) rather than NCHW.
   * Off by default; on with {@code -Dimgclass.channelsLast=true}, for measurement only. On an idle
   * machine it trains ResNet-20 at 28×28 faster in FP32 (level in bf16), but libtorch 2.10's oneDNN
   * NHWC convolutions are not safe to ship: the test suite in channels-last died with SIGFPE in
   * oneDNN's 1×1 blocking heuristic (Bottleneck ResNets at 224 px; in a fresh JVM at 3 or 4 threads
   * on 2 cores, never in NCHW), and in the same run ResNet-18 at 224 px gave logits 0.36 away from
   * torchvision's (bench/RESULTS.md "2026-12-04: channels-last").
   */
  static final boolean CHANNELS_LAST = "true".equals(System.getProperty("imgclass.channelsLast"));

  public static boolean channelsLast() {
    return CHANNELS_LAST;
  }

  /** The tensor in the engine's preferred layout for 4-D data (a no-op for other ranks). */
  public static org.bytedeco.pytorch.Tensor layout(org.bytedeco.pytorch.Tensor t) {
    return CHANNELS_LAST && t.dim() == 4 ? t.contiguous(torch.MemoryFormat.ChannelsLast) : t;
  }

  /** A scope whose close cannot fail. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** Sets libtorch's intra-op threads; 0 or less means all cores. Returns the count in force. */
  public static int threads(int requested) {
    int n = requested > 0 ? requested : Runtime.getRuntime().availableProcessors();
    torch.set_num_threads(n);
    return n;
  }

  /**
   * Turns CPU autocast on for {@link Precision#BF16}, off for FP32, until the returned scope
   * closes. The autocast weight cache stays off: weights change in place every step and a cached
   * bf16 copy would be stale.
   */
  public static Scope autocast(Precision p) {
    boolean on = p == Precision.BF16;
    boolean before = torch.is_autocast_enabled(torch.DeviceType.CPU);
    torch.set_autocast_cache_enabled(false);
    if (on) torch.set_autocast_dtype(torch.DeviceType.CPU, torch.ScalarType.BFloat16);
    torch.set_autocast_enabled(torch.DeviceType.CPU, on);
    return () -> torch.set_autocast_enabled(torch.DeviceType.CPU, before);
  }
}
