package dev.imgclass.train.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.List;

/**
 * A growing ONNX graph: blocks add initializers (weights) and nodes to it and get back the names of
 * their outputs. Names are made unique with a counter; weights are stored as FP32 raw data.
 */
public final class OnnxGraph {
  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
  private int counter;

  /** A fresh tensor name starting with {@code hint}. */
  public String name(String hint) {
    return hint + "_" + counter++;
  }

  /** Adds an FP32 weight tensor and returns its name. */
  public String initializer(String hint, float[] values, long... dims) {
    String n = name(hint);
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(n)
            .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) t.addDims(d);
    t.setRawData(com.google.protobuf.ByteString.copyFrom(b.array()));
    graph.addInitializer(t);
    return n;
  }

  /** Adds an INT64 constant tensor (shapes, axes) and returns its name. */
  public String longs(String hint, long... values) {
    String n = name(hint);
    graph.addInitializer(
        OnnxMl.TensorProto.newBuilder()
            .setName(n)
            .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
            .addDims(values.length)
            .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
    return n;
  }

  /** Adds a node with one output; returns the output's name. */
  public String node(String op, List<String> inputs, List<OnnxMl.AttributeProto> attributes) {
    String out = name(op.toLowerCase(java.util.Locale.ROOT));
    graph.addNode(
        OnnxMl.NodeProto.newBuilder()
            .setOpType(op)
            .setName(out)
            .addAllInput(inputs)
            .addOutput(out)
            .addAllAttribute(attributes));
    return out;
  }

  public String node(String op, String... inputs) {
    return node(op, List.of(inputs), List.of());
  }

  public static OnnxMl.AttributeProto ints(String name, long... values) {
    OnnxMl.AttributeProto.Builder a =
        OnnxMl.AttributeProto.newBuilder()
            .setName(name)
            .setType(OnnxMl.AttributeProto.AttributeType.INTS);
    for (long v : values) a.addInts(v);
    return a.build();
  }

  public static OnnxMl.AttributeProto real(String name, float value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  public static OnnxMl.AttributeProto integer(String name, long value) {
    return OnnxMl.AttributeProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  /** Renames the last node's output (the graph output gets a stable name). */
  public void renameLastOutput(String from, String to) {
    List<OnnxMl.NodeProto.Builder> nodes = new ArrayList<>(graph.getNodeBuilderList());
    OnnxMl.NodeProto.Builder last = nodes.get(nodes.size() - 1);
    if (!last.getOutput(0).equals(from))
      throw new IllegalStateException("last node does not produce " + from);
    last.setOutput(0, to);
  }

  public OnnxMl.GraphProto.Builder builder() {
    return graph;
  }
}
