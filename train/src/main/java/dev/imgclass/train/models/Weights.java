package dev.imgclass.train.models;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * Moves a model's tensors to and from safetensors files, by name. Loading is strict: a missing,
 * unexpected or differently shaped tensor is refused with the names and shapes involved.
 */
public final class Weights {
  private Weights() {}

  public static Map<String, TensorData> toData(Net net) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope()) {
      for (ParamStore.Entry e : net.params().entries())
        out.put(e.name(), Tensors.toData(e.tensor()));
    }
    return out;
  }

  public static void save(Net net, Path file) {
    Safetensors.write(
        file, toData(net), Map.of("format", "pt", "architecture", net.spec().architecture()));
  }

  public static void load(Net net, Path file) {
    load(net, Safetensors.read(file).tensors(), file.toString());
  }

  /** Copies {@code tensors} into the model after checking names and shapes match exactly. */
  public static void load(Net net, Map<String, TensorData> tensors, String source) {
    List<String> problems = new ArrayList<>();
    for (ParamStore.Entry e : net.params().entries()) {
      TensorData d = tensors.get(e.name());
      if (d == null) {
        problems.add("missing " + e.name());
        continue;
      }
      long[] want = Tensors.shape(e.tensor());
      if (!Arrays.equals(want, d.shape())) {
        problems.add(
            e.name()
                + " is "
                + Arrays.toString(d.shape())
                + " in the file, the model needs "
                + Arrays.toString(want));
      }
    }
    for (String name : tensors.keySet()) {
      if (net.params().get(name).isEmpty()) problems.add("unexpected " + name);
    }
    if (!problems.isEmpty()) {
      String more = problems.size() > 3 ? " (and " + (problems.size() - 3) + " more)" : "";
      throw new ImgclassException(
          "weights in "
              + source
              + " do not fit "
              + net.spec().architecture()
              + " with "
              + net.spec().numClasses()
              + " classes: "
              + String.join("; ", problems.subList(0, Math.min(3, problems.size())))
              + more);
    }
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      for (ParamStore.Entry e : net.params().entries())
        e.tensor().copy_(Tensors.fromData(tensors.get(e.name())));
    }
  }

  /** True when every parameter and buffer holds only finite numbers. */
  public static boolean allFinite(Net net) {
    try (PointerScope scope = new PointerScope()) {
      for (ParamStore.Entry e : net.params().entries()) {
        if (!org.bytedeco.pytorch.global.torch.isfinite(e.tensor()).all().item_bool()) return false;
      }
      return true;
    }
  }

  /** Builds the model a model directory describes and loads its weights. */
  public static Net loadModelDir(Path dir) {
    ModelCard card = ModelCard.read(dir);
    Path file = dir.resolve(ModelCard.WEIGHTS);
    if (!Files.isRegularFile(file))
      throw new ImgclassException("no " + ModelCard.WEIGHTS + " in " + dir);
    Net net = ModelRegistry.create(card.spec(), 0);
    load(net, file);
    return net;
  }
}
