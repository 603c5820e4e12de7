package dev.imgclass.train.models;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.random.RandomGenerator;

/** Every model imgclass can build, by name (as timm's {@code create_model}). */
public final class ModelRegistry {
  /**
   * One registered architecture.
   *
   * @param name registry name
   * @param defaultInputSize input side at which {@code imgclass models} reports MACs
   * @param defaultClasses class count at which {@code imgclass models} reports parameters
   * @param summary one line on when to use it
   */
  public record Entry(
      String name,
      int defaultInputSize,
      int defaultClasses,
      String summary,
      BiFunction<ModelSpec, RandomGenerator, Net> factory) {}

  static {
    dev.imgclass.train.engine.Natives.load();
  }

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  private static final Map<Integer, Integer> CIFAR_DEPTHS = Map.of(20, 3, 32, 5, 56, 9);
  private static final Map<Integer, int[]> IMAGENET_DEPTHS =
      Map.of(18, new int[] {2, 2, 2, 2}, 34, new int[] {3, 4, 6, 3}, 50, new int[] {3, 4, 6, 3});

  private static final Map<String, Double> WIDTHS = Map.of("100", 1.0, "075", 0.75, "050", 0.5);

  static {
    for (int depth : List.of(20, 32, 56)) {
      int n = CIFAR_DEPTHS.get(depth);
      register(
          "resnet" + depth,
          32,
          10,
          "CIFAR-style ResNet for small images (28-64 px); the fast default",
          (spec, rng) -> new ResNet(spec, ResNet.Kind.CIFAR, new int[] {n, n, n}, false, rng));
    }
    for (int depth : List.of(18, 34)) {
      int[] d = IMAGENET_DEPTHS.get(depth);
      register(
          "resnet" + depth,
          224,
          1000,
          "ImageNet ResNet, basic blocks; photos at 128-224 px, torchvision weights load",
          (spec, rng) -> new ResNet(spec, ResNet.Kind.BASIC, d, false, rng));
    }
    int[] d50 = IMAGENET_DEPTHS.get(50);
    register(
        "resnet50",
        224,
        1000,
        "ImageNet ResNet, bottleneck blocks; most accurate here, 4 GMACs per 224 px image",
        (spec, rng) -> new ResNet(spec, ResNet.Kind.BOTTLENECK, d50, false, rng));
    for (String w : List.of("100", "075", "050")) {
      double m = WIDTHS.get(w);
      register(
          "mobilenetv3_large_" + w,
          224,
          1000,
          "MobileNetV3-Large x" + m + "; accurate per MAC, for CPU/mobile inference",
          (spec, rng) -> new MobileNetV3(spec, MobileNetV3.Size.LARGE, m, rng));
    }
    for (String w : List.of("100", "075", "050")) {
      double m = WIDTHS.get(w);
      register(
          "mobilenetv3_small_" + w,
          224,
          1000,
          "MobileNetV3-Small x" + m + "; the cheapest model here, for tight latency budgets",
          (spec, rng) -> new MobileNetV3(spec, MobileNetV3.Size.SMALL, m, rng));
    }
    register(
        "se_resnet20",
        32,
        10,
        "CIFAR ResNet-20 with squeeze-excite in every block; +6% params, same MACs",
        (spec, rng) -> new ResNet(spec, ResNet.Kind.CIFAR, new int[] {3, 3, 3}, true, rng));
    register(
        "se_resnet50",
        224,
        1000,
        "ResNet-50 with squeeze-excite (SENet); timm seresnet50 names, 28M params",
        (spec, rng) -> new ResNet(spec, ResNet.Kind.BOTTLENECK, d50, true, rng));
  }

  private ModelRegistry() {}

  private static void register(
      String name,
      int size,
      int classes,
      String summary,
      BiFunction<ModelSpec, RandomGenerator, Net> f) {
    ENTRIES.put(name, new Entry(name, size, classes, summary, f));
  }

  public static Collection<Entry> entries() {
    return ENTRIES.values();
  }

  public static Entry entry(String name) {
    Entry e = ENTRIES.get(name);
    if (e == null) {
      throw new ImgclassException(
          "unknown model '"
              + name
              + "': choose one of "
              + String.join(", ", ENTRIES.keySet())
              + " (see 'imgclass models')");
    }
    return e;
  }

  /**
   * Builds the spec's architecture, at the spec's {@link ModelSpec#widths} where it has them (a
   * pruned model), with weights drawn from {@code seed}.
   */
  public static Net create(ModelSpec spec, long seed) {
    Net net = entry(spec.architecture()).factory().apply(spec, new SplittableRandom(seed));
    net.checkWidths();
    return net;
  }
}
