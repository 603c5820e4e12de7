package dev.imgclass.train.engine;

import dev.imgclass.core.TensorData;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Copies between Java arrays and libtorch tensors; the caller owns the scope. */
public final class Tensors {
  private Tensors() {}

  static {
    Natives.load();
  }

  public static Tensor floats(float[] data, long... shape) {
    Tensor t = torch.empty(shape);
    t.data_ptr_float().put(data, 0, data.length);
    return t;
  }

  /** Fills an existing contiguous float tensor from {@code data}. */
  public static void fill(Tensor t, float[] data) {
    t.data_ptr_float().put(data, 0, data.length);
  }

  public static Tensor longs(long[] data, long... shape) {
    Tensor t =
        torch.empty(shape, new TensorOptions(torch.ScalarType.Long), new MemoryFormatOptional());
    t.data_ptr_long().put(data, 0, data.length);
    return t;
  }

  public static Tensor zeros(long... shape) {
    return torch.zeros(shape);
  }

  public static float[] toFloats(Tensor t) {
    Tensor c =
        t.scalar_type() == torch.ScalarType.Float
            ? t.contiguous()
            : t.to(torch.ScalarType.Float).contiguous();
    float[] out = new float[Math.toIntExact(c.numel())];
    FloatPointer p = c.data_ptr_float();
    p.get(out, 0, out.length);
    return out;
  }

  public static long[] toLongs(Tensor t) {
    Tensor c = t.to(torch.ScalarType.Long).contiguous();
    long[] out = new long[Math.toIntExact(c.numel())];
    LongPointer p = c.data_ptr_long();
    p.get(out, 0, out.length);
    return out;
  }

  public static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) s[i] = t.size(i);
    return s;
  }

  /** A tensor's contents as safetensors data (F32, or I64 for integer tensors). */
  public static TensorData toData(Tensor t) {
    // (scalar_type() == ScalarType.Long never holds through JavaCPP: ask is_floating_point)
    if (!t.is_floating_point()) return TensorData.ofLongs(toLongs(t), shape(t));
    return TensorData.ofFloats(toFloats(t), shape(t));
  }

  /** A new tensor holding safetensors data: F32 (or converted floats), I64 kept as longs. */
  public static Tensor fromData(TensorData d) {
    if (d.dtype().equals("I64") || d.dtype().equals("I32")) return longs(d.toLongs(), d.shape());
    return floats(d.toFloats(), d.shape());
  }

  public static Scalar scalar(double v) {
    return new Scalar(v);
  }
}
