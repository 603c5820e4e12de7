package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints with timm's names load: every tensor of timm's {@code resnet18} and {@code
 * mobilenetv3_large_100} state dicts (names and shapes in {@code timm_names.json}, made by {@code
 * timm_names.py} from timm's source), filled with synthetic values, lands in the torchvision-named
 * tensor it corresponds to.
 */
class TimmNamesTest {
  @TempDir Path dir;

  /** timm's names and shapes, each tensor filled with values that identify it. */
  static Map<String, TensorData> timm(String model) throws Exception {
    JsonNode doc;
    try (InputStream in = TimmNamesTest.class.getResourceAsStream("/timm_names.json")) {
      doc = new ObjectMapper().readTree(in);
    }
    Map<String, TensorData> out = new LinkedHashMap<>();
    int k = 0;
    for (JsonNode t : doc.get("models").get(model)) {
      String name = t.get(0).asText();
      long[] shape = new long[t.get(1).size()];
      int n = 1;
      for (int i = 0; i < shape.length; i++) n *= (int) (shape[i] = t.get(1).get(i).asLong());
      if (name.endsWith("num_batches_tracked")) {
        out.put(name, TensorData.ofLongs(new long[] {k++}, shape));
        continue;
      }
      float[] v = new float[n];
      // variances stay above timm's and our eps difference, so none is clamped
      float floor = name.endsWith("running_var") ? 0.01f : 0f;
      for (int i = 0; i < n; i++) v[i] = ((k * 7919L + i) % 1009) / 1009f + (k % 5) + floor;
      k++;
      out.put(name, TensorData.ofFloats(v, shape));
    }
    return out;
  }

  Path write(Map<String, TensorData> tensors) {
    Path f = dir.resolve("timm.safetensors");
    Safetensors.write(f, tensors, Map.of());
    return f;
  }

  /** Exact equality; AssertJ's containsExactly is quadratic on million-element arrays. */
  static void assertHolds(Net net, String ours, TensorData theirs) {
    float[] have = FineTuneTest.values(net, ours);
    float[] want = theirs.toFloats();
    assertThat(have.length).as(ours + " length").isEqualTo(want.length);
    assertThat(Arrays.mismatch(have, want)).as(ours + ": first differing element").isEqualTo(-1);
  }

  @Test
  void timm_resnet18_names_are_torchvision_names_and_every_tensor_loads() throws Exception {
    Map<String, TensorData> timm = timm("resnet18");
    assertThat(timm).hasSize(122);
    Net net = ModelRegistry.create(FineTuneTest.spec("resnet18", 10, 3), 1);

    String note = Weights.initFrom(net, write(timm));

    assertThat(note)
        .contains("120 tensors loaded")
        .contains("(torchvision names)")
        .contains("head fc reset for 10 classes (the file has 1000)");
    for (Map.Entry<String, TensorData> e : timm.entrySet()) {
      if (e.getKey().startsWith("fc.") || e.getKey().endsWith("num_batches_tracked")) continue;
      assertHolds(net, e.getKey(), e.getValue());
    }
  }

  @Test
  void timm_mobilenetv3_large_100_names_map_onto_every_torchvision_tensor() throws Exception {
    Map<String, TensorData> timm = timm("mobilenetv3_large_100");
    assertThat(timm).hasSize(312);
    Net net = ModelRegistry.create(FineTuneTest.spec("mobilenetv3_large_100", 1000, 3), 1);
    assertThat(net.params().entries()).hasSize(312);

    String note = Weights.initFrom(net, write(timm));

    assertThat(note)
        .contains("312 tensors loaded")
        .contains("(timm MobileNetV3 names)")
        .contains("conv_head 1x1 conv used as the Linear classifier.0")
        .doesNotContain("reset")
        .doesNotContain("kept at initialisation");
    // stem, a depthwise-separable block, inverted residuals with and without SE, the last conv
    assertHolds(net, "features.0.0.weight", timm.get("conv_stem.weight"));
    assertHolds(net, "features.0.1.bias", timm.get("bn1.bias"));
    assertHolds(net, "features.1.block.0.0.weight", timm.get("blocks.0.0.conv_dw.weight"));
    assertHolds(net, "features.1.block.1.0.weight", timm.get("blocks.0.0.conv_pw.weight"));
    assertHolds(net, "features.2.block.0.0.weight", timm.get("blocks.1.0.conv_pw.weight"));
    assertHolds(net, "features.2.block.2.1.weight", timm.get("blocks.1.0.bn3.weight"));
    assertHolds(net, "features.4.block.2.fc1.weight", timm.get("blocks.2.0.se.conv_reduce.weight"));
    assertHolds(net, "features.4.block.2.fc2.bias", timm.get("blocks.2.0.se.conv_expand.bias"));
    assertHolds(net, "features.4.block.3.0.weight", timm.get("blocks.2.0.conv_pwl.weight"));
    assertHolds(net, "features.10.block.1.0.weight", timm.get("blocks.3.3.conv_dw.weight"));
    assertHolds(net, "features.15.block.3.1.bias", timm.get("blocks.5.2.bn3.bias"));
    assertHolds(net, "features.16.0.weight", timm.get("blocks.6.0.conv.weight"));
    assertHolds(net, "classifier.0.weight", timm.get("conv_head.weight"));
    assertHolds(net, "classifier.0.bias", timm.get("conv_head.bias"));
    assertHolds(net, "classifier.3.weight", timm.get("classifier.weight"));
    // timm's eps 1e-5 vs our 1e-3: sqrt(var' + 1e-3) = sqrt(var + 1e-5)
    float[] var = timm.get("blocks.5.2.bn3.running_var").toFloats();
    float[] loaded = FineTuneTest.values(net, "features.15.block.3.1.running_var");
    for (int i = 0; i < var.length; i++)
      assertThat(loaded[i]).isEqualTo((float) (var[i] + 1e-5 - 1e-3));
  }

  @Test
  void a_timm_conv_head_without_bias_gives_a_zero_classifier_0_bias() throws Exception {
    Map<String, TensorData> timm = timm("mobilenetv3_large_100");
    timm.remove("conv_head.bias");
    Net net = ModelRegistry.create(FineTuneTest.spec("mobilenetv3_large_100", 1000, 3), 1);

    assertThat(Weights.initFrom(net, write(timm)))
        .contains("conv_head has no bias: classifier.0.bias set to 0");
    assertThat(FineTuneTest.values(net, "classifier.0.bias")).containsOnly(0f);
  }

  @Test
  void timm_tensors_with_no_torchvision_counterpart_are_refused_naming_them() throws Exception {
    Map<String, TensorData> timm = timm("mobilenetv3_large_100");
    timm.put("norm_head.weight", TensorData.ofFloats(new float[1280], 1280));
    Net net = ModelRegistry.create(FineTuneTest.spec("mobilenetv3_large_100", 1000, 3), 1);

    assertThatThrownBy(() -> Weights.initFrom(net, write(timm)))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("(timm MobileNetV3 names) hold tensors with no counterpart")
        .hasMessageContaining("norm_head.weight");
  }

  @Test
  void timm_mobilenetv3_weights_for_a_resnet_are_refused_as_another_architecture()
      throws Exception {
    Net net = ModelRegistry.create(FineTuneTest.spec("resnet18", 1000, 3), 1);

    assertThatThrownBy(() -> Weights.initFrom(net, write(timm("mobilenetv3_large_100"))))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("do not fit resnet18")
        .hasMessageContaining("a checkpoint for another architecture?")
        .hasMessageContaining("missing conv1.weight");
  }
}
