package dev.imgclass.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as stored in a safetensors file: dtype, shape and raw little-endian bytes.
 *
 * @param dtype safetensors dtype name: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL
 * @param shape dimensions, outermost first
 * @param bytes raw little-endian data, {@code numel * itemSize} long
 */
public record TensorData(String dtype, long[] shape, byte[] bytes) {

  public TensorData {
    shape = shape.clone();
    long expected = numel(shape) * itemSize(dtype);
    if (bytes.length != expected) {
      throw new ImgclassException(
          "tensor of dtype "
              + dtype
              + " and shape "
              + Arrays.toString(shape)
              + " needs "
              + expected
              + " bytes, got "
              + bytes.length);
    }
  }

  public static TensorData ofFloats(float[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new TensorData("F32", shape, b.array());
  }

  public static TensorData ofLongs(long[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new TensorData("I64", shape, b.array());
  }

  public long numel() {
    return numel(shape);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** True for the floating-point dtypes (F32, F16, BF16, F64). */
  public boolean isFloating() {
    return switch (dtype) {
      case "F32", "F16", "BF16", "F64" -> true;
      default -> false;
    };
  }

  /** True for the integer dtypes {@link #toLongs} reads (I64, I32). */
  public boolean isInteger() {
    return dtype.equals("I64") || dtype.equals("I32");
  }

  /** How many values are NaN or infinite once converted to F32; 0 for integer dtypes. */
  public long nonFinite() {
    if (!isFloating()) return 0;
    long n = 0;
    for (float v : toFloats()) if (!Float.isFinite(v)) n++;
    return n;
  }

  /** The same bytes under another shape with as many elements ((O, I, 1, 1) -> (O, I)). */
  public TensorData reshaped(long... newShape) {
    return new TensorData(dtype, newShape, bytes);
  }

  /** The values as floats; F32 as stored, F64/F16/BF16/integers converted. */
  public float[] toFloats() {
    int n = Math.toIntExact(numel());
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[n];
    switch (dtype) {
      case "F32" -> b.asFloatBuffer().get(out);
      case "F64" -> {
        for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8);
      }
      case "BF16" -> {
        for (int i = 0; i < n; i++)
          out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
      }
      case "F16" -> {
        for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2));
      }
      case "I64" -> {
        for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8);
      }
      case "I32" -> {
        for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
      }
      case "U8" -> {
        for (int i = 0; i < n; i++) out[i] = bytes[i] & 0xff;
      }
      default -> throw new ImgclassException("cannot convert dtype " + dtype + " to floats");
    }
    return out;
  }

  /** The values as longs; integer dtypes only. */
  public long[] toLongs() {
    int n = Math.toIntExact(numel());
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[n];
    switch (dtype) {
      case "I64" -> b.asLongBuffer().get(out);
      case "I32" -> {
        for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4);
      }
      default -> throw new ImgclassException("cannot convert dtype " + dtype + " to integers");
    }
    return out;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0)
        throw new ImgclassException("negative dimension in shape " + Arrays.toString(shape));
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  static int itemSize(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL" -> 1;
      default -> throw new ImgclassException("unsupported safetensors dtype " + dtype);
    };
  }

  private static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits >>> 15) << 31;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
