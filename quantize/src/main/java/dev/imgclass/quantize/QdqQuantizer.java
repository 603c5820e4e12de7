package dev.imgclass.quantize;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.OnnxMetadata;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Static post-training quantization of an exported FP32 graph into QDQ form (the layout ONNX
 * Runtime turns into integer kernels): convolution and Gemm weights as per-channel symmetric int8,
 * biases as int32 at scale s_x·s_w, and every activation tensor as per-tensor asymmetric uint8 with
 * ranges measured on calibration images. A Relu right after an op shares that op's output
 * quantization (ONNX Runtime folds it into the preceding integer op), so ranges are taken after the
 * Relu, where they are tight.
 */
public final class QdqQuantizer {
  /** How an activation range is chosen from the calibration values. */
  public enum Method {
    /** The smallest and largest value seen. */
    MINMAX,
    /** The 0.01th and 99.99th percentiles: clips rare outliers, keeps resolution. */
    PERCENTILE,
    /** The range whose quantization diverges least from the histogram (KL, as TensorRT). */
    ENTROPY;

    public static Method parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "minmax" -> MINMAX;
        case "percentile" -> PERCENTILE;
        case "entropy" -> ENTROPY;
        default ->
            throw new ImgclassException(
                "unknown --calibration-method '" + s + "': use minmax, percentile or entropy");
      };
    }
  }

  private static final int SAMPLES_PER_TENSOR = 200_000;

  /** Weight bits by default: the full int8 range [-127, 127]. */
  public static final int WEIGHT_BITS = 8;

  /**
   * The largest weight integer for {@code bits} (7 or 8): 63 or 127. Seven-bit weights are for CPUs
   * without VNNI, where ONNX Runtime's u8s8 kernels add pairs of u8×s8 products in saturating
   * int16: 2·255·63 fits, 2·255·127 does not (docs/COMPRESSION.md).
   */
  public static int weightMax(int bits) {
    if (bits != 7 && bits != 8)
      throw new ImgclassException("--weight-bits must be 7 or 8, got " + bits);
    return (1 << (bits - 1)) - 1;
  }

  private QdqQuantizer() {}

  /**
   * Quantizes {@code fp32} using calibration inputs: {@code inputs} holds {@code n} preprocessed
   * images laid out (n, C, S, S).
   */
  public static byte[] quantize(byte[] fp32, float[] inputs, int n, Method method, int threads) {
    return quantize(fp32, inputs, n, method, threads, WEIGHT_BITS);
  }

  /** {@link #quantize(byte[], float[], int, Method, int)} with weights of {@code weightBits}. */
  public static byte[] quantize(
      byte[] fp32, float[] inputs, int n, Method method, int threads, int weightBits) {
    weightMax(weightBits);
    return quantize(fp32, calibrate(fp32, inputs, n, method, threads), weightBits);
  }

  /**
   * Quantizes {@code fp32} with activation ranges chosen elsewhere (learned by quantization-aware
   * training, say): {@code ranges} holds [low, high] for each of {@link #quantizedTensors}.
   */
  public static byte[] quantize(byte[] fp32, Map<String, float[]> ranges) {
    return quantize(fp32, ranges, WEIGHT_BITS);
  }

  /**
   * {@link #quantize(byte[], Map)} with weights of {@code weightBits} (7 or 8): per-channel
   * symmetric in [-63, 63] or [-127, 127], still stored as int8.
   */
  public static byte[] quantize(byte[] fp32, Map<String, float[]> ranges, int weightBits) {
    int qmax = weightMax(weightBits);
    OnnxMl.ModelProto model = parse(fp32);
    List<String> quantized = quantizedTensors(model);
    for (String t : quantized)
      if (!ranges.containsKey(t))
        throw new ImgclassException("cannot quantize: no activation range for tensor '" + t + "'");
    return rewrite(model, quantized, ranges, qmax).toByteArray();
  }

  /**
   * The activation ranges of {@code fp32}'s {@link #quantizedTensors}, measured on {@code n}
   * preprocessed calibration images laid out (n, C, S, S).
   */
  public static Map<String, float[]> calibrate(
      byte[] fp32, float[] inputs, int n, Method method, int threads) {
    OnnxMl.ModelProto model = parse(fp32);
    return calibrate(model, quantizedTensors(model), inputs, n, method, threads);
  }

  /**
   * The tensors that get QuantizeLinear → DequantizeLinear, in graph order: the graph input and
   * every node output except the logits and outputs that feed only a Relu (the Relu's output
   * carries the range instead, as ONNX Runtime fuses the Relu into the op before it).
   */
  public static List<String> quantizedTensors(OnnxMl.ModelProto model) {
    OnnxMl.GraphProto g = model.getGraph();
    String input = g.getInput(0).getName();
    String output = g.getOutput(0).getName();
    Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
    for (OnnxMl.NodeProto node : g.getNodeList()) {
      for (String in : node.getInputList())
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
    }
    List<String> quantized = new ArrayList<>();
    quantized.add(input);
    for (OnnxMl.NodeProto node : g.getNodeList()) {
      String out = node.getOutput(0);
      List<OnnxMl.NodeProto> users = consumers.getOrDefault(out, List.of());
      boolean onlyRelu =
          !users.isEmpty() && users.stream().allMatch(u -> u.getOpType().equals("Relu"));
      if (!out.equals(output) && !onlyRelu) quantized.add(out);
    }
    return quantized;
  }

  /** Parses an ONNX model, or fails with one clear line. */
  public static OnnxMl.ModelProto parseModel(byte[] bytes) {
    return parse(bytes);
  }

  private static OnnxMl.ModelProto parse(byte[] bytes) {
    try {
      return OnnxMl.ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ImgclassException(
          "cannot quantize: the FP32 model is not valid ONNX (" + e.getMessage() + ")");
    }
  }

  /**
   * [low, high] of each tensor over the calibration images, by {@code method}. Entropy needs each
   * tensor's exact min and max before its histogram, so it runs the images twice.
   */
  static Map<String, float[]> calibrate(
      OnnxMl.ModelProto model,
      List<String> tensors,
      float[] inputs,
      int n,
      Method method,
      int threads) {
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    Set<String> outputs = new HashSet<>();
    for (OnnxMl.ValueInfoProto v : g.getOutputList()) outputs.add(v.getName());
    OnnxMl.TypeProto floatType =
        OnnxMl.TypeProto.newBuilder()
            .setTensorType(
                OnnxMl.TypeProto.Tensor.newBuilder()
                    .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
            .build();
    for (String t : tensors) {
      if (!outputs.contains(t) && !t.equals(g.getInput(0).getName()))
        g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(t).setType(floatType));
    }
    byte[] probe = model.toBuilder().setGraph(g).build().toByteArray();
    int sampleSize = method == Method.PERCENTILE ? SAMPLES_PER_TENSOR : 0;
    Map<String, RangeSampler> samplers = new LinkedHashMap<>();
    for (String t : tensors) samplers.put(t, new RangeSampler(sampleSize, t.hashCode()));
    Map<String, EntropyCalibrator> histograms = new LinkedHashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT); // keep every tensor
      if (threads > 0) so.setIntraOpNumThreads(threads);
      try (OrtSession s = env.createSession(probe, so)) {
        forEachOutput(
            env, s, model, inputs, n, samplers.keySet(), (t, v) -> samplers.get(t).add(v));
        if (method == Method.ENTROPY) {
          samplers.forEach((t, sm) -> histograms.put(t, new EntropyCalibrator(sm.min(), sm.max())));
          forEachOutput(
              env, s, model, inputs, n, samplers.keySet(), (t, v) -> histograms.get(t).add(v));
        }
      }
    } catch (OrtException e) {
      throw new ImgclassException("calibration failed in ONNX Runtime: " + e.getMessage(), e);
    }
    Map<String, float[]> ranges = new HashMap<>();
    for (String t : tensors) {
      ranges.put(
          t,
          switch (method) {
            case MINMAX -> samplers.get(t).minMax();
            case PERCENTILE -> samplers.get(t).percentiles();
            case ENTROPY -> histograms.get(t).range();
          });
    }
    return ranges;
  }

  /**
   * Runs the images in batches of 64 and hands the values of each wanted tensor to {@code sink}.
   */
  private static void forEachOutput(
      OrtEnvironment env,
      OrtSession s,
      OnnxMl.ModelProto model,
      float[] inputs,
      int n,
      Set<String> wanted,
      BiConsumer<String, FloatBuffer> sink)
      throws OrtException {
    long[] shape = inputShape(model);
    int per = (int) (shape[1] * shape[2] * shape[3]);
    String in = model.getGraph().getInput(0).getName();
    for (int start = 0; start < n; start += 64) {
      int b = Math.min(64, n - start);
      FloatBuffer buf = FloatBuffer.wrap(inputs, start * per, b * per).slice();
      sink.accept(in, buf);
      try (OnnxTensor x =
              OnnxTensor.createTensor(env, buf, new long[] {b, shape[1], shape[2], shape[3]});
          OrtSession.Result r = s.run(Map.of(in, x))) {
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
          if (wanted.contains(e.getKey()))
            sink.accept(e.getKey(), ((OnnxTensor) e.getValue()).getFloatBuffer());
        }
      }
    }
  }

  private static long[] inputShape(OnnxMl.ModelProto model) {
    OnnxMl.TensorShapeProto s = model.getGraph().getInput(0).getType().getTensorType().getShape();
    long[] d = new long[s.getDimCount()];
    for (int i = 0; i < d.length; i++) d[i] = s.getDim(i).getDimValue();
    return d;
  }

  /** uint8 scale and zero point for a range, which is widened to include 0. */
  public static float[] uint8Params(float[] range) {
    double lo = Math.min(0, range[0]);
    double hi = Math.max(0, range[1]);
    double scale = (hi - lo) / 255.0;
    if (!(scale > 0)) scale = 1e-8;
    double zp = Math.max(0, Math.min(255, Math.round(-lo / scale)));
    return new float[] {(float) scale, (float) zp};
  }

  private static OnnxMl.ModelProto rewrite(
      OnnxMl.ModelProto model, List<String> quantized, Map<String, float[]> ranges, int qmax) {
    OnnxMl.GraphProto g = model.getGraph();
    Map<String, OnnxMl.TensorProto> inits = new LinkedHashMap<>();
    for (OnnxMl.TensorProto t : g.getInitializerList()) inits.put(t.getName(), t);
    Map<String, String> dq = new HashMap<>(); // tensor -> its dequantized twin
    Map<String, Float> scaleOf = new HashMap<>();
    List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    List<OnnxMl.TensorProto> newInits = new ArrayList<>();
    Set<String> replacedWeights = new HashSet<>();
    Set<String> quantizedSet = new HashSet<>(quantized);

    java.util.function.Consumer<String> qdq =
        t -> {
          float[] p = uint8Params(ranges.get(t));
          scaleOf.put(t, p[0]);
          newInits.add(floatScalar(t + "_scale", p[0]));
          newInits.add(
              OnnxMl.TensorProto.newBuilder()
                  .setName(t + "_zp")
                  .setDataType(OnnxMl.TensorProto.DataType.UINT8.getNumber())
                  .setRawData(ByteString.copyFrom(new byte[] {(byte) (int) p[1]}))
                  .build());
          nodes.add(
              node("QuantizeLinear", List.of(t, t + "_scale", t + "_zp"), t + "_q", List.of()));
          nodes.add(
              node(
                  "DequantizeLinear",
                  List.of(t + "_q", t + "_scale", t + "_zp"),
                  t + "_dq",
                  List.of()));
          dq.put(t, t + "_dq");
        };

    qdq.accept(g.getInput(0).getName());
    for (OnnxMl.NodeProto node : g.getNodeList()) {
      OnnxMl.NodeProto.Builder b = node.toBuilder();
      for (int i = 0; i < b.getInputCount(); i++) {
        String in = b.getInput(i);
        if (dq.containsKey(in)) b.setInput(i, dq.get(in));
      }
      boolean conv = node.getOpType().equals("Conv");
      boolean gemm = node.getOpType().equals("Gemm");
      if (conv || gemm) {
        String x = node.getInput(0);
        Float sx = scaleOf.get(x);
        if (sx == null)
          throw new IllegalStateException("input of " + node.getName() + " is not quantized");
        OnnxMl.TensorProto w = inits.get(node.getInput(1));
        float[] wScale = new float[(int) w.getDims(0)];
        String wq = quantizeWeight(w, wScale, qmax, newInits);
        nodes.add(
            node(
                "DequantizeLinear",
                List.of(wq, w.getName() + "_wscale", w.getName() + "_wzp"),
                w.getName() + "_dq",
                List.of(axis0())));
        b.setInput(1, w.getName() + "_dq");
        replacedWeights.add(w.getName());
        if (node.getInputCount() > 2) {
          OnnxMl.TensorProto bias = inits.get(node.getInput(2));
          quantizeBias(bias, sx, wScale, newInits);
          nodes.add(
              node(
                  "DequantizeLinear",
                  List.of(
                      bias.getName() + "_q", bias.getName() + "_bscale", bias.getName() + "_bzp"),
                  bias.getName() + "_dq",
                  List.of(axis0())));
          b.setInput(2, bias.getName() + "_dq");
          replacedWeights.add(bias.getName());
        }
      }
      nodes.add(b.build());
      String out = node.getOutput(0);
      if (quantizedSet.contains(out)) qdq.accept(out);
    }
    // Relu outputs were calibrated under the Relu's name; its input (Conv/Add output) is not Q/DQ'd
    OnnxMl.GraphProto.Builder ng = g.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
    for (OnnxMl.TensorProto t : g.getInitializerList())
      if (!replacedWeights.contains(t.getName())) ng.addInitializer(t);
    ng.addAllInitializer(newInits);
    return model.toBuilder()
        .setGraph(ng)
        .addMetadataProps(
            OnnxMl.StringStringEntryProto.newBuilder()
                .setKey(OnnxMetadata.QUANTIZATION)
                .setValue(
                    qmax == 127
                        ? "QDQ int8 per-channel weights, uint8 per-tensor activations"
                        : "QDQ int8 per-channel weights in [-"
                            + qmax
                            + ", "
                            + qmax
                            + "] (7-bit), uint8 per-tensor activations"))
        .build();
  }

  /**
   * Per-output-channel symmetric int8: s_c = max|w_c| / qmax, q = w / s_c rounded half to even (as
   * QuantizeLinear rounds, and as quantization-aware training's fake quantizer does).
   */
  private static String quantizeWeight(
      OnnxMl.TensorProto w, float[] scale, int qmax, List<OnnxMl.TensorProto> out) {
    float[] v = floats(w);
    int oc = scale.length;
    int per = v.length / oc;
    byte[] q = new byte[v.length];
    for (int c = 0; c < oc; c++) {
      float m = 0;
      for (int i = 0; i < per; i++) m = Math.max(m, Math.abs(v[c * per + i]));
      scale[c] = m > 0 ? m / (float) qmax : 1e-8f;
      for (int i = 0; i < per; i++)
        q[c * per + i] =
            (byte) Math.max(-qmax, Math.min(qmax, Math.rint(v[c * per + i] / scale[c])));
    }
    String name = w.getName() + "_q";
    out.add(
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.INT8.getNumber())
            .addAllDims(w.getDimsList())
            .setRawData(ByteString.copyFrom(q))
            .build());
    out.add(floatVector(w.getName() + "_wscale", scale));
    out.add(
        OnnxMl.TensorProto.newBuilder()
            .setName(w.getName() + "_wzp")
            .setDataType(OnnxMl.TensorProto.DataType.INT8.getNumber())
            .addDims(oc)
            .setRawData(ByteString.copyFrom(new byte[oc]))
            .build());
    return name;
  }

  /** int32 bias at scale s_x·s_w[c], zero point 0, as integer convolution kernels expect. */
  private static void quantizeBias(
      OnnxMl.TensorProto bias, float sx, float[] wScale, List<OnnxMl.TensorProto> out) {
    float[] v = floats(bias);
    float[] s = new float[v.length];
    ByteBuffer q = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int c = 0; c < v.length; c++) {
      s[c] = sx * wScale[c];
      q.putInt(
          (int)
              Math.max(
                  Integer.MIN_VALUE + 1,
                  Math.min(Integer.MAX_VALUE, Math.round((double) v[c] / s[c]))));
    }
    out.add(
        OnnxMl.TensorProto.newBuilder()
            .setName(bias.getName() + "_q")
            .setDataType(OnnxMl.TensorProto.DataType.INT32.getNumber())
            .addDims(v.length)
            .setRawData(ByteString.copyFrom(q.array()))
            .build());
    out.add(floatVector(bias.getName() + "_bscale", s));
    out.add(
        OnnxMl.TensorProto.newBuilder()
            .setName(bias.getName() + "_bzp")
            .setDataType(OnnxMl.TensorProto.DataType.INT32.getNumber())
            .addDims(v.length)
            .setRawData(ByteString.copyFrom(new byte[v.length * 4]))
            .build());
  }

  private static float[] floats(OnnxMl.TensorProto t) {
    FloatBuffer b =
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }

  private static OnnxMl.TensorProto floatScalar(String name, float v) {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
    return OnnxMl.TensorProto.newBuilder()
        .setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  private static OnnxMl.TensorProto floatVector(String name, float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return OnnxMl.TensorProto.newBuilder()
        .setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .addDims(v.length)
        .setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  /** The {@code axis = 0} attribute of a per-output-channel DequantizeLinear. */
  private static OnnxMl.AttributeProto axis0() {
    return OnnxMl.AttributeProto.newBuilder()
        .setName("axis")
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(0)
        .build();
  }

  private static OnnxMl.NodeProto node(
      String op, List<String> inputs, String output, List<OnnxMl.AttributeProto> attrs) {
    return OnnxMl.NodeProto.newBuilder()
        .setOpType(op)
        .setName(output)
        .addAllInput(inputs)
        .addOutput(output)
        .addAllAttribute(attrs)
        .build();
  }
}
