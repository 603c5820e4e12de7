package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The steps of {@code imgclass compress --recipe}: {@code prune:F} (keep the share F of the MACs),
 * {@code distill[:E]} (fine-tune with the original model as teacher), {@code finetune[:E]}
 * (fine-tune on the labels alone), {@code qat[:E]} (quantization-aware training into INT8) or
 * {@code int8} (post-training quantization), comma-separated. Pruning comes first, at most once;
 * QAT or INT8 comes last, at most once.
 */
record Recipe(List<Recipe.Step> steps) {
  static final String FORMS = "prune:F, distill[:EPOCHS], finetune[:EPOCHS], qat[:EPOCHS], int8";

  /** Fine-tune epochs of distill and finetune when the recipe gives none. */
  static final int TUNE_EPOCHS = 5;

  /** QAT epochs when the recipe gives none. */
  static final int QAT_EPOCHS = 1;

  enum Kind {
    PRUNE,
    DISTILL,
    FINETUNE,
    QAT,
    INT8;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One step; {@code value} is the share of MACs to keep (prune) or the epochs (distill, finetune,
   * qat), 0 for int8.
   */
  record Step(Kind kind, double value) {
    int epochs() {
      return (int) value;
    }

    /** The step as a recipe writes it. */
    @Override
    public String toString() {
      return switch (kind) {
        case PRUNE -> "prune:" + trim(value);
        case INT8 -> "int8";
        default -> kind.label() + ":" + epochs();
      };
    }

    private static String trim(double v) {
      String s = Double.toString(v);
      return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
  }

  /** The recipe as it is written, with defaults made explicit. */
  @Override
  public String toString() {
    return String.join(",", steps.stream().map(Step::toString).toList());
  }

  static Recipe parse(String text) {
    if (text == null || text.isBlank())
      throw new ImgclassException(
          "--recipe is empty: give steps such as prune:0.5,distill,qat (" + FORMS + ")");
    List<Step> steps = new ArrayList<>();
    for (String raw : text.split(",", -1)) {
      String item = raw.trim().toLowerCase(Locale.ROOT);
      int colon = item.indexOf(':');
      String name = colon < 0 ? item : item.substring(0, colon);
      String arg = colon < 0 ? null : item.substring(colon + 1).trim();
      Kind kind =
          switch (name) {
            case "prune" -> Kind.PRUNE;
            case "distill" -> Kind.DISTILL;
            case "finetune" -> Kind.FINETUNE;
            case "qat" -> Kind.QAT;
            case "int8" -> Kind.INT8;
            default ->
                throw new ImgclassException(
                    "unknown step '" + raw.trim() + "' in --recipe: use " + FORMS);
          };
      steps.add(new Step(kind, value(kind, arg, raw.trim())));
    }
    for (int i = 0; i < steps.size(); i++) {
      Kind k = steps.get(i).kind();
      if (k == Kind.PRUNE && i > 0)
        throw new ImgclassException("--recipe " + text.trim() + ": prune comes first, once");
      if ((k == Kind.QAT || k == Kind.INT8) && i < steps.size() - 1)
        throw new ImgclassException(
            "--recipe "
                + text.trim()
                + ": "
                + k.label()
                + " makes the INT8 file and ends the recipe: nothing can follow it");
    }
    return new Recipe(List.copyOf(steps));
  }

  private static double value(Kind kind, String arg, String raw) {
    if (kind == Kind.PRUNE) {
      if (arg == null || arg.isEmpty())
        throw new ImgclassException(
            "--recipe step prune needs the share of MACs to keep, e.g. prune:0.5");
      double f;
      try {
        f = Double.parseDouble(arg);
      } catch (NumberFormatException e) {
        f = Double.NaN;
      }
      if (!(f > 0 && f < 1))
        throw new ImgclassException(
            "--recipe step " + raw + ": the share of MACs to keep must be in (0, 1), e.g. 0.5");
      return f;
    }
    if (kind == Kind.INT8) {
      if (arg != null)
        throw new ImgclassException("--recipe step " + raw + ": int8 takes no value");
      return 0;
    }
    if (arg == null) return kind == Kind.QAT ? QAT_EPOCHS : TUNE_EPOCHS;
    int e;
    try {
      e = Integer.parseInt(arg);
    } catch (NumberFormatException ex) {
      e = 0;
    }
    if (e < 1)
      throw new ImgclassException(
          "--recipe step " + raw + ": the epochs must be a whole number of at least 1");
    return e;
  }

  /** Whether the recipe ends in an INT8 file. */
  boolean quantizes() {
    Kind last = steps.get(steps.size() - 1).kind();
    return last == Kind.QAT || last == Kind.INT8;
  }

  /**
   * Whether a step after step {@code index} (0-based) trains the model (distill, finetune, qat).
   */
  boolean trainsAfter(int index) {
    return steps.subList(index + 1, steps.size()).stream()
        .anyMatch(s -> s.kind() != Kind.PRUNE && s.kind() != Kind.INT8);
  }
}
