package dev.imgclass.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The QDQ rewrite on a small real graph, built by hand (this module must not depend on the
 * exporter): input (B, 1, 8, 8) -> Conv 3x3 (4 channels) -> Relu -> Flatten -> Gemm (3 classes).
 */
class QdqRewriteTest {
  static final int S = 8;
  static final int CONV = 4;
  static final int CLASSES = 3;

  @Test
  void conv_relu_gemm_gets_qdq_pairs_int8_per_channel_weights_and_keeps_its_top1()
      throws Exception {
    OnnxMl.ModelProto fp32 = convReluGemm();
    float[] calib = images(128, 1);
    byte[] bytes =
        QdqQuantizer.quantize(fp32.toByteArray(), calib, 128, QdqQuantizer.Method.MINMAX, 1);
    OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(bytes).getGraph();
    Map<String, OnnxMl.TensorProto> inits = new HashMap<>();
    for (OnnxMl.TensorProto t : g.getInitializerList()) inits.put(t.getName(), t);
    Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
    for (OnnxMl.NodeProto n : g.getNodeList()) producer.put(n.getOutput(0), n);

    // activations: the input, the Relu's output (not the Conv's, which feeds only the Relu) and
    // the Flatten's; never the logits
    List<String> quantizedActivations =
        g.getNodeList().stream()
            .filter(n -> n.getOpType().equals("QuantizeLinear"))
            .map(n -> n.getInput(0))
            .toList();
    assertThat(quantizedActivations).containsExactly("input", "r", "f");
    for (String t : quantizedActivations) {
      OnnxMl.NodeProto dq = producer.get(t + "_dq");
      assertThat(dq.getOpType()).isEqualTo("DequantizeLinear");
      assertThat(dq.getInput(0)).isEqualTo(t + "_q");
      assertThat(producer.get(t + "_q").getOpType()).isEqualTo("QuantizeLinear");
    }

    for (String op : List.of("Conv", "Gemm")) {
      OnnxMl.NodeProto node =
          g.getNodeList().stream().filter(n -> n.getOpType().equals(op)).findFirst().orElseThrow();
      assertThat(node.getInput(0)).as(op + " input").endsWith("_dq");
      OnnxMl.NodeProto w = producer.get(node.getInput(1));
      assertThat(w.getOpType()).isEqualTo("DequantizeLinear");
      assertThat(w.getAttributeList())
          .anySatisfy(
              a -> {
                assertThat(a.getName()).isEqualTo("axis");
                assertThat(a.getI()).isZero();
              });
      OnnxMl.TensorProto q = inits.get(w.getInput(0));
      int outChannels = op.equals("Conv") ? CONV : CLASSES;
      assertThat(q.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT8.getNumber());
      assertThat(q.getDims(0)).isEqualTo(outChannels);
      assertThat(inits.get(w.getInput(1)).getDims(0))
          .as("one scale per channel")
          .isEqualTo(outChannels);
      OnnxMl.TensorProto bias = inits.get(producer.get(node.getInput(2)).getInput(0));
      assertThat(bias.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT32.getNumber());
    }
    assertThat(inits).doesNotContainKeys("conv.weight", "fc.weight"); // float weights are gone

    float[] x = images(200, 2);
    int[] a = top1(fp32.toByteArray(), x, 200);
    int[] b = top1(bytes, x, 200);
    int agree = 0;
    for (int i = 0; i < a.length; i++) agree += a[i] == b[i] ? 1 : 0;
    assertThat(agree).as("top-1 agreement of 200").isGreaterThanOrEqualTo(190);
  }

