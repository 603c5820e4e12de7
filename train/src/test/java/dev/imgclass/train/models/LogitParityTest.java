package dev.imgclass.train.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our models give torchvision's logits: a randomly initialised torchvision model (with random BN
 * running statistics) is written to safetensors by {@code torchvision_export.py}, loaded into ours
 * by name, and both run in eval mode on the same input. The same holds for F16 and BF16 checkpoints
 * without {@code num_batches_tracked} loaded by {@link Weights#initFrom}. Skips where
 * /usr/bin/python3 lacks torchvision (Debian: {@code apt-get install python3-torchvision}). About a
 * minute on 2 cores.
 */
@Tag("slow")
class LogitParityTest {
  static final String PYTHON = "/usr/bin/python3";
  static final int SIZE = 64;
  static final int CLASSES = 10;

  @BeforeAll
  static void threads() {
    Engine.threads(2);
  }

  @ParameterizedTest(name = "{1} logits match torchvision {0} within 1e-4")
  @CsvSource({
    "resnet18, resnet18",
    "resnet50, resnet50",
    "mobilenet_v3_small, mobilenetv3_small_100",
    "mobilenet_v3_large, mobilenetv3_large_100"
  })
  void logits_match_torchvision_within_1e_4(String torchvision, String ours, @TempDir Path dir)
      throws Exception {
    Net net = export(torchvision, ours, dir);
    Weights.load(net, dir.resolve("weights.safetensors"));
    assertLogitsMatch(net, ours, dir);
  }

  @ParameterizedTest(
      name = "{1} from a {2} checkpoint without num_batches_tracked matches torchvision {0}")
  @CsvSource({
    "resnet18, resnet18, f16",
    "mobilenet_v3_small, mobilenetv3_small_100, f16",
    "mobilenet_v3_small, mobilenetv3_small_100, bf16"
  })
  void half_precision_checkpoints_without_integer_buffers_init_to_torchvision_logits(
      String torchvision, String ours, String dtype, @TempDir Path dir) throws Exception {
    // torchvision runs on the same rounded weights, so the tolerance stays 1e-4
    Net net = export(torchvision, ours, dir, dtype, "no-int-buffers");
    Path weights = dir.resolve("weights.safetensors");
    assertThat(Safetensors.read(weights).tensors())
        .noneSatisfy((name, t) -> assertThat(name).endsWith("num_batches_tracked"))
        .allSatisfy((name, t) -> assertThat(t.dtype()).isEqualTo(dtype.toUpperCase()));
    String note = Weights.initFrom(net, weights);
    assertThat(note).contains("num_batches_tracked absent for").doesNotContain("reset");
    assertLogitsMatch(net, ours, dir);
  }

  /** Runs the export script; returns our (randomly initialised) model for its weights. */
  private static Net export(String torchvision, String ours, Path dir, String... options)
      throws Exception {
    assumeTrue(
        run(List.of(PYTHON, "-c", "import torchvision"), dir) == 0,
        PYTHON + " cannot import torchvision: install python3-torchvision to run the parity test");
    Path script = dir.resolve("torchvision_export.py");
    try (var in = LogitParityTest.class.getResourceAsStream("/torchvision_export.py")) {
      Files.copy(in, script);
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                PYTHON,
                script.toString(),
                torchvision,
                Integer.toString(SIZE),
                Integer.toString(CLASSES),
                dir.toString()));
    cmd.addAll(List.of(options));
    assertThat(run(cmd, dir)).as(Files.readString(dir.resolve("log.txt"))).isZero();

    ModelSpec spec =
        new ModelSpec(
            ours,
            IntStream.range(0, CLASSES).mapToObj(Integer::toString).toList(),
            3,
            SIZE,
            List.of(0.5, 0.5, 0.5),
            List.of(0.25, 0.25, 0.25));
    return ModelRegistry.create(spec, 0);
  }

  private static void assertLogitsMatch(Net net, String ours, Path dir) {
    TensorData input = Safetensors.read(dir.resolve("input.safetensors")).tensors().get("input");
    float[] expected =
        Safetensors.read(dir.resolve("logits.safetensors")).tensors().get("logits").toFloats();
    try (PointerScope scope = new PointerScope()) {
      Tensor x = Engine.layout(Tensors.fromData(input));
      float[] actual = Tensors.toFloats(net.forward(x, false));
      assertThat(actual).hasSameSizeAs(expected);
      double maxDiff = 0;
      double maxAbs = 0;
      for (int i = 0; i < actual.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
        maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
      }
      System.out.printf("parity %s: max |logit| %.3f, max abs diff %.2e%n", ours, maxAbs, maxDiff);
      assertThat(maxAbs).as("logits too small for the check to mean anything").isGreaterThan(0.1);
      assertThat(maxDiff).as("max abs logit difference").isLessThanOrEqualTo(1e-4);
    }
  }

  private static int run(List<String> cmd, Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(PYTHON))) return -1;
    Path log = dir.resolve("log.txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
