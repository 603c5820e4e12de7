package dev.imgclass.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU's feature flags as Linux lists them in /proc/cpuinfo; none elsewhere. */
public final class CpuFlags {
  private CpuFlags() {}

  /**
   * Whether the first CPU's {@code flags} line lists any of {@code flags} (e.g. {@code
   * avx512_bf16}).
   */
  public static boolean hasAny(String... flags) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (!line.startsWith("flags")) continue;
        String all = line + " ";
        for (String f : flags) if (all.contains(" " + f + " ")) return true;
        return false;
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /**
   * AVX512-VNNI or AVX-VNNI: ONNX Runtime's u8s8 integer convolutions are then exact; without, they
   * add pairs of products in saturating int16 (docs/COMPRESSION.md).
   */
  public static boolean vnni() {
    return hasAny("avx512_vnni", "avx_vnni");
  }
}
