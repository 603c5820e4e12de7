package dev.imgclass.train.engine;

import dev.imgclass.core.ImgclassException;
import java.util.Locale;

/**
 * Numeric precision of training and eager inference. BF16 runs the forward pass under libtorch's
 * CPU autocast (convolutions and matrix products in bfloat16, AMX where the CPU has it); the loss
 * and the optimizer stay in FP32.
 */
public enum Precision {
  FP32,
  BF16;

  public static Precision parse(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "fp32", "float32" -> FP32;
      case "bf16", "bfloat16" -> BF16;
      case "auto" -> auto();
      default ->
          throw new ImgclassException("unknown precision '" + s + "': use fp32, bf16 or auto");
    };
  }

  /** BF16 where the CPU computes it natively (AMX-BF16 or AVX512-BF16), else FP32. */
  public static Precision auto() {
    return cpuHasBf16() ? BF16 : FP32;
  }

  static boolean cpuHasBf16() {
    return dev.imgclass.core.CpuFlags.hasAny("amx_bf16", "avx512_bf16");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
