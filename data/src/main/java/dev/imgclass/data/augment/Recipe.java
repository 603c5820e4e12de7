package dev.imgclass.data.augment;

import dev.imgclass.core.ImgclassException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of an {@link Augmentation}: a base recipe name and one value per key of the spec
 * string. A value of 0 (or {@code auto=none}) turns that part off. Built from a spec by {@link
 * #parse}; {@link #spec} writes it back with every key, so a recorded spec repeats the run exactly.
 *
 * @param name the base recipe: none, flip, light, standard or strong
 * @param crop {@link RandomCrop} padding in pixels, 0 to 64
 * @param rrc {@link RandomResizedCrop} smallest area fraction (ratio 3/4 to 4/3), 0 or (0, 1]
 * @param hflip {@link HorizontalFlip} probability, 0 to 1
 * @param vflip {@link VerticalFlip} probability, 0 to 1
 * @param jitter {@link ColorJitter} brightness, contrast and saturation (hue 0), 0 to 1
 * @param auto automatic policy: {@code none} or {@code trivial} ({@link TrivialAugmentWide})
 * @param erasing {@link RandomErasing} probability (torchvision's sizes), 0 to 1
 * @param mixup {@link BatchMix} Mixup α, 0 or positive
 * @param cutmix {@link BatchMix} CutMix α, 0 or positive
 */
public record Recipe(
    String name,
    int crop,
    double rrc,
    double hflip,
    double vflip,
    double jitter,
    String auto,
    double erasing,
    double mixup,
    double cutmix) {
  public static final List<String> NAMES = List.of("none", "flip", "light", "standard", "strong");
  public static final List<String> KEYS =
      List.of("crop", "rrc", "hflip", "vflip", "jitter", "auto", "erasing", "mixup", "cutmix");
  public static final List<String> AUTO = List.of("none", "trivial");

  private static final Map<String, Recipe> BASE =
      Map.of(
          "none", new Recipe("none", 0, 0, 0, 0, 0, "none", 0, 0, 0),
          "flip", new Recipe("flip", 0, 0, 0.5, 0, 0, "none", 0, 0, 0),
          "light", new Recipe("light", 2, 0, 0.5, 0, 0, "none", 0, 0, 0),
          "standard", new Recipe("standard", 4, 0, 0.5, 0, 0, "none", 0, 0, 0),
          "strong", new Recipe("strong", 0, 0.35, 0.5, 0, 0, "trivial", 0.25, 0, 0));

  public Recipe {
    name = name.toLowerCase(Locale.ROOT);
    auto = auto.toLowerCase(Locale.ROOT);
    check(NAMES.contains(name), "recipe", "one of " + String.join(", ", NAMES), name);
    check(
        crop >= 0 && crop <= RandomCrop.MAX_PADDING,
        "crop",
        "0 to " + RandomCrop.MAX_PADDING,
        crop);
    check(rrc >= 0 && rrc <= 1, "rrc", "0 (off) or an area fraction in (0, 1]", rrc);
    check(hflip >= 0 && hflip <= 1, "hflip", "a probability in [0, 1]", hflip);
    check(vflip >= 0 && vflip <= 1, "vflip", "a probability in [0, 1]", vflip);
    check(jitter >= 0 && jitter <= 1, "jitter", "in [0, 1]", jitter);
    check(AUTO.contains(auto), "auto", "one of " + String.join(", ", AUTO), auto);
    check(erasing >= 0 && erasing <= 1, "erasing", "a probability in [0, 1]", erasing);
    check(mixup >= 0 && mixup <= 100, "mixup", "0 (off) or a Beta alpha up to 100", mixup);
    check(cutmix >= 0 && cutmix <= 100, "cutmix", "0 (off) or a Beta alpha up to 100", cutmix);
  }

  private static void check(boolean ok, String key, String allowed, Object got) {
    if (!ok)
      throw new ImgclassException("augmentation " + key + " must be " + allowed + ", got " + got);
  }

  /** The named recipe with its own settings. */
  public static Recipe named(String name) {
    Recipe r = BASE.get(name.trim().toLowerCase(Locale.ROOT));
    if (r == null) {
      throw new ImgclassException(
          "unknown augmentation '" + name.trim() + "': choose one of " + String.join(", ", NAMES));
    }
    return r;
  }

  /**
   * Reads {@code name[,key=value]...}: a recipe name, then overrides of its settings, e.g. {@code
   * strong,mixup=0.2,cutmix=1.0}. Keys and names are case-insensitive; a key may appear once.
   */
  public static Recipe parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new ImgclassException(
          "empty augmentation spec: give a recipe (" + String.join(", ", NAMES) + ")");
    }
    String[] parts = spec.split(",", -1);
    if (parts[0].contains("=")) {
      throw new ImgclassException(
          "augmentation spec '"
              + spec
              + "' must start with a recipe name ("
              + String.join(", ", NAMES)
              + "), e.g. none,"
              + parts[0].trim());
    }
    Recipe base = named(parts[0]);
    Map<String, String> values = base.values();
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].trim();
      int eq = part.indexOf('=');
      String key = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      if (!values.containsKey(key)) {
        throw new ImgclassException(
            "unknown augmentation key '"
                + key
                + "' in '"
                + spec
                + "': allowed keys are "
                + String.join(", ", KEYS));
      }
      if (eq < 0 || part.substring(eq + 1).isBlank()) {
        throw new ImgclassException(
            "augmentation key '" + key + "' in '" + spec + "' needs a value: " + key + "=VALUE");
      }
      if (given.put(key, part.substring(eq + 1).trim()) != null) {
        throw new ImgclassException(
            "augmentation key '" + key + "' appears twice in '" + spec + "'");
      }
    }
    values.putAll(given);
    try {
      return new Recipe(
          base.name,
          (int) number(values, "crop", true),
          number(values, "rrc", false),
          number(values, "hflip", false),
          number(values, "vflip", false),
          number(values, "jitter", false),
          values.get("auto"),
          number(values, "erasing", false),
          number(values, "mixup", false),
          number(values, "cutmix", false));
    } catch (ImgclassException e) {
      throw new ImgclassException(e.getMessage() + " (in '" + spec + "')", e);
    }
  }

  private static double number(Map<String, String> values, String key, boolean integer) {
    String v = values.get(key);
    try {
      double d = integer ? Integer.parseInt(v) : Double.parseDouble(v);
      if (Double.isFinite(d)) return d;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ImgclassException(
        "augmentation "
            + key
            + " needs "
            + (integer ? "a whole number" : "a number")
            + ", got '"
            + v
            + "'");
  }

  /** Every key with its value, in {@link #KEYS} order. */
  public Map<String, String> values() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("crop", Integer.toString(crop));
    m.put("rrc", format(rrc));
    m.put("hflip", format(hflip));
    m.put("vflip", format(vflip));
    m.put("jitter", format(jitter));
    m.put("auto", auto);
    m.put("erasing", format(erasing));
    m.put("mixup", format(mixup));
    m.put("cutmix", format(cutmix));
    return m;
  }

  /** The canonical spec: the name and every key, e.g. {@code light,crop=2,rrc=0,...}. */
  public String spec() {
    StringBuilder s = new StringBuilder(name);
    values().forEach((k, v) -> s.append(',').append(k).append('=').append(v));
    return s.toString();
  }

  static String format(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
