package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.training.Optimizer;
import dev.imgclass.train.training.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneTest {
  static ModelSpec spec(String name, int classes, int channels) {
    return new ModelSpec(
        name,
        IntStream.range(0, classes).mapToObj(i -> "c" + i).toList(),
        channels,
        32,
        channels == 1 ? List.of(0.5) : List.of(0.5, 0.5, 0.5),
        channels == 1 ? List.of(0.25) : List.of(0.25, 0.25, 0.25));
  }

  static float[] values(Net net, String name) {
    try (PointerScope s = new PointerScope()) {
      return Tensors.toFloats(net.params().get(name).orElseThrow().tensor());
    }
  }

  @Test
  void init_weights_load_the_body_and_reset_a_head_for_another_class_count(@TempDir Path dir) {
    Net source = ModelRegistry.create(spec("mobilenetv3_small_050", 1000, 3), 1);
    Path file = dir.resolve("imagenet.safetensors");
    Weights.save(source, file);
    Net target = ModelRegistry.create(spec("mobilenetv3_small_050", 10, 1), 2);
    float[] freshHead = values(target, "classifier.3.weight");

    String note = Weights.initFrom(target, file);

    assertThat(note).contains("head classifier.3 reset for 10 classes (the file has 1000)");
    assertThat(note).contains("features.0.0.weight summed over RGB for 1-channel input");
    assertThat(values(target, "features.3.block.1.0.weight"))
        .containsExactly(values(source, "features.3.block.1.0.weight"));
    assertThat(values(target, "classifier.0.weight"))
        .containsExactly(values(source, "classifier.0.weight"));
    assertThat(values(target, "classifier.3.weight")).containsExactly(freshHead);
  }

  @Test
  void init_weights_refuse_a_file_for_another_architecture(@TempDir Path dir) {
    Path file = dir.resolve("r18.safetensors");
    Weights.save(ModelRegistry.create(spec("resnet18", 10, 3), 1), file);
    Net target = ModelRegistry.create(spec("mobilenetv3_small_050", 10, 3), 2);
    assertThatThrownBy(() -> Weights.initFrom(target, file))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("do not fit mobilenetv3_small_050");
  }

  @Test
  void frozen_backbone_gets_no_gradient_and_no_update_while_the_head_trains() {
    Net net = ModelRegistry.create(spec("resnet20", 4, 3), 3);
    TrainConfig cfg = TrainConfig.builder().build();
    TrainConfig.Builder b = TrainConfig.builder();
    b.freeze = "backbone";
    net.freeze(b.build().frozenGroups(net.groups().size()));
    Optimizer opt = Optimizer.create(cfg, net.params());
    float[] conv = values(net, "layer2.0.conv1.weight");
    float[] fc = values(net, "fc.weight");
    try (PointerScope s = new PointerScope()) {
      torch.manual_seed(0);
      Tensor loss = net.forward(torch.randn(2, 3, 32, 32), true).square().mean();
      loss.backward();
      Tensor g = net.params().get("layer2.0.conv1.weight").orElseThrow().tensor().grad();
      assertThat(g.defined()).isFalse();
      opt.step(0.1);
    }
    assertThat(values(net, "layer2.0.conv1.weight")).containsExactly(conv);
    assertThat(values(net, "fc.weight")).isNotEqualTo(fc);
  }

  @Test
  void freeze_n_freezes_the_first_n_body_groups() {
    Net net = ModelRegistry.create(spec("resnet18", 4, 3), 3);
    assertThat(net.groups()).containsExactly("stem", "layer1", "layer2", "layer3", "layer4");
    net.freeze(2);
    assertThat(requiresGrad(net, "conv1.weight")).isFalse();
    assertThat(requiresGrad(net, "layer1.1.conv2.weight")).isFalse();
    assertThat(requiresGrad(net, "layer2.0.conv1.weight")).isTrue();
    assertThat(requiresGrad(net, "fc.weight")).isTrue();
  }

  @Test
  void a_bad_freeze_value_says_what_is_accepted() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.freeze = "head";
    assertThatThrownBy(b::build)
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("--freeze must be none, backbone or a number");
  }

  private static boolean requiresGrad(Net net, String name) {
    return net.params().get(name).orElseThrow().tensor().requires_grad();
  }
}
