package dev.imgclass.train.models;

import dev.imgclass.core.TensorData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames a checkpoint's tensors to the torchvision names our models use. The scheme is detected
 * from the names: torchvision's and timm's ResNets name their tensors alike ({@code conv1}, {@code
 * bn1}, {@code layer1.0.conv1}, {@code downsample.0/1}, {@code fc}; timm's SE-ResNet SE is {@code
 * se.fc1/fc2}, as ours), so they load as they are; timm's MobileNetV3 ({@code conv_stem}, {@code
 * bn1}, {@code blocks.S.I.*}, {@code conv_head}, {@code classifier}) is renamed block by block.
 */
final class CheckpointNames {
  private CheckpointNames() {}

  /** Where a checkpoint's names come from. */
  enum Scheme {
    TORCHVISION("torchvision names"),
    TIMM_MOBILENETV3("timm MobileNetV3 names");

    final String label;

    Scheme(String label) {
      this.label = label;
    }
  }

  /** timm builds its MobileNetV3 batch norms with PyTorch's default eps. */
  static final double TIMM_BN_EPS = 1e-5;

  /**
   * The renamed tensors, what was changed beyond a rename, and the names with no counterpart.
   *
   * @param notes one phrase per change that is not a pure rename, for the run's report
   * @param unmapped names of the file that the scheme has no torchvision name for
   */
  record Mapped(
      Scheme scheme, Map<String, TensorData> tensors, List<String> notes, List<String> unmapped) {}

  static Scheme detect(Set<String> names) {
    boolean timm =
        names.contains("conv_stem.weight") || names.stream().anyMatch(n -> n.startsWith("blocks."));
    return timm ? Scheme.TIMM_MOBILENETV3 : Scheme.TORCHVISION;
  }

  /**
   * Renames {@code in} to torchvision's names. {@code bnEps} is the eps of the target model's batch
   * norms: timm's are built with 1e-5, and running variances are shifted by the difference so that
   * eval-mode batch norm computes what it computed in timm.
   */
  static Mapped toTorchvision(Map<String, TensorData> in, double bnEps) {
    Scheme scheme = detect(in.keySet());
    if (scheme == Scheme.TORCHVISION) return new Mapped(scheme, in, List.of(), List.of());
    return new TimmMobileNetV3(bnEps).map(in);
  }

  /** timm's {@code mobilenetv3_*}: stem, {@code blocks.S.I} in order, efficient head. */
  private static final class TimmMobileNetV3 {
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(\\d+)\\.(.+)");
    private final double bnEps;
    private final Map<String, TensorData> out = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> unmapped = new ArrayList<>();
    private int shifted;
    private int clamped;

    TimmMobileNetV3(double bnEps) {
      this.bnEps = bnEps;
    }

    Mapped map(Map<String, TensorData> in) {
      // blocks in (stage, index) order become features.1, features.2, ...
      Map<Long, Map<String, TensorData>> blocks = new TreeMap<>();
      for (Map.Entry<String, TensorData> e : in.entrySet()) {
        Matcher m = BLOCK.matcher(e.getKey());
        if (m.matches()) {
          long key = Long.parseLong(m.group(1)) << 20 | Long.parseLong(m.group(2));
          blocks.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(m.group(3), e.getValue());
        } else {
          top(e.getKey(), e.getValue());
        }
      }
      int feature = 1;
      for (Map.Entry<Long, Map<String, TensorData>> b : blocks.entrySet()) {
        String timmPrefix = "blocks." + (b.getKey() >> 20) + "." + (b.getKey() & 0xfffff) + ".";
        block(timmPrefix, "features." + feature++, b.getValue());
      }
      if (in.containsKey("conv_head.weight") && !in.containsKey("conv_head.bias")) {
        long width = in.get("conv_head.weight").shape()[0];
        out.put("classifier.0.bias", TensorData.ofFloats(new float[(int) width], width));
        notes.add("conv_head has no bias: classifier.0.bias set to 0");
      }
      if (shifted > 0) {
        notes.add(
            String.format(
                "%d running variances shifted by %.5g for batch-norm eps %.3g (timm's %.0e)%s",
                shifted,
                TIMM_BN_EPS - bnEps,
                bnEps,
                TIMM_BN_EPS,
                clamped > 0 ? ", " + clamped + " channels clamped at 0" : ""));
      }
      return new Mapped(Scheme.TIMM_MOBILENETV3, out, notes, unmapped);
    }

