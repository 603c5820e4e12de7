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
import org.bytedeco.pytorch.global.torch;

/**
 * Moves a model's tensors to and from safetensors files, by name. Loading is strict: a missing,
 * unexpected, differently shaped or wrongly typed tensor is refused with the names and shapes
 * involved; {@link #initFrom} first adapts a checkpoint from elsewhere.
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

  /**
   * Copies {@code tensors} into the model after checking names, shapes and dtypes: floating-point
   * tensors (F32, F16, BF16, F64; converted to F32) for parameters and running statistics; I64 or
   * I32 for the integer buffers ({@code num_batches_tracked}), which older imgclass files also hold
   * as F32.
   */
  public static void load(Net net, Map<String, TensorData> tensors, String source) {
    List<String> problems = new ArrayList<>();
    int fits = 0;
    for (ParamStore.Entry e : net.params().entries()) {
      TensorData d = tensors.get(e.name());
      if (d == null) {
        problems.add("missing " + e.name());
        continue;
      }
      long[] want = Tensors.shape(e.tensor());
      boolean integer = !e.tensor().is_floating_point();
      if (!Arrays.equals(want, d.shape())) {
        problems.add(
            e.name()
                + " is "
                + Arrays.toString(d.shape())
                + " in the file, the model needs "
                + Arrays.toString(want));
      } else if (!d.isFloating() && !(integer && d.isInteger())) {
        problems.add(
            e.name()
                + " is "
                + d.dtype()
                + " in the file, the model needs "
                + (integer ? "integers (I64)" : "floating point (F32, F16 or BF16)"));
      } else {
        fits++;
      }
    }
    for (String name : tensors.keySet()) {
      if (net.params().get(name).isEmpty()) problems.add("unexpected " + name);
    }
    if (!problems.isEmpty()) {
      int total = net.params().entries().size();
      String more = problems.size() > 3 ? " (and " + (problems.size() - 3) + " more)" : "";
      String other =
          fits * 2 < total
              ? String.format(
                  " (only %d of the model's %d tensors fit: a checkpoint for another"
                      + " architecture?)",
                  fits, total)
              : "";
      throw new ImgclassException(
          "weights in "
              + source
              + " do not fit "
              + net.spec().architecture()
              + " with "
              + net.spec().numClasses()
              + " classes"
              + other
              + ": "
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
   * Starts fine-tuning from {@code file}: torchvision names, timm's ResNet names (the same) or
   * timm's MobileNetV3 names (renamed, see {@link CheckpointNames}); F32, F16 or BF16. Integer
   * buffers the file lacks ({@code num_batches_tracked}) start at 0, as PyTorch's {@code
   * load_state_dict} sets them; the head's last layer keeps its fresh initialisation when its class
   * count differs; an RGB stem is summed for 1-channel input and a 1-channel stem replicated (each
   * channel weight/3) for RGB input. Everything else is loaded strictly. Returns one line saying
   * what was done.
   */
  public static String initFrom(Net net, Path file) {
    return InitWeights.apply(net, file);
  }

  /** True when every parameter and buffer holds only finite numbers. */
  public static boolean allFinite(Net net) {
    try (PointerScope scope = new PointerScope()) {
      for (ParamStore.Entry e : net.params().entries()) {
        if (!torch.isfinite(e.tensor()).all().item_bool()) return false;
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

  /**
   * (O, 1, k, k) -> (O, 3, k, k), each channel weight/3: an RGB image whose three channels are the
   * same gray image then gives the output the 1-channel stem gave for the gray image.
   */
  public static TensorData grayStemToRgb(TensorData d) {
    float[] v = d.toFloats();
    long[] s = d.shape();
    int o = (int) s[0];
    int kk = (int) (s[2] * s[3]);
    float[] out = new float[o * 3 * kk];
    for (int i = 0; i < o; i++)
      for (int c = 0; c < 3; c++)
        for (int j = 0; j < kk; j++) out[(i * 3 + c) * kk + j] = v[i * kk + j] / 3f;
    return TensorData.ofFloats(out, s[0], 3, s[2], s[3]);
  }
}
