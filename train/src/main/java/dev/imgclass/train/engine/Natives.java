package dev.imgclass.train.engine;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads libtorch's native libraries safely. JavaCPP extracts them from the jars into its cache on
 * first use; loading {@code libtorch_cpu.so} in the middle of that extraction crashed the JVM
 * (SIGSEGV in pthread_mutex_lock) on every run with an empty cache, here. Extracting every native
 * file first, then loading, never did. Called from the static initialisers of the engine classes.
 * Configures the native allocator first ({@link NativeAllocator}). Also switches off NNPACK, which
 * logs a warning per convolution on CPUs it does not support, and pins OpenBLAS to one thread (see
 * {@link #pinOpenBlas}).
 */
public final class Natives {
  private static boolean loaded;

  private Natives() {}

  public static synchronized void load() {
    if (loaded) return;
    // before libtorch allocates anything: see NativeAllocator
    NativeAllocator.configure();
    try {
      String platform = Loader.getPlatform();
      for (String pkg :
          new String[] {
            "org/bytedeco/javacpp/", "org/bytedeco/openblas/", "org/bytedeco/pytorch/"
          }) {
        Loader.cacheResources(pkg + platform + "/");
      }
    } catch (IOException e) {
      throw new ImgclassException(
          "cannot extract libtorch's native libraries into the JavaCPP cache (~/.javacpp/cache): "
              + e.getMessage(),
          e);
    }
    Loader.load(org.bytedeco.pytorch.global.torch.class);
    // NNPACK cannot run on this class of CPU and says so on stderr for every batch-1 convolution;
    // oneDNN handles those convolutions instead
    org.bytedeco.pytorch.global.torch.globalContext().setUserEnabledNNPACK(false);
    openBlasThreads = pinOpenBlas(System.getenv("OPENBLAS_NUM_THREADS"));
    loaded = true;
  }

  private static int openBlasThreads;

  /**
   * For small convolutions (batch-1 FP32 inference) libtorch skips oneDNN and runs im2col plus an
   * OpenBLAS GEMM; OpenBLAS's own thread pool then fights libtorch's OpenMP threads, and a
   * ResNet-20 batch-1 forward took 222 ms instead of 3.3 ms here. So OpenBLAS runs on one thread
   * (the caller's, inside libtorch's parallel regions) unless the user chose a count in {@code
   * OPENBLAS_NUM_THREADS}, which OpenBLAS itself has read at load time. Goes through the JavaCPP
   * preset's {@code blas_set_num_threads}, which calls {@code openblas_set_num_threads} in the same
   * {@code libopenblas.so.0} that libtorch links. Returns the count OpenBLAS reports afterwards.
   */
  static int pinOpenBlas(String userSetting) {
    Loader.load(org.bytedeco.openblas.presets.openblas_nolapack.class);
    if (userSetting == null || userSetting.isBlank()) {
      org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
    }
    return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
  }

  /**
   * OpenBLAS's thread count after loading (1 unless {@code OPENBLAS_NUM_THREADS} said otherwise).
   */
  public static synchronized int openBlasThreads() {
    load();
    return openBlasThreads;
  }
}
