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

  /**
   * Starts fine-tuning from {@code file} (torchvision names, e.g. ImageNet weights exported from
   * PyTorch): every tensor is loaded except the head's last layer when its class count differs,
   * which keeps its fresh initialisation. A stem convolution for 1-channel input is made from an
   * RGB one by summing over the colour channels. Returns one line saying what was done.
   */
  public static String initFrom(Net net, Path file) {
    Map<String, TensorData> tensors = new LinkedHashMap<>(Safetensors.read(file).tensors());
    String head = net.logitsLayer() + ".";
    List<String> notes = new ArrayList<>();
    TensorData fileHead = tensors.get(head + "weight");
    long[] ourHead = Tensors.shape(net.params().get(head + "weight").orElseThrow().tensor());
    if (fileHead != null && !Arrays.equals(fileHead.shape(), ourHead)) {
      tensors.keySet().removeIf(n -> n.startsWith(head));
      notes.add(
          String.format(
              "head %s reset for %d classes (the file has %d)",
              net.logitsLayer(), ourHead[0], fileHead.shape()[0]));
    }
    Map<String, TensorData> mine = toData(net);
    for (Map.Entry<String, TensorData> e : List.copyOf(tensors.entrySet())) {
      TensorData want = mine.get(e.getKey());
      long[] have = e.getValue().shape();
      if (want != null
          && want.shape().length == 4
          && have.length == 4
          && want.shape()[1] == 1
          && have[1] == 3
          && want.shape()[0] == have[0]) {
        tensors.put(e.getKey(), sumChannels(e.getValue()));
        notes.add(e.getKey() + " summed over RGB for 1-channel input");
      }
    }
    int fromFile = tensors.size();
    for (String n : mine.keySet()) {
      if (n.startsWith(head) && !tensors.containsKey(n)) tensors.put(n, mine.get(n));
    }
    load(net, tensors, file.toString());
    return "init-weights: "
        + fromFile
        + " tensors loaded from "
        + file
        + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
  }

  /** (O, 3, k, k) -> (O, 1, k, k), summing the colour channels (timm's adapt_input_conv). */
  private static TensorData sumChannels(TensorData d) {
    float[] v = d.toFloats();
    long[] s = d.shape();
    int o = (int) s[0];
    int kk = (int) (s[2] * s[3]);
    float[] out = new float[o * kk];
    for (int i = 0; i < o; i++)
      for (int c = 0; c < 3; c++)
        for (int j = 0; j < kk; j++) out[i * kk + j] += v[(i * 3 + c) * kk + j];
    return TensorData.ofFloats(out, s[0], 1, s[2], s[3]);
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
