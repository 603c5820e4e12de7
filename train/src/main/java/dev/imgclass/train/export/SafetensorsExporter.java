package dev.imgclass.train.export;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model's weights as a torchvision {@code state_dict} in safetensors, so that {@code
 * torchvision.models.resnet18(num_classes=K).load_state_dict(load_file(f), strict=True)} (or the
 * matching {@link TorchvisionModel}) gives our logits. Float tensors are F32, {@code
 * num_batches_tracked} I64, the metadata says {@code format: pt} and carries the model card (spec,
 * provenance, resize policy, classes). A gray model's stem is replicated over RGB and divided by 3,
 * which gives the same logits on a gray image fed as 3 equal channels. A small-input model (stem at
 * stride 1) is exported with a warning and the two Python statements that make torchvision's model
 * run the same stem. The file replaces its target only after it reads back exactly as written.
 */
public final class SafetensorsExporter {
  /** Metadata key: the torchvision call that builds the model these weights load into. */
  public static final String TORCHVISION = "imgclass.torchvision";

  /** Metadata key: Python that makes torchvision's {@code model} run our small-input stem. */
  public static final String PATCH = "imgclass.torchvision_patch";

  /** Metadata key: the notes and warnings of the export, as a JSON list. */
  public static final String NOTES = "imgclass.notes";

  private static final String BATCHES_TRACKED = "num_batches_tracked";

  private SafetensorsExporter() {}

  /**
   * What an export wrote.
   *
   * @param torchvision the Python call that builds the model the file loads into
   * @param notes what was adapted without changing the logits (a gray stem made RGB)
   * @param warnings what makes torchvision's unmodified model compute something else
   */
  public record Result(
      Path file,
      long bytes,
      int tensors,
      String torchvision,
      List<String> notes,
      List<String> warnings) {}

  /** The state_dict and metadata an export writes, before any file exists. */
  public record Plan(
      Map<String, TensorData> tensors,
      Map<String, String> metadata,
      String torchvision,
      List<String> notes,
      List<String> warnings) {}

  /** Exports atomically to {@code out}; refuses architectures torchvision does not have. */
  public static Result export(Net net, Map<String, Object> provenance, Path out) {
    return export(net, provenance, out, f -> {});
  }

  /**
   * Writes to a temporary file beside {@code out}, reads it back and compares every name, dtype,
   * shape, byte and metadata entry with what was meant, runs {@code check}, and only then renames
   * it over {@code out}: a file that fails either check leaves {@code out} as it was.
   */
  public static Result export(
      Net net, Map<String, Object> provenance, Path out, AtomicFiles.Check check) {
    Plan p = plan(net, provenance);
    Safetensors.write(
        out,
        p.tensors(),
        p.metadata(),
        f -> {
          readBack(f, out, p);
          check.accept(f);
        });
    long bytes;
    try {
      bytes = Files.size(out);
    } catch (IOException e) {
      throw new ImgclassException("cannot read the size of " + out + ": " + e.getMessage(), e);
    }
    return new Result(out, bytes, p.tensors().size(), p.torchvision(), p.notes(), p.warnings());
  }

  /** The torchvision state_dict and metadata of {@code net}. */
  public static Plan plan(Net net, Map<String, Object> provenance) {
    ModelSpec spec = net.spec();
    TorchvisionModel tv = TorchvisionModel.require(spec.architecture());
    String call = tv.call(spec.numClasses());
    List<String> notes = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    Weights.toData(net).forEach((name, d) -> tensors.put(name, torchvisionDtype(name, d)));
    ModelSpec fileSpec = spec;
    if (spec.inChannels() == 1) {
      TensorData stem = tensors.get(tv.stem());
      if (stem == null || stem.shape().length != 4 || stem.shape()[1] != 1)
        throw new IllegalStateException(tv.stem() + " is not a 1-channel stem convolution");
      tensors.put(tv.stem(), Weights.grayStemToRgb(stem));
      fileSpec =
          new ModelSpec(
              spec.architecture(),
              spec.classes(),
              3,
              spec.inputSize(),
              Collections.nCopies(3, spec.mean().get(0)),
              Collections.nCopies(3, spec.std().get(0)));
      notes.add(
          "the model is gray and torchvision's stem takes RGB: "
              + tv.stem()
              + " is replicated over 3 channels and divided by 3, which gives the same logits on"
              + " a gray image fed as 3 equal channels (mean/std repeated per channel)");
    }
    if (spec.inputSize() < Net.SMALL_INPUT) {
      warnings.add(
          String.format(
              "%s at %d px runs its stem at stride 1%s (inputs below %d px); torchvision's %s"
                  + " runs it at stride 2, so its logits differ unless you run: %s",
              spec.architecture(),
              spec.inputSize(),
              tv.builder().startsWith("resnet") ? " without the max pool" : "",
              Net.SMALL_INPUT,
              tv.builder(),
              tv.smallInputPatch()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put(TORCHVISION, call);
    if (!warnings.isEmpty()) meta.put(PATCH, tv.smallInputPatch());
    meta.put(OnnxMetadata.SPEC, Json.line(fileSpec));
    meta.put(OnnxMetadata.PROVENANCE, Json.line(provenance));
    meta.put(OnnxMetadata.RESIZE, OnnxMetadata.RESIZE_POLICY);
    meta.put(OnnxMetadata.CLASSES, String.join(",", spec.classes()));
    List<String> all = new ArrayList<>(notes);
    all.addAll(warnings);
    meta.put(NOTES, Json.line(all));
    return new Plan(tensors, meta, call, List.copyOf(notes), List.copyOf(warnings));
  }

  /** torchvision's dtypes: {@code num_batches_tracked} is int64, everything else float32. */
  private static TensorData torchvisionDtype(String name, TensorData d) {
    boolean counter = name.endsWith("." + BATCHES_TRACKED);
    String want = counter ? "I64" : "F32";
    if (d.dtype().equals(want)) return d;
    if (!counter) return TensorData.ofFloats(d.toFloats(), d.shape());
    float[] f = d.toFloats();
    long[] l = new long[f.length];
    for (int i = 0; i < f.length; i++) l[i] = Math.round(f[i]);
    return TensorData.ofLongs(l, d.shape());
  }

  /** Refuses {@code written} unless it holds exactly the plan's tensors and metadata. */
  private static void readBack(Path written, Path target, Plan p) {
    Safetensors.Contents c = Safetensors.read(written);
    String problem = null;
    if (!List.copyOf(c.tensors().keySet()).equals(List.copyOf(p.tensors().keySet()))) {
      problem = "the tensor names or their order differ";
    } else if (!c.metadata().equals(p.metadata())) {
      problem = "the metadata differs";
    } else {
      for (Map.Entry<String, TensorData> e : p.tensors().entrySet()) {
        TensorData want = e.getValue();
        TensorData got = c.tensors().get(e.getKey());
        if (!got.dtype().equals(want.dtype())
            || !Arrays.equals(got.shape(), want.shape())
            || !Arrays.equals(got.bytes(), want.bytes())) {
          problem = e.getKey() + " differs";
          break;
        }
      }
    }
    if (problem != null) {
      throw new ImgclassException(
          "the safetensors file written for "
              + target
              + " does not read back as written ("
              + problem
              + "); nothing was replaced: this is a bug, please report it");
    }
  }
}
