package dev.imgclass.train.compress;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.quantize.QdqQuantizer;
import dev.imgclass.train.engine.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The training graph of quantization-aware training: our own exported FP32 ONNX graph (batch norm
 * already folded into the convolutions) run op by op in libtorch, its convolution and Gemm weights
 * and biases trainable, with a fake quantizer ({@link FakeQuant}) at exactly the tensors the QDQ
 * exporter quantizes ({@link QdqQuantizer#quantizedTensors}) and on every weight (per output
 * channel). What it computes is what ONNX Runtime computes from the QDQ file {@link #toQdq} writes,
 * up to float rounding in the accumulations and the int32 bias.
 *
 * <p>Activation ranges start from calibration; while {@link #observing} they follow an exponential
 * moving average of each training batch's min and max (PyTorch's moving-average observer), and once
 * frozen they stay put, so the last steps train the weights against the ranges that ship.
 */
public final class QatGraph {
  /** Ops the exporter emits; a graph with any other op is not ours and is refused. */
  static final Set<String> OPS =
      Set.of(
          "Conv",
          "Relu",
          "Clip",
          "HardSigmoid",
          "HardSwish",
          "Sigmoid",
          "Add",
          "Mul",
          "GlobalAveragePool",
          "Flatten",
          "Gemm",
          "MaxPool");

  private final OnnxMl.ModelProto model;
  private final String input;
  private final String output;
  private final Map<String, Tensor> constants = new HashMap<>();
  private final Map<String, Tensor> trainable = new LinkedHashMap<>();
  private final List<Map<String, OnnxMl.AttributeProto>> attributes = new ArrayList<>(); // by node
  private final Set<String> quantized;
  private final Map<String, float[]> ranges = new LinkedHashMap<>();
  private final double averaging;
  private final int weightBits;
  private boolean observing = true;

  /**
   * @param fp32 an FP32 graph written by our exporter
   * @param ranges initial [low, high] of every quantized tensor (from calibration)
   * @param averaging weight of each batch's min and max in the moving average, in (0, 1]
   */
  public QatGraph(OnnxMl.ModelProto fp32, Map<String, float[]> ranges, double averaging) {
    this(fp32, ranges, averaging, QdqQuantizer.WEIGHT_BITS);
  }

  /**
   * As {@link #QatGraph(OnnxMl.ModelProto, Map, double)}, with weights fake-quantized (and
   * exported) at {@code weightBits}, 7 or 8.
   */
  public QatGraph(
      OnnxMl.ModelProto fp32, Map<String, float[]> ranges, double averaging, int weightBits) {
    QdqQuantizer.weightMax(weightBits);
    this.weightBits = weightBits;
    this.model = fp32;
    OnnxMl.GraphProto g = fp32.getGraph();
    this.input = g.getInput(0).getName();
    this.output = g.getOutput(0).getName();
    this.averaging = averaging;
    for (OnnxMl.NodeProto n : g.getNodeList())
      if (!OPS.contains(n.getOpType()))
        throw new ImgclassException(
            "quantization-aware training does not know the ONNX op '"
                + n.getOpType()
                + "' (node "
                + n.getName()
                + "): it trains graphs imgclass exported");
    Set<String> learned = new LinkedHashSet<>();
    for (OnnxMl.NodeProto n : g.getNodeList()) {
      Map<String, OnnxMl.AttributeProto> a = new HashMap<>();
      for (OnnxMl.AttributeProto p : n.getAttributeList()) a.put(p.getName(), p);
      attributes.add(a);
      if (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) {
        learned.add(n.getInput(1));
        if (n.getInputCount() > 2) learned.add(n.getInput(2));
      }
    }
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) continue;
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      Tensor v = Tensors.floats(floats(t), dims);
      if (learned.contains(t.getName())) {
        v.set_requires_grad(true);
        trainable.put(t.getName(), v);
      } else {
        constants.put(t.getName(), v);
      }
    }
    this.quantized = new LinkedHashSet<>(QdqQuantizer.quantizedTensors(fp32));
    for (String t : quantized) {
      float[] r = ranges.get(t);
      if (r == null) throw new IllegalArgumentException("no initial range for " + t);
      this.ranges.put(t, r.clone());
    }
  }

  /** The trainable tensors (weights and biases), by initializer name. */
  public Map<String, Tensor> parameters() {
    return trainable;
  }

  /** Starts or stops the range observers (they move only in training forwards). */
  public void observe(boolean on) {
    observing = on;
  }

  public boolean observing() {
    return observing;
  }

  /** The current [low, high] of each quantized tensor. */
  public Map<String, float[]> ranges() {
    Map<String, float[]> out = new LinkedHashMap<>();
    ranges.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  /**
   * (B, C, H, W) preprocessed input -> (B, K) logits.
   *
   * @param training update the observers (when observing) and keep the autograd graph
   * @param quantize fake-quantize (false: the plain FP32 graph)
   */
  public Tensor forward(Tensor x, boolean training, boolean quantize) {
    Map<String, Tensor> env = new HashMap<>();
    env.put(input, quantize ? quant(input, x, training) : x);
    List<OnnxMl.NodeProto> nodes = model.getGraph().getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      OnnxMl.NodeProto n = nodes.get(i);
      Tensor y = apply(n, attributes.get(i), env, quantize);
      String out = n.getOutput(0);
      env.put(out, quantize && quantized.contains(out) ? quant(out, y, training) : y);
    }
    return env.get(output);
  }

  private Tensor quant(String name, Tensor v, boolean training) {
    float[] r = ranges.get(name);
    if (training && observing) {
      float lo;
      float hi;
      try (NoGradGuard g = new NoGradGuard()) {
        lo = v.min().item_float();
        hi = v.max().item_float();
      }
      r[0] = (float) (r[0] + averaging * (lo - r[0]));
      r[1] = (float) (r[1] + averaging * (hi - r[1]));
    }
    float[] p = FakeQuant.params(r);
    return FakeQuant.uint8(v, p[0], p[1]);
  }

  private Tensor apply(
      OnnxMl.NodeProto n,
      Map<String, OnnxMl.AttributeProto> a,
      Map<String, Tensor> env,
      boolean quantize) {
    java.util.function.IntFunction<Tensor> in =
        i -> {
          String name = n.getInput(i);
          Tensor t = env.get(name);
          if (t == null) t = trainable.get(name);
          if (t == null) t = constants.get(name);
          if (t == null)
            throw new ImgclassException("node " + n.getName() + " reads unknown tensor " + name);
          return t;
        };
    return switch (n.getOpType()) {
      case "Conv" -> {
        Tensor[] wb = weightAndBias(n, in, quantize);
        long[] pads = ints(a, "pads", 0, 0, 0, 0);
        yield torch.conv2d(
            in.apply(0),
            wb[0],
            wb[1] == null ? new TensorOptional() : new TensorOptional(wb[1]),
            ints(a, "strides", 1, 1),
            new long[] {pads[0], pads[1]},
            ints(a, "dilations", 1, 1),
            a.containsKey("group") ? a.get("group").getI() : 1);
      }
      case "Gemm" -> {
        if (!a.containsKey("transB") || a.get("transB").getI() != 1)
          throw new ImgclassException("Gemm without transB=1 is not an imgclass head");
        Tensor[] wb = weightAndBias(n, in, quantize);
        yield torch.linear(
            in.apply(0), wb[0], wb[1] == null ? new TensorOptional() : new TensorOptional(wb[1]));
      }
      case "Relu" -> torch.relu(in.apply(0));
      case "Clip" ->
          in.apply(0)
              .clamp(
                  new ScalarOptional(Tensors.scalar(in.apply(1).item_float())),
                  new ScalarOptional(Tensors.scalar(in.apply(2).item_float())));
      case "HardSigmoid" -> {
        float alpha = a.containsKey("alpha") ? a.get("alpha").getF() : 0.2f;
        float beta = a.containsKey("beta") ? a.get("beta").getF() : 0.5f;
        yield in.apply(0)
            .mul(Tensors.scalar(alpha))
            .add(Tensors.scalar(beta))
            .clamp(new ScalarOptional(Tensors.scalar(0)), new ScalarOptional(Tensors.scalar(1)));
      }
      case "HardSwish" -> torch.hardswish(in.apply(0));
      case "Sigmoid" -> torch.sigmoid(in.apply(0));
      case "Add" -> in.apply(0).add(in.apply(1));
      case "Mul" -> in.apply(0).mul(in.apply(1));
      case "GlobalAveragePool" -> torch.adaptive_avg_pool2d(in.apply(0), new long[] {1, 1});
      case "Flatten" -> torch.flatten(in.apply(0), 1, -1);
      case "MaxPool" -> {
        long[] pads = ints(a, "pads", 0, 0, 0, 0);
        yield torch.max_pool2d(
            in.apply(0),
            ints(a, "kernel_shape"),
            ints(a, "strides", 1, 1),
            new long[] {pads[0], pads[1]},
            new long[] {1, 1},
            false);
      }
      default -> throw new IllegalStateException(n.getOpType()); // refused in the constructor
    };
  }

  /**
   * A Conv's or Gemm's weight and bias (null when it has none), fake-quantized as the exporter
   * quantizes them: int8 per output channel, and int32 at s_x·s_w.
   */
  private Tensor[] weightAndBias(
      OnnxMl.NodeProto n, java.util.function.IntFunction<Tensor> in, boolean quantize) {
    Tensor w = in.apply(1);
    Tensor b = n.getInputCount() > 2 ? in.apply(2) : null;
    if (!quantize) return new Tensor[] {w, b};
    FakeQuant.Weight q = FakeQuant.int8Weight(w, QdqQuantizer.weightMax(weightBits));
    if (b == null) return new Tensor[] {q.value(), null};
    float sx = FakeQuant.params(ranges.get(n.getInput(0)))[0];
    return new Tensor[] {q.value(), FakeQuant.int32Bias(b, sx, q.scales())};
  }

  private static long[] ints(Map<String, OnnxMl.AttributeProto> a, String name, long... dflt) {
    OnnxMl.AttributeProto p = a.get(name);
    if (p == null) return dflt;
    return p.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  /** The FP32 graph with the trained weights and biases in place of the original ones. */
  public OnnxMl.ModelProto trainedFp32() {
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      OnnxMl.TensorProto t = g.getInitializer(i);
      Tensor v = trainable.get(t.getName());
      if (v == null) continue;
      float[] f = Tensors.toFloats(v.detach());
      ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(f);
      g.setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(b.array())));
    }
    return model.toBuilder().setGraph(g).build();
  }

  /** The QDQ INT8 model of the trained weights at the current ranges. */
  public byte[] toQdq() {
    return QdqQuantizer.quantize(trainedFp32().toByteArray(), ranges(), weightBits);
  }

  private static float[] floats(OnnxMl.TensorProto t) {
    if (t.getRawData().isEmpty()) {
      float[] v = new float[t.getFloatDataCount()];
      for (int i = 0; i < v.length; i++) v[i] = t.getFloatData(i);
      return v;
    }
    FloatBuffer b =
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[b.remaining()];
    b.get(v);
    return v;
  }
}
