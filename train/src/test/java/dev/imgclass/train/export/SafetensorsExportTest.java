package dev.imgclass.train.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsExportTest {
  @TempDir Path dir;

  @BeforeAll
  static void threads() {
    Engine.threads(2);
  }

  static ModelSpec spec(String architecture, int channels, int size) {
    return new ModelSpec(
        architecture,
        IntStream.range(0, 10).mapToObj(i -> "c" + i).toList(),
        channels,
        size,
        Collections.nCopies(channels, 0.4),
        Collections.nCopies(channels, 0.2));
  }

  @Test
  void the_file_holds_every_tensor_by_name_as_f32_with_num_batches_tracked_as_i64()
      throws Exception {
    ModelSpec spec = spec("resnet18", 3, 64);
    Net net = ModelRegistry.create(spec, 1);
    Path file = dir.resolve("model.safetensors");
    SafetensorsExporter.Result r = SafetensorsExporter.export(net, Map.of("seed", 1), file);

    Safetensors.Contents c = Safetensors.read(file);
    assertThat(c.tensors().keySet()).containsExactlyElementsOf(Weights.toData(net).keySet());
    assertThat(c.tensors()).containsKeys("conv1.weight", "layer2.0.downsample.1.running_var");
    c.tensors()
        .forEach(
            (name, t) ->
                assertThat(t.dtype())
                    .as(name)
                    .isEqualTo(name.endsWith(".num_batches_tracked") ? "I64" : "F32"));
    assertThat(c.tensors().get("bn1.num_batches_tracked").shape()).isEmpty();
    assertThat(r.tensors()).isEqualTo(c.tensors().size());
    assertThat(r.bytes()).isEqualTo(Files.size(file));
    assertThat(r.notes()).isEmpty();
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void the_metadata_says_format_pt_and_carries_the_model_card_and_the_torchvision_call()
      throws Exception {
    ModelSpec spec = spec("resnet18", 3, 64);
    Path file = dir.resolve("model.safetensors");
    SafetensorsExporter.export(ModelRegistry.create(spec, 1), Map.of("seed", 1), file);

    Map<String, String> meta = Safetensors.read(file).metadata();
    assertThat(meta)
        .containsEntry("format", "pt")
        .containsEntry(
            SafetensorsExporter.TORCHVISION, "torchvision.models.resnet18(num_classes=10)")
        .containsEntry(OnnxMetadata.CLASSES, "c0,c1,c2,c3,c4,c5,c6,c7,c8,c9")
        .containsEntry(OnnxMetadata.RESIZE, OnnxMetadata.RESIZE_POLICY)
        .containsEntry(SafetensorsExporter.NOTES, "[]")
        .doesNotContainKey(SafetensorsExporter.PATCH);
    assertThat(Json.MAPPER.readValue(meta.get(OnnxMetadata.SPEC), ModelSpec.class)).isEqualTo(spec);
    assertThat(Json.MAPPER.readTree(meta.get(OnnxMetadata.PROVENANCE)).get("seed").asInt())
        .isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet18", "mobilenetv3_small_050"})
  void a_gray_stem_replicated_over_rgb_divided_by_3_gives_the_same_logits_on_3_equal_channels(
      String architecture) throws Exception {
    ModelSpec gray = spec(architecture, 1, 64);
    Net net = ModelRegistry.create(gray, 2);
    float[] x = new float[2 * 64 * 64];
    SplittableRandom rng = new SplittableRandom(4);
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    // trained-like BN and logits of magnitude 5, so a wrong stem scale shows above 1e-5
    SafetensorsExportTorchvisionTest.randomBatchNorm(net, new SplittableRandom(6));
    SafetensorsExportTorchvisionTest.scaleHead(net, x, 2);
    Path file = dir.resolve("gray.safetensors");
    SafetensorsExporter.Result r = SafetensorsExporter.export(net, Map.of(), file);

    Safetensors.Contents c = Safetensors.read(file);
    ModelSpec rgb = spec(architecture, 3, 64);
    Net loaded = ModelRegistry.create(rgb, 3);
    Weights.load(loaded, c.tensors(), file.toString()); // strict: names and shapes
    float[] want = SafetensorsExportTorchvisionTest.logits(net, x, 2);
    float[] got =
        SafetensorsExportTorchvisionTest.logits(
            loaded, SafetensorsExportTorchvisionTest.repeatChannels(x, 2, 64 * 64), 2);
    // NCHW (the default) agrees to 1e-5; channels-last runs other kernels for 1 and 3 input
    // channels, and MobileNet's depthwise blocks carry that rounding to 4e-4 of logits of size 5.
    // A stem not divided by 3 triples the stem's output and moves logits by whole units.
    float tolerance = dev.imgclass.train.engine.Engine.channelsLast() ? 1e-3f : 1e-5f;
    assertThat(got).containsExactly(want, org.assertj.core.data.Offset.offset(tolerance));

    assertThat(r.notes()).singleElement().asString().contains("divided by 3");
    ModelSpec card =
        Json.MAPPER.readValue(
            c.metadata().get(OnnxMetadata.SPEC), ModelSpec.class); // what the file expects
    assertThat(card.inChannels()).isEqualTo(3);
    assertThat(card.mean()).containsExactly(0.4, 0.4, 0.4);
    assertThat(card.std()).containsExactly(0.2, 0.2, 0.2);
  }

  @Test
  void a_small_input_model_is_exported_with_a_warning_and_the_torchvision_patch() {
    Path file = dir.resolve("small.safetensors");
    SafetensorsExporter.Result r =
        SafetensorsExporter.export(
            ModelRegistry.create(spec("resnet18", 3, 32), 1), Map.of(), file);

    assertThat(r.warnings())
        .singleElement()
        .asString()
        .contains("stride 1 without the max pool")
        .contains("model.conv1.stride = (1, 1); model.maxpool = torch.nn.Identity()")
        .doesNotContain("--");
    assertThat(Safetensors.read(file).metadata())
        .containsEntry(
            SafetensorsExporter.PATCH,
            "model.conv1.stride = (1, 1); model.maxpool = torch.nn.Identity()");
  }

  @Test
  void exactly_the_cifar_resnets_and_the_squeeze_excite_models_have_no_torchvision_model() {
    Stream<String> without =
        ModelRegistry.entries().stream()
            .map(ModelRegistry.Entry::name)
            .filter(n -> TorchvisionModel.of(n).isEmpty());
    assertThat(without)
        .containsExactlyInAnyOrder(
            "resnet20", "resnet32", "resnet56", "se_resnet20", "se_resnet50");
    assertThat(TorchvisionModel.require("mobilenetv3_large_075").call(10))
        .isEqualTo("torchvision.models.mobilenet_v3_large(num_classes=10, width_mult=0.75)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet20", "se_resnet20"})
  void an_architecture_without_a_torchvision_model_is_refused_in_one_line_naming_those_with_one(
      String architecture) {
    Net net = ModelRegistry.create(spec(architecture, 3, 32), 1);
    Path file = dir.resolve("x.safetensors");
    assertThatThrownBy(() -> SafetensorsExporter.export(net, Map.of(), file))
        .isInstanceOf(ImgclassException.class)
        .hasMessageStartingWith(architecture + " has no torchvision model")
        .hasMessageContaining("resnet18, resnet34, resnet50, mobilenetv3_large_100")
        .hasMessageNotContaining("\n");
    assertThat(file).doesNotExist();
  }

  @Test
  void a_file_that_fails_its_check_leaves_the_previous_file_untouched() throws Exception {
    Path file = dir.resolve("model.safetensors");
    Files.writeString(file, "previous");
    Net net = ModelRegistry.create(spec("mobilenetv3_small_050", 3, 64), 1);
    assertThatThrownBy(
            () ->
                SafetensorsExporter.export(
                    net,
                    Map.of(),
                    file,
                    f -> {
                      assertThat(Safetensors.read(f).tensors()).isNotEmpty(); // complete file
                      throw new IOException("injected check failure");
                    }))
        .hasMessageContaining("injected check failure");
    assertThat(file).hasContent("previous");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void a_replicated_stem_is_w_over_3_in_every_channel() {
    TensorData w = TensorData.ofFloats(new float[] {3, 6, 9, 12}, 2, 1, 1, 2);
    TensorData rgb = dev.imgclass.train.models.Weights.grayStemToRgb(w);
    assertThat(rgb.shape()).containsExactly(2, 3, 1, 2);
    assertThat(rgb.toFloats()).containsExactly(1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4);
  }
}
