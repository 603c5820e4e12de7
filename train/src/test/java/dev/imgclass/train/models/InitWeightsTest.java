package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Weights#initFrom} on checkpoints as users have them, and on broken ones. */
class InitWeightsTest {
  @TempDir Path dir;

  static ModelSpec spec(String name, int classes, int channels) {
    return FineTuneTest.spec(name, classes, channels);
  }

  /** Our own export of a model, passed through {@code edit} and written to a file. */
  Path checkpoint(Net source, UnaryOperator<Map<String, TensorData>> edit) {
    Path f = dir.resolve("ckpt.safetensors");
    Safetensors.write(f, edit.apply(new LinkedHashMap<>(Weights.toData(source))), Map.of());
    return f;
  }

  static Map<String, TensorData> withoutBatchCounts(Map<String, TensorData> t) {
    t.keySet().removeIf(n -> n.endsWith("num_batches_tracked"));
    return t;
  }

  static long[] longs(Net net, String name) {
    try (PointerScope s = new PointerScope()) {
      return Tensors.toLongs(net.params().get(name).orElseThrow().tensor());
    }
  }

  @Test
  void a_state_dict_without_num_batches_tracked_loads_with_the_counts_at_zero() {
    Net source = ModelRegistry.create(spec("resnet18", 10, 3), 1);
    Path f = checkpoint(source, InitWeightsTest::withoutBatchCounts);
    Net target = ModelRegistry.create(spec("resnet18", 10, 3), 2);
    try (PointerScope s = new PointerScope()) {
      target
          .params()
          .get("bn1.num_batches_tracked")
          .orElseThrow()
          .tensor()
          .fill_(Tensors.scalar(9));
    }

    String note = Weights.initFrom(target, f);

    assertThat(note).contains("num_batches_tracked absent for 20 batch norms: set to 0");
    assertThat(note).contains("102 tensors loaded").doesNotContain("kept at initialisation");
    assertThat(longs(target, "bn1.num_batches_tracked")).containsExactly(0);
    assertThat(FineTuneTest.values(target, "layer3.1.bn2.running_var"))
        .containsExactly(FineTuneTest.values(source, "layer3.1.bn2.running_var"));
  }

  @Test
  void num_batches_tracked_present_as_int64_is_used() {
    Net source = ModelRegistry.create(spec("resnet18", 10, 3), 1);
    Path f =
        checkpoint(
            source,
            t -> {
              t.put("layer2.0.bn1.num_batches_tracked", TensorData.ofLongs(new long[] {7}));
              return t;
            });
    Net target = ModelRegistry.create(spec("resnet18", 10, 3), 2);

    assertThat(Weights.initFrom(target, f)).doesNotContain("num_batches_tracked");
    assertThat(longs(target, "layer2.0.bn1.num_batches_tracked")).containsExactly(7);
  }

  @Test
  void f16_and_bf16_tensors_load_converted_to_f32() {
    Net source = ModelRegistry.create(spec("resnet20", 10, 3), 1);
    Path f =
        checkpoint(
            source,
            t -> {
              t.replaceAll((n, d) -> n.startsWith("layer1") ? toF16(d) : d);
              t.replaceAll((n, d) -> n.startsWith("layer2") ? toBf16(d) : d);
              return t;
            });
    Map<String, TensorData> file = Safetensors.read(f).tensors();
    assertThat(file.get("layer1.0.conv1.weight").dtype()).isEqualTo("F16");
    assertThat(file.get("layer2.0.conv1.weight").dtype()).isEqualTo("BF16");
    Net target = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    Weights.initFrom(target, f);

    for (String n : List.of("layer1.0.conv1.weight", "layer2.2.bn2.running_var", "fc.weight")) {
      assertThat(FineTuneTest.values(target, n)).as(n).containsExactly(file.get(n).toFloats());
    }
    // the rounding really happened: F16 keeps 10 mantissa bits, BF16 7
    assertThat(FineTuneTest.values(target, "layer2.0.conv1.weight"))
        .isNotEqualTo(FineTuneTest.values(source, "layer2.0.conv1.weight"));
  }

