package dev.imgclass.train.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Remedies for class imbalance computed from the training set's class counts: per-class loss
 * weights and the log prior used by the logit-adjusted loss.
 */
public final class ClassBalance {
  private ClassBalance() {}

  /**
   * Loss weights for {@code spec}, or {@code null} for {@code none}. Computed weights are scaled to
   * average 1 over classes (the mean-reduced loss divides by the weights' sum anyway, so only their
   * ratios matter).
   *
   * <ul>
   *   <li>{@code inverse}: 1 / n_c
   *   <li>{@code sqrt-inverse}: 1 / √n_c
   *   <li>{@code effective:β}: (1 − β) / (1 − β^n_c), the inverse effective number of samples (Cui
   *       et al. 2019); β in [0, 1)
   *   <li>a {@code .json} file: a list in class order, or an object from class name to weight
   *   <li>comma-separated numbers in class order
   * </ul>
   */
  public static float[] weights(String spec, int[] counts, List<String> classes) {
    String s = spec.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    int k = counts.length;
    double[] w = new double[k];
    if (lower.equals("none")) return null;
    if (lower.equals("inverse") || lower.equals("sqrt-inverse")) {
      for (int c = 0; c < k; c++) {
        double n = Math.max(1, counts[c]);
        w[c] = lower.equals("inverse") ? 1 / n : 1 / Math.sqrt(n);
      }
      return normalized(w);
    }
    if (lower.startsWith("effective")) {
      double beta;
      try {
        beta =
            lower.equals("effective")
                ? 0.999
                : Double.parseDouble(lower.substring(lower.indexOf(':') + 1));
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new ImgclassException(
            "--class-weights " + s + ": use effective:BETA, e.g. effective:0.999");
      }
      if (!(beta >= 0 && beta < 1)) {
        throw new ImgclassException(
            "--class-weights effective:BETA needs BETA in [0, 1), got " + beta);
      }
      for (int c = 0; c < k; c++) w[c] = (1 - beta) / (1 - Math.pow(beta, Math.max(1, counts[c])));
      return normalized(w);
    }
    if (lower.endsWith(".json")) return fromFile(Path.of(s), classes);
    String[] parts = s.split(",");
    if (parts.length != k) {
      throw new ImgclassException(
          "--class-weights: got "
              + parts.length
              + " number(s) for "
              + k
              + " classes; use none, inverse, sqrt-inverse, effective:BETA, FILE.json or one number per class");
    }
    for (int c = 0; c < k; c++) {
      try {
        w[c] = Double.parseDouble(parts[c].trim());
      } catch (NumberFormatException e) {
        throw new ImgclassException("--class-weights: '" + parts[c].trim() + "' is not a number");
      }
    }
    return checked(w, "--class-weights");
  }

  private static float[] fromFile(Path file, List<String> classes) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ImgclassException("cannot read class weights " + file + ": " + e.getMessage());
    }
    double[] w = new double[classes.size()];
    if (root.isArray()) {
      if (root.size() != classes.size()) {
        throw new ImgclassException(
            file + " holds " + root.size() + " weights for " + classes.size() + " classes");
      }
      for (int c = 0; c < w.length; c++) w[c] = root.get(c).asDouble(Double.NaN);
    } else if (root.isObject()) {
      for (int c = 0; c < w.length; c++) {
        JsonNode v = root.get(classes.get(c));
        if (v == null)
          throw new ImgclassException(file + " has no weight for class '" + classes.get(c) + "'");
        w[c] = v.asDouble(Double.NaN);
      }
      var it = root.fieldNames();
      while (it.hasNext()) {
        String name = it.next();
        if (!classes.contains(name))
          throw new ImgclassException(
              file + " names class '" + name + "', which the data does not have");
      }
    } else {
      throw new ImgclassException(file + " must hold a JSON list or an object of class weights");
    }
    return checked(w, file.toString());
  }

  private static float[] checked(double[] w, String where) {
    float[] out = new float[w.length];
    for (int c = 0; c < w.length; c++) {
      if (!(w[c] >= 0) || !Double.isFinite(w[c])) {
        throw new ImgclassException(where + ": class weights must be finite and >= 0, got " + w[c]);
      }
      out[c] = (float) w[c];
    }
    return out;
  }

  private static float[] normalized(double[] w) {
    double mean = 0;
    for (double v : w) mean += v / w.length;
    float[] out = new float[w.length];
    for (int c = 0; c < w.length; c++) out[c] = (float) (w[c] / mean);
    return out;
  }

  /** τ · log(n_c / N) per class, the logit adjustment; classes without images get log(0.5 / N). */
  public static float[] logPrior(int[] counts, double tau) {
    long total = 0;
    for (int n : counts) total += n;
    float[] out = new float[counts.length];
    for (int c = 0; c < counts.length; c++) {
      out[c] = (float) (tau * Math.log(Math.max(counts[c], 0.5) / Math.max(1, total)));
    }
    return out;
  }
}