    /** Stem and head: the tensors outside {@code blocks}. */
    private void top(String name, TensorData t) {
      if (name.startsWith("conv_stem.")) put(name, "features.0.0." + leaf(name), t);
      else if (name.startsWith("bn1.")) put(name, "features.0.1." + leaf(name), t);
      else if (name.equals("conv_head.weight") && is1x1(t)) {
        // a 1x1 conv on the pooled (B, C, 1, 1) map is torchvision's first Linear
        put(name, "classifier.0.weight", t.reshaped(t.shape()[0], t.shape()[1]));
        notes.add("conv_head 1x1 conv used as the Linear classifier.0");
      } else if (name.equals("conv_head.bias")) put(name, "classifier.0.bias", t);
      else if (name.startsWith("classifier.")) put(name, "classifier.3." + leaf(name), t);
      else unmapped.add(name);
    }

    /**
     * One block. timm's {@code InvertedResidual} (conv_pw/bn1, conv_dw/bn2, se, conv_pwl/bn3),
     * {@code DepthwiseSeparableConv} (conv_dw/bn1, se, conv_pw/bn2) and {@code ConvBnAct}
     * (conv/bn1) map onto torchvision's block.0, block.1, ... in the same order.
     */
    private void block(String timm, String feature, Map<String, TensorData> t) {
      Set<String> modules = new HashSet<>();
      for (String n : t.keySet()) modules.add(n.startsWith("se.") ? "se" : n.split("\\.")[0]);
      boolean se = modules.contains("se");
      List<String[]> renames; // timm module -> torchvision module, inside the feature
      if (modules.equals(
          withSe(Set.of("conv_pw", "bn1", "conv_dw", "bn2", "conv_pwl", "bn3"), se))) {
        String p = se ? "block.3" : "block.2";
        renames =
            List.of(
                new String[] {"conv_pw", "block.0.0"},
                new String[] {"bn1", "block.0.1"},
                new String[] {"conv_dw", "block.1.0"},
                new String[] {"bn2", "block.1.1"},
                new String[] {"se.conv_reduce", "block.2.fc1"},
                new String[] {"se.conv_expand", "block.2.fc2"},
                new String[] {"conv_pwl", p + ".0"},
                new String[] {"bn3", p + ".1"});
      } else if (modules.equals(withSe(Set.of("conv_dw", "bn1", "conv_pw", "bn2"), se))) {
        String p = se ? "block.2" : "block.1";
        renames =
            List.of(
                new String[] {"conv_dw", "block.0.0"},
                new String[] {"bn1", "block.0.1"},
                new String[] {"se.conv_reduce", "block.1.fc1"},
                new String[] {"se.conv_expand", "block.1.fc2"},
                new String[] {"conv_pw", p + ".0"},
                new String[] {"bn2", p + ".1"});
      } else if (modules.equals(Set.of("conv", "bn1"))) {
        renames = List.of(new String[] {"conv", "0"}, new String[] {"bn1", "1"});
      } else {
        // another block type (EdgeResidual, UniversalInvertedResidual, ...): no counterpart
        for (String n : t.keySet()) unmapped.add(timm + n);
        return;
      }
      for (Map.Entry<String, TensorData> e : t.entrySet()) {
        String n = e.getKey();
        String target = null;
        for (String[] r : renames) {
          if (n.startsWith(r[0] + ".") && n.indexOf('.', r[0].length() + 1) < 0)
            target = feature + "." + r[1] + n.substring(r[0].length());
        }
        if (target == null) unmapped.add(timm + n);
        else put(timm + n, target, e.getValue());
      }
    }

    private static Set<String> withSe(Set<String> base, boolean se) {
      if (!se) return base;
      Set<String> s = new HashSet<>(base);
      s.add("se");
      return s;
    }

    private void put(String from, String to, TensorData t) {
      if (to.endsWith(".running_var") && t.isFloating() && bnEps != TIMM_BN_EPS)
        t = shiftVariance(t);
      out.put(to, t);
    }

    /** var + 1e-5 - eps: sqrt(var' + eps) is then timm's sqrt(var + 1e-5). */
    private TensorData shiftVariance(TensorData t) {
      float[] v = t.toFloats();
      for (int i = 0; i < v.length; i++) {
        double s = v[i] + TIMM_BN_EPS - bnEps;
        if (s < 0) clamped++;
        v[i] = (float) Math.max(0, s);
      }
      shifted++;
      return TensorData.ofFloats(v, t.shape());
    }

    private static boolean is1x1(TensorData t) {
      long[] s = t.shape();
      return s.length == 4 && s[2] == 1 && s[3] == 1;
    }

    private static String leaf(String name) {
      return name.substring(name.indexOf('.') + 1);
    }
  }
}