  @Test
  void seven_bit_weights_use_minus_63_to_63_per_channel_with_each_channels_max_at_63()
      throws Exception {
    OnnxMl.ModelProto fp32 = convReluGemm();
    float[] calib = images(64, 1);
    byte[] bytes =
        QdqQuantizer.quantize(fp32.toByteArray(), calib, 64, QdqQuantizer.Method.MINMAX, 1, 7);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(bytes);
    Map<String, OnnxMl.TensorProto> inits = new HashMap<>();
    for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) inits.put(t.getName(), t);
    for (String w : List.of("conv.weight", "fc.weight")) {
      byte[] q = inits.get(w + "_q").getRawData().toByteArray();
      int oc = (int) inits.get(w + "_q").getDims(0);
      int per = q.length / oc;
      for (int c = 0; c < oc; c++) {
        int max = 0;
        for (int i = 0; i < per; i++) max = Math.max(max, Math.abs(q[c * per + i]));
        assertThat(max).as(w + " channel " + c + " largest |q|").isEqualTo(63);
      }
    }
    assertThat(m.getMetadataPropsList())
        .anySatisfy(p -> assertThat(p.getValue()).contains("[-63, 63] (7-bit)"));
    int[] a = top1(fp32.toByteArray(), images(200, 2), 200);
    int[] b = top1(bytes, images(200, 2), 200);
    int agree = 0;
    for (int i = 0; i < a.length; i++) agree += a[i] == b[i] ? 1 : 0;
    assertThat(agree).as("top-1 agreement of 200").isGreaterThanOrEqualTo(190);
  }

  @Test
  void weight_bits_other_than_7_or_8_are_refused() {
    byte[] fp32 = convReluGemm().toByteArray();
    for (int bits : new int[] {0, 6, 9, 16})
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  QdqQuantizer.quantize(fp32, images(8, 1), 8, QdqQuantizer.Method.MINMAX, 1, bits))
          .isInstanceOf(dev.imgclass.core.ImgclassException.class)
          .hasMessage("--weight-bits must be 7 or 8, got " + bits);
  }

  /** Smooth random images, values in [0, 1). */
  static float[] images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * S * S];
    for (int i = 0; i < n; i++) {
      double fx = r.nextDouble(0.2, 1.5);
      double fy = r.nextDouble(0.2, 1.5);
      for (int p = 0; p < S * S; p++)
        x[i * S * S + p] = (float) (0.5 + 0.45 * Math.sin(fx * (p % S) + fy * (p / S)));
    }
    return x;
  }

  static int[] top1(byte[] model, float[] x, int n) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int[] out = new int[n];
    try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 1, S, S});
        OrtSession.Result r = s.run(Map.of("input", t))) {
      float[][] logits = (float[][]) r.get(0).getValue();
      for (int i = 0; i < n; i++) {
        for (int k = 1; k < CLASSES; k++) if (logits[i][k] > logits[i][out[i]]) out[i] = k;
      }
    }
    return out;
  }

  static OnnxMl.ModelProto convReluGemm() {
    SplittableRandom r = new SplittableRandom(7);
    OnnxMl.GraphProto.Builder g =
        OnnxMl.GraphProto.newBuilder()
            .setName("conv-relu-gemm")
            .addInput(value("input", 1, S, S))
            .addOutput(value("logits", CLASSES))
            .addInitializer(floats("conv.weight", r, 0.5, CONV, 1, 3, 3))
            .addInitializer(floats("conv.bias", r, 0.1, CONV))
            .addInitializer(floats("fc.weight", r, 0.2, CLASSES, CONV * S * S))
            .addInitializer(floats("fc.bias", r, 0.1, CLASSES))
            .addNode(
                node("Conv", List.of("input", "conv.weight", "conv.bias"), "c")
                    .addAttribute(ints("pads", 1, 1, 1, 1))
                    .addAttribute(ints("kernel_shape", 3, 3)))
            .addNode(node("Relu", List.of("c"), "r"))
            .addNode(node("Flatten", List.of("r"), "f"))
            .addNode(
                node("Gemm", List.of("f", "fc.weight", "fc.bias"), "logits")
                    .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                            .setName("transB")
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)
                            .setI(1)));
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(g)
        .build();
  }

  static OnnxMl.NodeProto.Builder node(String op, List<String> in, String out) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(in).addOutput(out);
  }

  static OnnxMl.AttributeProto ints(String name, long... v) {
    OnnxMl.AttributeProto.Builder a =
        OnnxMl.AttributeProto.newBuilder()
            .setName(name)
            .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long i : v) a.addInts(i);
    return a.build();
  }

  static OnnxMl.TensorProto floats(String name, SplittableRandom r, double scale, long... dims) {
    long n = 1;
    for (long d : dims) n *= d;
    ByteBuffer b = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) b.putFloat((float) (scale * r.nextGaussian()));
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
            .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) t.addDims(d);
    return t.build();
  }

  /** A float tensor with a dynamic leading batch dimension. */
  static OnnxMl.ValueInfoProto value(String name, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (long d : dims) shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
        .build();
  }
}
