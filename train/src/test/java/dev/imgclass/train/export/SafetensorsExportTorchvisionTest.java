package dev.imgclass.train.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The other direction of {@code LogitParityTest}: our randomly initialised model (random BN running
 * statistics) is exported by {@link SafetensorsExporter}, the path {@code imgclass export --format
 * safetensors} takes, and {@code torchvision_load.py} builds the torchvision model the file's
 * metadata names, loads the file with {@code strict=True} and runs the same inputs. Skips where
 * /usr/bin/python3 lacks torchvision (Debian: {@code apt-get install python3-torchvision}).
 */
@Tag("slow")
class SafetensorsExportTorchvisionTest {
  static final String PYTHON = "/usr/bin/python3";
  static final int CLASSES = 10;

  @BeforeAll
  static void threads() {
    Engine.threads(2);
  }

  @ParameterizedTest(
      name = "{0} at {1} px, {2} channel(s), gives torchvision''s logits within 1e-4")
  @CsvSource({
    "resnet18, 224, 3",
    "resnet50, 224, 3",
    "mobilenetv3_small_100, 224, 3",
    "mobilenetv3_large_100, 224, 3",
    "mobilenetv3_large_075, 224, 3",
    // gray stem replicated over RGB, small-input stem patched into torchvision's model
    "resnet18, 32, 1",
    "mobilenetv3_small_050, 32, 1"
  })
  void exported_weights_load_strictly_into_torchvision_and_give_the_same_logits_within_1e_4(
      String architecture, int size, int channels, @TempDir Path dir) throws Exception {
    assumeTrue(
        run(List.of(PYTHON, "-c", "import torchvision"), dir) == 0,
        PYTHON + " cannot import torchvision: install python3-torchvision to run the round trip");
    ModelSpec spec =
        new ModelSpec(
            architecture,
            IntStream.range(0, CLASSES).mapToObj(i -> "c" + i).toList(),
            channels,
            size,
            Collections.nCopies(channels, 0.5),
            Collections.nCopies(channels, 0.25));
    Net net = ModelRegistry.create(spec, 5);
    randomBatchNorm(net, new SplittableRandom(6));
    float[] x = gaussian(2 * channels * size * size, new SplittableRandom(7));
    scaleHead(net, x, 2);
    float[] expected = logits(net, x, 2);

    Path weights = dir.resolve("model.safetensors");
    SafetensorsExporter.export(net, Map.of("seed", 5), weights);
    // torchvision's stem takes RGB: a gray image is fed as 3 equal channels
    float[] rgb = channels == 3 ? x : repeatChannels(x, 2, size * size);
    Safetensors.write(
        dir.resolve("input.safetensors"),
        Map.of("input", TensorData.ofFloats(rgb, 2, 3, size, size)),
        Map.of());
    Path script = dir.resolve("torchvision_load.py");
    try (var in = getClass().getResourceAsStream("/torchvision_load.py")) {
      Files.copy(in, script);
    }
    List<String> cmd =
        List.of(
            PYTHON,
            script.toString(),
            weights.toString(),
            dir.resolve("input.safetensors").toString(),
            dir.resolve("logits.safetensors").toString());
    assertThat(run(cmd, dir)).as(Files.readString(dir.resolve("log.txt"))).isZero();
    float[] actual =
        Safetensors.read(dir.resolve("logits.safetensors")).tensors().get("logits").toFloats();

    assertThat(actual).hasSameSizeAs(expected);
    double maxDiff = 0;
    double maxAbs = 0;
    for (int i = 0; i < actual.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
    }
    System.out.printf(
        "round trip %s %d px %d ch: max |logit| %.3f, max abs diff %.2e%n",
        architecture, size, channels, maxAbs, maxDiff);
    assertThat(maxAbs).as("logits too small for the check to mean anything").isGreaterThan(0.1);
    assertThat(maxDiff).as("max abs logit difference").isLessThanOrEqualTo(1e-4);
  }

  /**
   * BN as after training, as torchvision_export.py sets it: running mean U(-0.2, 0.2), running var
   * and scale U(0.5, 1.5), shift U(-0.2, 0.2), {@code num_batches_tracked} 7.
   */
  static void randomBatchNorm(Net net, SplittableRandom rng) {
    Map<String, TensorData> t = new LinkedHashMap<>(Weights.toData(net));
    for (String name : List.copyOf(t.keySet())) {
      if (!name.endsWith(".running_mean")) continue;
      String bn = name.substring(0, name.length() - "running_mean".length());
      t.put(bn + "running_mean", uniform(t.get(bn + "running_mean"), -0.2, 0.2, rng));
      t.put(bn + "running_var", uniform(t.get(bn + "running_var"), 0.5, 1.5, rng));
      t.put(bn + "weight", uniform(t.get(bn + "weight"), 0.5, 1.5, rng));
      t.put(bn + "bias", uniform(t.get(bn + "bias"), -0.2, 0.2, rng));
      long[] shape = t.get(bn + "num_batches_tracked").shape();
      t.put(bn + "num_batches_tracked", TensorData.ofLongs(new long[] {7}, shape));
    }
    Weights.load(net, t, "random BN statistics");
  }

  /** Scales the last layer (with a random bias) so the largest logit on {@code x} is 5. */
  static void scaleHead(Net net, float[] x, int n) {
    Map<String, TensorData> t = new LinkedHashMap<>(Weights.toData(net));
    String w = net.logitsLayer() + ".weight";
    String b = net.logitsLayer() + ".bias";
    t.put(b, uniform(t.get(b), -0.5, 0.5, new SplittableRandom(8)));
    Weights.load(net, t, "random head bias");
    double max = 0;
    for (float v : logits(net, x, n)) max = Math.max(max, Math.abs(v));
    double s = 5 / max;
    t.put(w, scaled(t.get(w), s));
    t.put(b, scaled(t.get(b), s));
    Weights.load(net, t, "scaled head");
  }

  static float[] logits(Net net, float[] x, int n) {
    int c = net.spec().inChannels();
    int size = net.spec().inputSize();
    try (PointerScope scope = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      return Tensors.toFloats(
          net.forward(Engine.layout(Tensors.floats(x, n, c, size, size)), false));
    }
  }

  private static TensorData uniform(TensorData like, double lo, double hi, SplittableRandom rng) {
    float[] v = new float[(int) like.numel()];
    for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble(lo, hi);
    return TensorData.ofFloats(v, like.shape());
  }

  private static TensorData scaled(TensorData d, double s) {
    float[] v = d.toFloats();
    for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * s);
    return TensorData.ofFloats(v, d.shape());
  }

  private static float[] gaussian(int n, SplittableRandom rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }

  /** (N, 1, H, W) -> (N, 3, H, W), the same plane three times. */
  static float[] repeatChannels(float[] x, int n, int plane) {
    float[] out = new float[n * 3 * plane];
    for (int i = 0; i < n; i++)
      for (int c = 0; c < 3; c++) System.arraycopy(x, i * plane, out, (i * 3 + c) * plane, plane);
    return out;
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
