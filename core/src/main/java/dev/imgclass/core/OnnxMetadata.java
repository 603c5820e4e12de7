package dev.imgclass.core;

/**
 * Names shared by the ONNX exporter and every ONNX reader: graph input and output, and the {@code
 * metadata_props} keys that carry the model's spec, so an exported file preprocesses exactly as the
 * trained model did.
 */
public final class OnnxMetadata {
  public static final int OPSET = 17;
  public static final String INPUT = "input";
  public static final String OUTPUT = "logits";

  /** {@link ModelSpec} as one-line JSON: architecture, classes, channels, size, mean, std. */
  public static final String SPEC = "imgclass.spec";

  /** Provenance as one-line JSON: seed, data fingerprint, git commit, tool version. */
  public static final String PROVENANCE = "imgclass.provenance";

  /** How pictures are brought to the input size. */
  public static final String RESIZE = "imgclass.resize";

  public static final String RESIZE_POLICY =
      "bilinear, transparency on white, BT.601 luma for gray";
  public static final String CLASSES = "classes";

  /** Present on quantized models: how they were quantized. */
  public static final String QUANTIZATION = "imgclass.quantization";

  private OnnxMetadata() {}
}
