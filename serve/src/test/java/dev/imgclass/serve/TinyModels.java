package dev.imgclass.serve;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Small ONNX models with imgclass metadata for the server's tests: gray 8×8 input, flattened into
 * one linear layer whose logits are (mean − 0.25 + bias, 0.25 − mean, 0), so bright pictures are
 * "bright", dark ones "dark". {@code bias} tells versions apart.
 */
final class TinyModels {
  static final int S = 8;
  static final List<String> CLASSES = List.of("bright", "dark", "other");

  private TinyModels() {}

  /** Writes the model to {@code file}; {@code outputs} logits (3 matches its metadata). */
  static Path write(Path file, float bias, int outputs) {
    int in = S * S;
    ByteBuffer w = ByteBuffer.allocate(outputs * in * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < outputs; k++)
      for (int i = 0; i < in; i++) w.putFloat(k == 0 ? 1f / in : k == 1 ? -1f / in : 0f);
    ByteBuffer b = ByteBuffer.allocate(outputs * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < outputs; k++) b.putFloat(k == 0 ? -0.25f + bias : k == 1 ? 0.25f : 0f);
    OnnxMl.GraphProto g =
        OnnxMl.GraphProto.newBuilder()
            .setName("tiny")
            .addInput(value(OnnxMetadata.INPUT, 1, S, S))
            .addOutput(value(OnnxMetadata.OUTPUT, outputs))
            .addInitializer(tensor("fc.weight", w, outputs, in))
            .addInitializer(tensor("fc.bias", b, outputs))
            .addNode(node("Flatten", List.of(OnnxMetadata.INPUT), "flat"))
            .addNode(
                node("Gemm", List.of("flat", "fc.weight", "fc.bias"), OnnxMetadata.OUTPUT)
                    .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                            .setName("transB")
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)
                            .setI(1)))
            .build();
    ModelSpec spec = new ModelSpec("tiny", CLASSES, 1, S, List.of(0.0), List.of(1.0));
    OnnxMl.ModelProto m =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxMetadata.OPSET))
            .setGraph(g)
            .addMetadataProps(
                OnnxMl.StringStringEntryProto.newBuilder()
                    .setKey(OnnxMetadata.SPEC)
                    .setValue(Json.line(spec)))
            .build();
    try {
      Files.write(file, m.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * The same model with a slow branch beside it: {@code layers} 1024×1024 matrix products whose
   * result is multiplied by zero and added to the logits, so the answers are those of {@link
   * #write(Path, float)} and only the latency differs.
   */
  static Path writeSlow(Path file, float bias, int layers) {
    int in = S * S;
    int wide = 1024;
    write(file, bias);
    try {
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
      OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
      // rename the real logits, then add the slow branch into the output
      OnnxMl.NodeProto gemm = g.getNode(1).toBuilder().setOutput(0, "fast").setName("fast").build();
      g.setNode(1, gemm);
      java.util.Random r = new java.util.Random(1);
      g.addInitializer(tensor("w0", randoms(r, in * wide), in, wide));
      String prev = "flat";
      g.addNode(node("MatMul", List.of(prev, "w0"), "h0"));
      prev = "h0";
      for (int k = 1; k <= layers; k++) {
        g.addInitializer(tensor("w" + k, randoms(r, wide * wide), wide, wide));
        g.addNode(node("MatMul", List.of(prev, "w" + k), "h" + k));
        prev = "h" + k;
      }
      ByteBuffer zero = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0f);
      g.addInitializer(tensor("zero", zero));
      g.addNode(node("ReduceSum", List.of(prev), "sum"));
      g.addNode(node("Mul", List.of("sum", "zero"), "nothing"));
      g.addNode(node("Add", List.of("fast", "nothing"), OnnxMetadata.OUTPUT));
      Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static ByteBuffer randoms(java.util.Random r, int n) {
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) b.putFloat((float) (r.nextGaussian() * 0.01));
    return b;
  }

  static Path write(Path file, float bias) {
    return write(file, bias, CLASSES.size());
  }

  /** A gray PNG of one level, {@code size} pixels square. */
  static byte[] png(int level, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < size; y++)
      for (int x = 0; x < size; x++) img.getRaster().setSample(x, y, 0, level);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static OnnxMl.NodeProto.Builder node(String op, List<String> in, String out) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(in).addOutput(out);
  }

  private static OnnxMl.TensorProto tensor(String name, ByteBuffer data, long... dims) {
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
            .setRawData(ByteString.copyFrom(data.array()));
    for (long d : dims) t.addDims(d);
    return t.build();
  }

  private static OnnxMl.ValueInfoProto value(String name, long... dims) {
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
