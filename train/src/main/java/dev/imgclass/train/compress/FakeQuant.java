package dev.imgclass.train.compress;

import dev.imgclass.train.engine.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Fake quantization for quantization-aware training: the forward pass computes exactly what ONNX
 * Runtime's QuantizeLinear → DequantizeLinear computes (x / s in float32, rounded half to even,
 * plus the zero point, clamped, minus the zero point, times s), and the backward pass is the
 * straight-through estimator: gradient 1 where x fell inside the clipping range, 0 where it was
 * clipped.
 */
public final class FakeQuant {
  private FakeQuant() {}

  /** uint8 per-tensor: q in [0, 255] at {@code scale}, {@code zeroPoint}. */
  public static Tensor uint8(Tensor x, float scale, float zeroPoint) {
    Tensor s = torch.full_like(x, Tensors.scalar(scale)); // a full divisor: true division
    Tensor q =
        torch.round(x.detach().div(s)).add(Tensors.scalar(zeroPoint)).clamp(range(0), range(255));
    Tensor y = q.sub(Tensors.scalar(zeroPoint)).mul(s);
    Tensor inside;
    try (NoGradGuard g = new NoGradGuard()) {
      double lo = (0 - zeroPoint) * (double) scale;
      double hi = (255 - zeroPoint) * (double) scale;
      inside = x.ge(Tensors.scalar(lo)).logical_and(x.le(Tensors.scalar(hi))).to(x.scalar_type());
    }
    return steps(x, y, inside);
  }

  /** A fake-quantized weight and its per-output-channel scales (out). */
  public record Weight(Tensor value, Tensor scales) {}

  /**
   * Per-output-channel symmetric int8 of a weight (out, ...): s_c = max|w_c| / 127, q in [-127,
   * 127]. Nothing is clipped at that scale, so the gradient passes unchanged.
   */
  public static Tensor int8PerChannel(Tensor w) {
    return int8Weight(w, 127).value();
  }

  /**
   * {@link #int8PerChannel} in [-qmax, qmax] (127, or 63 for 7-bit weights), with the scales (for
   * the bias's).
   */
  public static Weight int8Weight(Tensor w, int qmax) {
    long out = w.size(0);
    Tensor y;
    Tensor s;
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor flat = w.detach().reshape(out, -1);
      Tensor m = flat.abs().amax(new long[] {1}, true); // (out, 1)
      // float32 max / qmax, as the exporter computes it; an all-zero channel gets 1e-8
      s =
          torch.where(
              m.gt(Tensors.scalar(0)),
              m.div(torch.full_like(m, Tensors.scalar((float) qmax))),
              torch.full_like(m, Tensors.scalar(1e-8f)));
      Tensor full = s.expand_as(flat).contiguous();
      Tensor q = torch.round(flat.div(full)).clamp(range(-qmax), range(qmax));
      y = q.mul(full).reshape(Tensors.shape(w));
    }
    return new Weight(steps(w, y, null), s.reshape(out));
  }

  /**
   * The int32 bias of an integer convolution: on the grid s_x·s_w[c] (zero point 0), so the bias
   * adds to the integer accumulator; gradient unchanged (int32 never clips in practice).
   */
  public static Tensor int32Bias(Tensor b, float inputScale, Tensor weightScales) {
    Tensor y;
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor s = weightScales.mul(torch.full_like(weightScales, Tensors.scalar(inputScale)));
      y = torch.round(b.detach().div(s)).mul(s);
    }
    return steps(b, y, null);
  }

  /** Scale and zero point of a [low, high] range (widened to include 0), as the exporter sets. */
  public static float[] params(float[] range) {
    return dev.imgclass.quantize.QdqQuantizer.uint8Params(range);
  }

  /** Value {@code y}; gradient {@code inside} (1 when null) with respect to {@code x}. */
  private static Tensor steps(Tensor x, Tensor y, Tensor inside) {
    if (!x.requires_grad()) return y;
    Tensor zero = x.sub(x.detach()); // 0, with x's gradient
    return y.add(inside == null ? zero : zero.mul(inside));
  }

  private static ScalarOptional range(double v) {
    return new ScalarOptional(Tensors.scalar(v));
  }
}
