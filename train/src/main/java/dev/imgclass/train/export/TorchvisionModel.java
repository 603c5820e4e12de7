package dev.imgclass.train.export;

import dev.imgclass.core.ImgclassException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The torchvision constructor that builds the same network as one of our architectures, so that our
 * weights load into it by name. Only these architectures have one: the CIFAR ResNets and the
 * squeeze-excite variants do not exist in torchvision.
 *
 * @param builder function in {@code torchvision.models}, e.g. {@code mobilenet_v3_large}
 * @param widthMult MobileNetV3 width multiplier ({@code width_mult}); 1 for the ResNets
 * @param stem name of the stem convolution's weight, the one tensor that sees the input channels
 * @param smallInputPatch Python statements that make torchvision's {@code model} run our stem for
 *     inputs below {@link dev.imgclass.train.models.Net#SMALL_INPUT} px (stride 1, no max pool)
 */
public record TorchvisionModel(
    String builder, double widthMult, String stem, String smallInputPatch) {
  private static final String RESNET_PATCH =
      "model.conv1.stride = (1, 1); model.maxpool = torch.nn.Identity()";
  private static final String MOBILENET_PATCH = "model.features[0][0].stride = (1, 1)";

  private static final Map<String, TorchvisionModel> BY_ARCHITECTURE = table();

  private static Map<String, TorchvisionModel> table() {
    Map<String, TorchvisionModel> t = new LinkedHashMap<>();
    for (String depth : new String[] {"18", "34", "50"})
      t.put(
          "resnet" + depth,
          new TorchvisionModel("resnet" + depth, 1, "conv1.weight", RESNET_PATCH));
    Map<String, Double> widths = Map.of("100", 1.0, "075", 0.75, "050", 0.5);
    for (String size : new String[] {"large", "small"}) {
      for (String w : new String[] {"100", "075", "050"}) {
        t.put(
            "mobilenetv3_" + size + "_" + w,
            new TorchvisionModel(
                "mobilenet_v3_" + size, widths.get(w), "features.0.0.weight", MOBILENET_PATCH));
      }
    }
    return t;
  }

  /** The torchvision model of {@code architecture}, if torchvision has one. */
  public static Optional<TorchvisionModel> of(String architecture) {
    return Optional.ofNullable(BY_ARCHITECTURE.get(architecture));
  }

  /** As {@link #of}, but refuses an architecture without one, naming those that have one. */
  public static TorchvisionModel require(String architecture) {
    return of(architecture)
        .orElseThrow(
            () ->
                new ImgclassException(
                    architecture
                        + " has no torchvision model, so its weights cannot be exported for"
                        + " torchvision: the architectures with one are "
                        + String.join(", ", BY_ARCHITECTURE.keySet())
                        + " (ONNX export works for every architecture)"));
  }

  /** The keyword arguments of the constructor: {@code num_classes} and, if not 1, the width. */
  public Map<String, Object> kwargs(int numClasses) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("num_classes", numClasses);
    if (widthMult != 1) k.put("width_mult", widthMult);
    return k;
  }

  /** The Python call that builds it, e.g. {@code torchvision.models.resnet18(num_classes=10)}. */
  public String call(int numClasses) {
    StringBuilder args = new StringBuilder();
    kwargs(numClasses)
        .forEach(
            (k, v) ->
                args.append(args.isEmpty() ? "" : ", ")
                    .append(k)
                    .append('=')
                    .append(v)); // Double.toString: 0.75, never a locale comma
    return "torchvision.models." + builder + "(" + args + ")";
  }
}
