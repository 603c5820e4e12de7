package dev.imgclass.train.export;

import ai.onnx.proto.OnnxMl;
import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.BuildInfo;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.onnx.OnnxGraph;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;

/**
 * Writes a model as ONNX (opset 17): the blocks emit their own nodes with batch norm folded into
 * the convolutions, the batch dimension is dynamic, and {@code metadata_props} carry the spec
 * (classes, input size, channels, mean/std, resize policy) and provenance.
 */
public final class OnnxExporter {
  private OnnxExporter() {}

  public static byte[] toBytes(Net net, Map<String, Object> provenance) {
    ModelSpec spec = net.spec();
    OnnxGraph g = new OnnxGraph();
    try (PointerScope scope = new PointerScope()) {
      String logits = net.toOnnx(g, OnnxMetadata.INPUT);
      g.renameLastOutput(logits, OnnxMetadata.OUTPUT);
    }
    OnnxMl.GraphProto.Builder graph = g.builder().setName(spec.architecture());
    graph.addInput(
        value(OnnxMetadata.INPUT, spec.inChannels(), spec.inputSize(), spec.inputSize()));
    graph.addOutput(value(OnnxMetadata.OUTPUT, spec.numClasses()));
    OnnxMl.ModelProto model =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(8)
            .addOpsetImport(
                OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxMetadata.OPSET))
            .setProducerName("imgclass")
            .setProducerVersion(BuildInfo.version())
            .setDocString(
                "imgclass "
                    + spec.architecture()
                    + " classifier, "
                    + spec.numClasses()
                    + " classes")
            .setGraph(graph)
            .addMetadataProps(meta(OnnxMetadata.SPEC, Json.line(spec)))
            .addMetadataProps(meta(OnnxMetadata.PROVENANCE, Json.line(provenance)))
            .addMetadataProps(meta(OnnxMetadata.RESIZE, OnnxMetadata.RESIZE_POLICY))
            .addMetadataProps(meta(OnnxMetadata.CLASSES, String.join(",", spec.classes())))
            .build();
    return model.toByteArray();
  }

  /** Exports atomically to {@code out}. */
  public static void export(Net net, Map<String, Object> provenance, Path out) {
    export(net, provenance, out, f -> {});
  }

  /**
   * Exports to a temporary file beside {@code out}, runs {@code check} on it (a parity check, say),
   * and only then renames it over {@code out}; a failed check leaves {@code out} as it was.
   */
  public static void export(
      Net net, Map<String, Object> provenance, Path out, AtomicFiles.Check check) {
    AtomicFiles.write(out, toBytes(net, provenance), check);
  }

  /** A float tensor value with a dynamic leading batch dimension. */
  private static OnnxMl.ValueInfoProto value(String name, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (long d : dims) shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    OnnxMl.TypeProto.Tensor.Builder t =
        OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
            .setShape(shape);
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(t))
        .build();
  }

  private static OnnxMl.StringStringEntryProto meta(String key, String value) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }
}
