package dev.imgclass.train.engine;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import org.bytedeco.javacpp.Loader;

/**
 * Loads libtorch's native libraries safely. JavaCPP extracts them from the jars into its cache on
 * first use; loading {@code libtorch_cpu.so} in the middle of that extraction crashed the JVM
 * (SIGSEGV in pthread_mutex_lock) on every run with an empty cache, here. Extracting every native
 * file first, then loading, never did. Called from the static initialisers of the engine classes.
 * Also switches off NNPACK, which logs a warning per convolution on CPUs it does not support.
 */
public final class Natives {
  private static boolean loaded;

  private Natives() {}

  public static synchronized void load() {
    if (loaded) return;
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
    loaded = true;
  }
}
