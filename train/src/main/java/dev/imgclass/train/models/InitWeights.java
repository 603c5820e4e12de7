package dev.imgclass.train.models;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tuning's start: adapts a checkpoint from elsewhere (torchvision or timm names, F16/BF16,
 * without integer buffers, another class count, another channel count) to a model, then loads it
 * strictly through {@link Weights#load}. Everything it changes is said in the returned line.
 */
final class InitWeights {
  private InitWeights() {}

  private static final String BATCHES = ".num_batches_tracked";

  static String apply(Net net, Path file) {
    Safetensors.Contents contents = Safetensors.read(file);
    List<String> fileClasses =
        WeightsCard.read(file, contents.metadata()).map(WeightsCard::classes).orElse(List.of());
    String arch = contents.metadata().get("architecture");
    String source = file + (arch == null ? "" : " (written for " + arch + ")");
    CheckpointNames.Mapped mapped =
        CheckpointNames.toTorchvision(contents.tensors(), net.batchNorm().eps());
    String label = mapped.scheme().label;
    if (!mapped.unmapped().isEmpty()) {
      throw new ImgclassException(
          "weights in "
              + source
              + " ("
              + label
              + ") hold tensors with no counterpart in "
              + net.spec().architecture()
              + ": "
              + firstFew(mapped.unmapped()));
    }
    Map<String, TensorData> tensors = new LinkedHashMap<>(mapped.tensors());
    refuseNonFinite(tensors, source);
    List<String> notes = new ArrayList<>(mapped.notes());
    Map<String, TensorData> mine = Weights.toData(net);
    List<String> fresh = new ArrayList<>();

    String head = net.logitsLayer() + ".";
    TensorData fileHead = tensors.get(head + "weight");
    long[] ourHead = mine.get(head + "weight").shape();
    if (fileHead != null && !Arrays.equals(fileHead.shape(), ourHead)) {
      tensors.keySet().removeIf(n -> n.startsWith(head));
      notes.add(
          String.format(
              "head %s reset for %d classes (the file has %d)",
              net.logitsLayer(), ourHead[0], fileHead.shape()[0]));
    } else if (fileHead != null
        && !fileClasses.isEmpty()
        && !fileClasses.equals(net.spec().classes())) {
      // the same count of other classes: a head trained for them is no start for these
      tensors.keySet().removeIf(n -> n.startsWith(head));
      notes.add(
          String.format(
              "head %s reset: the file's classes (%s) are not the data's (%s)",
              net.logitsLayer(), firstFew(fileClasses), firstFew(net.spec().classes())));
    } else if (fileHead == null && tensors.keySet().stream().noneMatch(n -> n.startsWith(head))) {
      notes.add("the file has no head " + net.logitsLayer());
    }

    String stem = mine.keySet().iterator().next(); // the first convolution's weight
    TensorData have = tensors.get(stem);
    if (have != null) {
      long[] want = mine.get(stem).shape();
      long[] got = have.shape();
      if (want.length == 4 && got.length == 4 && want[0] == got[0] && want[1] != got[1]) {
        if (want[1] == 1 && got[1] == 3) {
          tensors.put(stem, sumChannels(have));
          notes.add(stem + " summed over RGB for 1-channel input");
        } else if (want[1] == 3 && got[1] == 1) {
          tensors.put(stem, Weights.grayStemToRgb(have));
          notes.add(stem + " replicated to RGB (each channel weight/3) for 3-channel input");
        }
      }
    }

    int batches = 0;
    for (Map.Entry<String, TensorData> e : mine.entrySet()) {
      String n = e.getKey();
      String norm = n.substring(0, Math.max(0, n.length() - BATCHES.length()));
      if (n.endsWith(BATCHES)
          && !tensors.containsKey(n)
          && tensors.containsKey(norm + ".running_mean")) {
        tensors.put(n, TensorData.ofLongs(new long[] {0}, e.getValue().shape()));
        batches++;
      }
    }
    if (batches > 0)
      notes.add("num_batches_tracked absent for " + batches + " batch norms: set to 0");
    int fromFile = tensors.size() - batches;
    for (String n : mine.keySet()) {
      if (n.startsWith(head) && !tensors.containsKey(n)) {
        tensors.put(n, mine.get(n));
        fresh.add(n);
      }
    }
    Weights.load(net, tensors, source + " (" + label + ")");
    return "init-weights: "
        + fromFile
        + " tensors loaded from "
        + file
        + " ("
        + label
        + ")"
        + (notes.isEmpty() ? "" : "; " + String.join("; ", notes))
        + (fresh.isEmpty() ? "" : "; kept at initialisation: " + String.join(", ", fresh));
  }

  /** A NaN or infinity in a checkpoint would poison every step: refuse it by name. */
  private static void refuseNonFinite(Map<String, TensorData> tensors, String source) {
    List<String> bad = new ArrayList<>();
    long first = 0;
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      long n = e.getValue().nonFinite();
      if (n > 0) {
        if (bad.isEmpty()) first = n;
        bad.add(e.getKey());
      }
    }
    if (bad.isEmpty()) return;
    throw new ImgclassException(
        String.format(
            "weights in %s hold NaN or infinite values: %s has %d of %d%s; the checkpoint is"
                + " damaged or comes from a run that diverged",
            source,
            bad.get(0),
            first,
            tensors.get(bad.get(0)).numel(),
            bad.size() > 1 ? " (and " + (bad.size() - 1) + " more tensors)" : ""));
  }

  private static String firstFew(List<String> names) {
    String more = names.size() > 3 ? " (and " + (names.size() - 3) + " more)" : "";
    return String.join(", ", names.subList(0, Math.min(3, names.size()))) + more;
  }

  /** (O, 3, k, k) -> (O, 1, k, k), summing the colour channels (timm's adapt_input_conv). */
  static TensorData sumChannels(TensorData d) {
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
}
