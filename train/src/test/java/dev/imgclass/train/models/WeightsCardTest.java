package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.training.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a pretrained checkpoint's input size, mean/std and classes are read from. */
class WeightsCardTest {
  static final ModelSpec SPEC =
      new ModelSpec(
          "resnet18",
          List.of("cat", "dog"),
          3,
          64,
          List.of(0.485, 0.456, 0.406),
          List.of(0.229, 0.224, 0.225));

  static Path tensors(Path file, Map<String, String> metadata) {
    Safetensors.write(file, Map.of("x", TensorData.ofFloats(new float[] {1f}, 1)), metadata);
    return file;
  }

  @Test
  void an_imgclass_export_carries_its_card_in_the_safetensors_metadata(@TempDir Path dir) {
    Path file = tensors(dir.resolve("r18.safetensors"), Map.of(OnnxMetadata.SPEC, Json.line(SPEC)));
    WeightsCard c = WeightsCard.read(file).orElseThrow();
    assertThat(c.inputSize()).isEqualTo(64);
    assertThat(c.mean()).containsExactly(0.485, 0.456, 0.406);
    assertThat(c.classes()).containsExactly("cat", "dog");
    assertThat(c.source()).contains("r18.safetensors");
  }

  @Test
  void a_run_directory_has_its_card_in_model_json(@TempDir Path dir) throws Exception {
    Path file = tensors(dir.resolve(ModelCard.WEIGHTS), Map.of("format", "pt"));
    Files.writeString(dir.resolve(ModelCard.FILE), Json.write(Map.of("spec", SPEC)));
    WeightsCard c = WeightsCard.read(file).orElseThrow();
    assertThat(c.source()).endsWith(ModelCard.FILE);
    assertThat(c.std()).containsExactly(0.229, 0.224, 0.225);
    // another file in the same folder is not that run's weights
    assertThat(WeightsCard.read(tensors(dir.resolve("other.safetensors"), Map.of()))).isEmpty();
  }

  @Test
  void a_hugging_face_timm_folder_has_its_card_in_config_json(@TempDir Path dir) throws Exception {
    Path file = tensors(dir.resolve("model.safetensors"), Map.of("format", "pt"));
    Files.writeString(
        dir.resolve("config.json"),
        "{\"architecture\": \"resnet18\", \"num_classes\": 1000, \"pretrained_cfg\": {"
            + "\"input_size\": [3, 224, 224], \"interpolation\": \"bicubic\","
            + " \"mean\": [0.5, 0.5, 0.5], \"std\": [0.25, 0.25, 0.25], \"crop_pct\": 0.95}}");
    WeightsCard c = WeightsCard.read(file).orElseThrow();
    assertThat(c.inputSize()).isEqualTo(224);
    assertThat(c.meanFor(3)).containsExactly(0.5, 0.5, 0.5);
    assertThat(c.classes()).isEmpty();
  }

  @Test
  void a_bare_file_has_no_card_and_a_broken_card_is_refused(@TempDir Path dir) throws Exception {
    Path file = tensors(dir.resolve("model.safetensors"), Map.of());
    assertThat(WeightsCard.read(file)).isEmpty();
    Files.writeString(dir.resolve("config.json"), "{\"mean\": [0.5], \"std\": [0]}");
    assertThatThrownBy(() -> WeightsCard.read(file))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("std positive");
    Files.writeString(dir.resolve("config.json"), "{\"mean\": [0.5, 0.5], \"std\": [1, 1]}");
    assertThatThrownBy(() -> WeightsCard.read(file)).hasMessageContaining("1 or 3 values");
    Files.writeString(dir.resolve("config.json"), "{not json");
    assertThatThrownBy(() -> WeightsCard.read(file)).hasMessageContaining("is not valid JSON");
  }

  @Test
  void gray_data_uses_the_channel_average_and_rgb_data_repeats_a_gray_card() {
    WeightsCard rgb =
        new WeightsCard("x", 0, List.of(0.2, 0.4, 0.6), List.of(0.1, 0.2, 0.3), List.of());
    assertThat(rgb.meanFor(1).get(0)).isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(rgb.stdFor(1).get(0)).isCloseTo(0.2, org.assertj.core.api.Assertions.within(1e-12));
    WeightsCard gray = new WeightsCard("x", 28, List.of(0.3), List.of(0.35), List.of());
    assertThat(gray.meanFor(3)).containsExactly(0.3, 0.3, 0.3);
  }

  @Test
  void only_the_finetune_recipe_reads_the_card(@TempDir Path dir) {
    Path file = tensors(dir.resolve("r18.safetensors"), Map.of(OnnxMetadata.SPEC, Json.line(SPEC)));
    TrainConfig.Builder b = TrainConfig.builder();
    b.initWeights = file.toString();
    assertThat(WeightsCard.forRun(b.build())).isEmpty();
    b.recipe = "finetune";
    assertThat(WeightsCard.forRun(b.build())).isPresent();
    b.initWeights = dir.resolve("missing.safetensors").toString();
    assertThatThrownBy(() -> WeightsCard.forRun(b.build())).hasMessageContaining("is not a file");
  }

  @Test
  void init_weights_reset_a_head_trained_for_other_classes_of_the_same_count(@TempDir Path dir) {
    ModelSpec source = FineTuneTest.spec("resnet20", 2, 1).withClasses(List.of("shirt", "coat"));
    Net pre = ModelRegistry.create(source, 1);
    Path file = dir.resolve(ModelCard.WEIGHTS);
    Weights.save(pre, file);
    Json.writeFile(dir.resolve(ModelCard.FILE), Map.of("spec", source));

    Net same = ModelRegistry.create(source, 2);
    String kept = Weights.initFrom(same, file);
    assertThat(kept).doesNotContain("reset");
    assertThat(FineTuneTest.values(same, "fc.weight"))
        .containsExactly(FineTuneTest.values(pre, "fc.weight"));

    Net other = ModelRegistry.create(source.withClasses(List.of("bag", "boot")), 2);
    float[] fresh = FineTuneTest.values(other, "fc.weight");
    String note = Weights.initFrom(other, file);
    assertThat(note).contains("head fc reset: the file's classes (shirt, coat) are not the data's");
    assertThat(FineTuneTest.values(other, "fc.weight")).containsExactly(fresh);
    assertThat(FineTuneTest.values(other, "layer3.2.conv2.weight"))
        .containsExactly(FineTuneTest.values(pre, "layer3.2.conv2.weight"));
  }
}
