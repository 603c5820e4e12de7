package dev.imgclass.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link Classifier} running an ONNX file in ONNX Runtime. Preprocessing comes from the file's
 * imgclass metadata (or from explicit classes/mean/std for foreign files), through the same {@link
 * Preprocessor} as training, so the exported model predicts what the trained one did.
 */
public final class OnnxClassifier implements Classifier {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final ModelSpec spec;
  private final String inputName;
  private final Map<String, String> metadata;

  private OnnxClassifier(
      OrtSession session, ModelSpec spec, String inputName, Map<String, String> metadata) {
    this.session = session;
    this.spec = spec;
    this.metadata = Map.copyOf(metadata);
    this.inputName = inputName;
  }

  public static OnnxClassifier open(Path file, OnnxOptions options) {
    return open(file, options, true);
  }

  /**
   * {@link #open(Path, OnnxOptions)}, choosing whether idle intra-op threads spin-wait for work.
   * Spinning (ONNX Runtime's default) wins when inference has the cores to itself; a server that
   * shares them with HTTP and decoding threads turns it off so waiting threads yield the CPU.
   */
  public static OnnxClassifier open(Path file, OnnxOptions options, boolean spinWait) {
    if (!Files.isRegularFile(file)) throw new ImgclassException("ONNX model not found: " + file);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (options.threads() > 0) so.setIntraOpNumThreads(options.threads());
      if (!spinWait) {
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
        so.addConfigEntry("session.inter_op.allow_spinning", "0");
      }
      addProvider(so, options.provider());
      session = env.createSession(file.toString(), so);
    } catch (OrtException e) {
      throw new ImgclassException(
          "cannot load ONNX model "
              + file
              + ": "
              + firstLine(e.getMessage())
              + " (is the file complete and an ONNX model?)",
          e);
    }
    try {
      Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
      long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
      Map<String, String> meta = session.getMetadata().getCustomMetadata();
      ModelSpec spec = specOf(file, meta, shape, options);
      return new OnnxClassifier(session, spec, input.getKey(), meta);
    } catch (OrtException | RuntimeException e) {
      try {
        session.close();
      } catch (OrtException ignored) {
        // already failing; the first error is the one to report
      }
      if (e instanceof ImgclassException ie) throw ie;
      throw new ImgclassException(
          "cannot read ONNX model " + file + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static void addProvider(OrtSession.SessionOptions so, String provider)
      throws OrtException {
    try {
      switch (provider) {
        case "cuda" -> so.addCUDA();
        case "tensorrt" -> so.addTensorrt(0);
        default -> {}
      }
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      throw new ImgclassException(
          "execution provider '"
              + provider
              + "' is not available here: this build runs ONNX Runtime's CPU provider (use --provider cpu, or put the onnxruntime_gpu artifact on the classpath of a machine with a GPU)",
          e);
    }
  }

  /** The spec from imgclass metadata, or from explicit options for a foreign file. */
  static ModelSpec specOf(Path file, Map<String, String> meta, long[] inputShape, OnnxOptions o) {
    String json = meta.get(OnnxMetadata.SPEC);
    if (json != null) {
      try {
        return Json.MAPPER.readValue(json, ModelSpec.class);
      } catch (JsonProcessingException e) {
        throw new ImgclassException(
            "the imgclass metadata in "
                + file
                + " is damaged: "
                + firstLine(e.getOriginalMessage()));
      }
    }
    if (o.classes().isEmpty() || o.mean().isEmpty() || o.std().isEmpty()) {
      throw new ImgclassException(
          file
              + " has no imgclass metadata (classes, mean, std): pass --classes a,b,... --mean m[,m,m] --std s[,s,s], or export it with 'imgclass export'");
    }
    if (inputShape.length != 4 || inputShape[2] <= 0 || inputShape[2] != inputShape[3]) {
      throw new ImgclassException(
          file
              + " takes input of shape "
              + java.util.Arrays.toString(inputShape)
              + "; a fixed square (N, C, S, S) input is needed");
    }
    return new ModelSpec(
        "onnx",
        o.classes().get(),
        (int) inputShape[1],
        (int) inputShape[2],
        o.mean().get(),
        o.std().get());
  }

  /** The file's custom metadata ({@code metadata_props}): spec, provenance, quantization. */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public float[][] logits(float[] inputs, int n) {
    int s = spec.inputSize();
    try (OnnxTensor t =
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(inputs), new long[] {n, spec.inChannels(), s, s});
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      float[][] out = (float[][]) r.get(0).getValue();
      if (out.length != n || out[0].length != spec.numClasses()) {
        throw new ImgclassException(
            "the ONNX model gives "
                + out[0].length
                + " outputs per image, its metadata names "
                + spec.numClasses()
                + " classes");
      }
      return out;
    } catch (OrtException e) {
      throw new ImgclassException("ONNX Runtime failed: " + firstLine(e.getMessage()), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new ImgclassException("cannot close ONNX session: " + e.getMessage(), e);
    }
  }

  static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
