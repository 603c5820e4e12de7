package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.DataSources;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes sure Fashion-MNIST is on the machine before the demo: when it is missing and this is Debian
 * with root rights, installs the {@code dataset-fashion-mnist} package; otherwise says exactly how
 * to get it.
 */
final class FashionMnistInstaller {
  private FashionMnistInstaller() {}

  static void ensure(PrintStream out) {
    if (DataSources.locateFashionMnist().isPresent()) return;
    boolean apt = Files.isExecutable(Path.of("/usr/bin/apt-get"));
    if (!apt || !isRoot()) {
      throw new ImgclassException(
          "Fashion-MNIST is not installed: run 'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu), or download its four IDX files into a folder and set IMGCLASS_DATA to it");
    }
    out.println("Fashion-MNIST not found: installing the Debian package dataset-fashion-mnist ...");
    if (run(List.of("apt-get", "install", "-y", "-q", "dataset-fashion-mnist")) != 0) {
      run(List.of("apt-get", "update", "-q"));
      if (run(List.of("apt-get", "install", "-y", "-q", "dataset-fashion-mnist")) != 0) {
        throw new ImgclassException(
            "could not install dataset-fashion-mnist with apt-get; install it by hand and rerun");
      }
    }
    if (DataSources.locateFashionMnist().isEmpty()) {
      throw new ImgclassException(
          "dataset-fashion-mnist installed but "
              + DataSources.DEBIAN_FASHION_MNIST
              + " holds no IDX files");
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int run(List<String> cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .inheritIO()
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      return p.waitFor();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