  @Test
  void a_nan_filled_tensor_is_refused_naming_it() {
    Net source = ModelRegistry.create(spec("resnet20", 10, 3), 1);
    Path f =
        checkpoint(
            source,
            t -> {
              float[] nan = new float[16 * 16 * 9];
              Arrays.fill(nan, Float.NaN);
              t.put("layer1.1.conv2.weight", TensorData.ofFloats(nan, 16, 16, 3, 3));
              return t;
            });
    Net target = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    assertThatThrownBy(() -> Weights.initFrom(target, f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("hold NaN or infinite values: layer1.1.conv2.weight has 2304 of 2304")
        .hasMessageNotContaining("\n");
  }

  @Test
  void a_checkpoint_for_another_architecture_is_refused_naming_the_first_mismatches() {
    Path f = dir.resolve("r18.safetensors");
    Weights.save(ModelRegistry.create(spec("resnet18", 10, 3), 1), f);
    Net target = ModelRegistry.create(spec("mobilenetv3_small_050", 10, 3), 2);

    assertThatThrownBy(() -> Weights.initFrom(target, f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("(written for resnet18)")
        .hasMessageContaining("do not fit mobilenetv3_small_050 with 10 classes")
        .hasMessageContaining("a checkpoint for another architecture?")
        .hasMessageContaining("missing features.0.0.weight; missing features.0.1.weight")
        .hasMessageNotContaining("\n");
  }

  @Test
  void a_shape_mismatch_names_both_shapes() {
    Net source = ModelRegistry.create(spec("resnet18", 10, 3), 1);
    Path f =
        checkpoint(
            source,
            t -> {
              t.put("layer1.0.conv1.weight", TensorData.ofFloats(new float[64 * 64], 64, 64, 1, 1));
              return t;
            });
    Net target = ModelRegistry.create(spec("resnet18", 10, 3), 2);

    assertThatThrownBy(() -> Weights.initFrom(target, f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining(
            "layer1.0.conv1.weight is [64, 64, 1, 1] in the file, the model needs [64, 64, 3, 3]")
        .hasMessageNotContaining("another architecture");
  }

  @Test
  void a_float_tensor_stored_as_integers_is_refused_naming_the_dtype() {
    Net source = ModelRegistry.create(spec("resnet20", 10, 3), 1);
    Path f =
        checkpoint(
            source,
            t -> {
              t.put("fc.bias", TensorData.ofLongs(new long[10], 10));
              return t;
            });
    Net target = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    assertThatThrownBy(() -> Weights.initFrom(target, f))
        .hasMessageContaining("fc.bias is I64 in the file, the model needs floating point");
  }

  @Test
  void a_truncated_checkpoint_is_refused_in_one_line() throws Exception {
    Path f = dir.resolve("w.safetensors");
    Weights.save(ModelRegistry.create(spec("resnet20", 10, 3), 1), f);
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 100));
    Net target = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    assertThatThrownBy(() -> Weights.initFrom(target, f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("corrupt safetensors file")
        .hasMessageContaining("truncated")
        .hasMessageNotContaining("\n");
  }

  @Test
  void a_gray_stem_is_replicated_for_rgb_data_and_keeps_the_logits_of_gray_looking_images() {
    Net gray = ModelRegistry.create(spec("resnet20", 10, 1), 1);
    Path f = dir.resolve("gray.safetensors");
    Weights.save(gray, f);
    Net rgb = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    String note = Weights.initFrom(rgb, f);

    assertThat(note).contains("conv1.weight replicated to RGB (each channel weight/3)");
    try (PointerScope s = new PointerScope()) {
      torch.manual_seed(4);
      Tensor x = torch.randn(2, 1, 32, 32);
      float[] want = Tensors.toFloats(gray.forward(x, false));
      float[] got = Tensors.toFloats(rgb.forward(x.repeat(1, 3, 1, 1), false));
      for (int i = 0; i < want.length; i++) assertThat(got[i]).isCloseTo(want[i], within(1e-5f));
    }
  }

  @Test
  void a_new_head_is_named_as_kept_at_initialisation() {
    Path f = dir.resolve("w.safetensors");
    Weights.save(ModelRegistry.create(spec("resnet20", 1000, 3), 1), f);
    Net target = ModelRegistry.create(spec("resnet20", 10, 3), 2);

    assertThat(Weights.initFrom(target, f))
        .contains("head fc reset for 10 classes (the file has 1000)")
        .endsWith("kept at initialisation: fc.weight, fc.bias");
  }

  private static org.assertj.core.data.Offset<Float> within(float v) {
    return org.assertj.core.data.Offset.offset(v);
  }

  /** F32 -> F16 by truncation (normal numbers; tiny ones flush to 0): enough for weights. */
  static TensorData toF16(TensorData d) {
    float[] v = d.toFloats();
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      int bits = Float.floatToIntBits(x);
      int sign = (bits >>> 16) & 0x8000;
      int exp = ((bits >>> 23) & 0xff) - 127 + 15;
      int half = exp <= 0 ? sign : sign | (Math.min(exp, 30) << 10) | ((bits >>> 13) & 0x3ff);
      b.putShort((short) half);
    }
    return new TensorData("F16", d.shape(), b.array());
  }

  /** F32 -> BF16 by truncation: the top 16 bits. */
  static TensorData toBf16(TensorData d) {
    float[] v = d.toFloats();
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) b.putShort((short) (Float.floatToIntBits(x) >>> 16));
    return new TensorData("BF16", d.shape(), b.array());
  }
}
