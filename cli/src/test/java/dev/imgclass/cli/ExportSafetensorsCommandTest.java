package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --format safetensors} on tiny trained runs: a gray 28 px resnet18 (so the stem is
 * replicated over RGB and the small-input stem is warned about) and a resnet20, which torchvision
 * does not have.
 */
class ExportSafetensorsCommandTest {
  @TempDir static Path dir;
  static Path resnet18;
  static Path resnet20;

  @BeforeAll
  static void trainTinyRuns() {
    resnet18 = train("resnet18");
    resnet20 = train("resnet20");
  }

  private static Path train(String model) {
    Path out = dir.resolve(model);
    Cli.Run t =
        Cli.run(
            "train",
            "--data",
            "synthetic:100:3",
            "--model",
            model,
            "--epochs",
            "1",
            "--batch-size",
            "50",
            "--threads",
            "2",
            "--precision",
            "fp32",
            "--out",
            out.toString());
    assertThat(t.code()).as(t.err()).isZero();
    return out;
  }

  @Test
  void
      a_run_exports_to_model_safetensors_with_its_tensor_names_torchvision_dtypes_and_a_model_card()
          throws Exception {
    Cli.Run r = Cli.run("export", "--model", resnet18.toString(), "--format", "safetensors");
    assertThat(r.code()).as(r.err()).isZero();
    Path file = resnet18.resolve("model.safetensors");
    assertThat(r.out())
        .contains("wrote " + file)
        .contains("model = torchvision.models.resnet18(num_classes=3)")
        .contains("note: the model is gray");
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: resnet18 at 28 px runs its stem at stride 1")
        .contains("model.conv1.stride = (1, 1)");

    Safetensors.Contents run = Safetensors.read(resnet18.resolve(ModelCard.WEIGHTS));
    Safetensors.Contents c = Safetensors.read(file);
    assertThat(c.tensors().keySet()).containsExactlyElementsOf(run.tensors().keySet());
    c.tensors()
        .forEach(
            (name, t) ->
                assertThat(t.dtype())
                    .as(name)
                    .isEqualTo(name.endsWith(".num_batches_tracked") ? "I64" : "F32"));
    assertThat(c.tensors().get("fc.weight").bytes())
        .isEqualTo(run.tensors().get("fc.weight").bytes());
    TensorData stem = c.tensors().get("conv1.weight");
    assertThat(stem.shape()).containsExactly(64, 3, 7, 7);
    float[] gray = run.tensors().get("conv1.weight").toFloats();
    float[] rgb = stem.toFloats();
    assertThat(rgb[49]).isEqualTo(gray[0] / 3f); // channel 1 of filter 0, first tap
    assertThat(rgb[2 * 49 + 48]).isEqualTo(gray[48] / 3f); // channel 2 of filter 0, last tap

    assertThat(c.metadata())
        .containsEntry("format", "pt")
        .containsEntry("imgclass.torchvision", "torchvision.models.resnet18(num_classes=3)")
        .containsEntry(
            "imgclass.torchvision_patch",
            "model.conv1.stride = (1, 1); model.maxpool = torch.nn.Identity()");
    ModelSpec trained = ModelCard.read(resnet18).spec();
    ModelSpec card = Json.MAPPER.readValue(c.metadata().get(OnnxMetadata.SPEC), ModelSpec.class);
    assertThat(card.classes()).isEqualTo(trained.classes());
    assertThat(card.inputSize()).isEqualTo(28);
    assertThat(card.inChannels()).isEqualTo(3);
    assertThat(card.mean()).containsOnly(trained.mean().get(0)).hasSize(3);
    assertThat(card.std()).containsOnly(trained.std().get(0)).hasSize(3);
    JsonNode provenance = Json.MAPPER.readTree(c.metadata().get(OnnxMetadata.PROVENANCE));
    assertThat(provenance.has("exported")).isTrue();
    assertThat(provenance.get("seed")).isNotNull();
  }

  @Test
  void out_names_the_file_and_json_describes_what_was_written() throws Exception {
    Path file = dir.resolve("elsewhere/weights.safetensors");
    Cli.Run r =
        Cli.run(
            "export",
            "--model",
            resnet18.toString(),
            "--format",
            "safetensors",
            "--out",
            file.toString(),
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode s = Json.MAPPER.readTree(r.out()).get("safetensors");
    assertThat(s.get("file").asText()).isEqualTo(file.toString());
    assertThat(s.get("bytes").asLong()).isEqualTo(Files.size(file));
    assertThat(s.get("tensors").asInt()).isEqualTo(Safetensors.read(file).tensors().size());
    assertThat(s.get("torchvision").asText())
        .isEqualTo("torchvision.models.resnet18(num_classes=3)");
    assertThat(s.get("warnings").size()).isEqualTo(1);
  }

  @Test
  void an_unknown_format_is_a_one_line_error() {
    assertOneLineError(
        Cli.run("export", "--model", resnet18.toString(), "--format", "tflite"),
        "unknown --format 'tflite': choose onnx or safetensors");
  }

  @Test
  void an_architecture_without_a_torchvision_model_is_a_one_line_error_naming_those_with_one()
      throws Exception {
    Cli.Run r = Cli.run("export", "--model", resnet20.toString(), "--format", "safetensors");
    assertOneLineError(r, "error: resnet20 has no torchvision model");
    assertThat(r.errLines().get(0)).contains("resnet18, resnet34, resnet50, mobilenetv3_large_100");
    assertThat(resnet20.resolve("model.safetensors")).doesNotExist();
  }

  @Test
  void int8_with_safetensors_is_a_one_line_error() {
    assertOneLineError(
        Cli.run(
            "export",
            "--model",
            resnet18.toString(),
            "--format",
            "safetensors",
            "--int8",
            "--calibration",
            "synthetic:100"),
        "--int8 applies to --format onnx only");
  }

  private static void assertOneLineError(Cli.Run r, String expected) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: ").contains(expected);
    assertThat(Arrays.asList(r.err().split("\n"))).noneMatch(l -> l.startsWith("\tat "));
  }
}
