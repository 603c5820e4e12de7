package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
  @TempDir Path dir;

  static ModelSpec spec(int classes) {
    return new ModelSpec(
        "resnet20",
        java.util.stream.IntStream.range(0, classes).mapToObj(i -> "k" + i).toList(),
        1,
        28,
        List.of(0.3),
        List.of(0.3));
  }

  @Test
  void saved_weights_load_into_a_fresh_model_and_give_identical_logits() {
    Net a = ModelRegistry.create(spec(10), 1);
    Net b = ModelRegistry.create(spec(10), 2);
    Path f = dir.resolve("w.safetensors");
    Weights.save(a, f);
    Weights.load(b, f);
    try (PointerScope scope = new PointerScope()) {
      var x = torch.randn(3, 1, 28, 28);
      assertThat(Tensors.toFloats(b.forward(x, false)))
          .containsExactly(Tensors.toFloats(a.forward(x, false)));
    }
  }

  @Test
  void weights_for_another_class_count_are_refused_naming_the_tensor() {
    Path f = dir.resolve("w5.safetensors");
    Weights.save(ModelRegistry.create(spec(5), 1), f);
    Net ten = ModelRegistry.create(spec(10), 1);
    assertThatThrownBy(() -> Weights.load(ten, f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("fc.weight is [5, 64] in the file, the model needs [10, 64]");
  }

  @Test
  void a_corrupt_weights_file_is_refused() throws Exception {
    Path f = dir.resolve("w.safetensors");
    Weights.save(ModelRegistry.create(spec(10), 1), f);
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
    Net net = ModelRegistry.create(spec(10), 1);
    assertThatThrownBy(() -> Weights.load(net, f)).hasMessageContaining("corrupt safetensors");
  }
}
