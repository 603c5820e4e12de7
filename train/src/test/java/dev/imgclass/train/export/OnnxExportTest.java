package dev.imgclass.train.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.SyntheticData;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.Block;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import dev.imgclass.train.models.Shape;
import dev.imgclass.train.onnx.OnnxGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxExportTest {
  @TempDir static Path dir;

  @BeforeAll
  static void threads() {
    Engine.threads(2);
  }

  static Stream<String> names() {
    return ModelRegistry.entries().stream().map(ModelRegistry.Entry::name);
  }

  static ModelSpec spec(String name) {
    int size = ModelRegistry.entry(name).defaultInputSize() >= 224 ? 64 : 32;
    return new ModelSpec(
        name,
        IntStream.range(0, 10).mapToObj(i -> "c" + i).toList(),
        3,
        size,
        List.of(0.3, 0.3, 0.3),
        List.of(0.3, 0.3, 0.3));
  }

  /**
   * A model whose BN running statistics come from real images, as after training, and whose BN
   * scales and shifts are perturbed: folding must get every term right.
   */
  static Net trainedLooking(ModelSpec spec) {
    Net net = ModelRegistry.create(spec, 11);
    float[] x = inputs(spec, 16);
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      torch.manual_seed(3);
      Tensor batch = Tensors.floats(x, 16, 3, spec.inputSize(), spec.inputSize());
      for (int i = 0; i < 25; i++) net.forward(batch, true); // running stats -> the data's
      for (ParamStore.Entry e : net.params().entries()) {
        if (e.name().endsWith("bn1.weight") || e.name().endsWith("bn2.bias"))
          e.tensor().add_(torch.rand_like(e.tensor()).sub(Tensors.scalar(0.5)));
      }
    }
    return net;
  }

  /** 64 real pattern images at the model's input size, normalized. */
  static float[] inputs(ModelSpec spec, int n) {
    Dataset d = SyntheticData.generate(n, 10, 28, 5);
    Preprocessor pre = new Preprocessor(spec);
    float[] x = new float[n * pre.inputLength()];
    for (int i = 0; i < n; i++)
      pre.normalizeInto(pre.toInputSize(d.image(i)), x, i * pre.inputLength());
    return x;
  }

  @ParameterizedTest
  @MethodSource("names")
  void onnx_runtime_logits_equal_libtorchs_within_1e_4_on_64_real_inputs(String name) {
    ModelSpec spec = spec(name);
    Net net = trainedLooking(spec);
    Path file = dir.resolve(name + ".onnx");
    OnnxExporter.export(net, Map.of("seed", 11), file);
    int n = 64;
    float[] x = inputs(spec, n);
    float[] expected;
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      expected =
          Tensors.toFloats(
              net.forward(Tensors.floats(x, n, 3, spec.inputSize(), spec.inputSize()), false));
    }
    try (OnnxClassifier c = OnnxClassifier.open(file, OnnxOptions.cpu(2))) {
      float[][] got = c.logits(x, n);
      double max = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 10; k++)
          max = Math.max(max, Math.abs(got[i][k] - expected[i * 10 + k]));
      }
      double scale = 0;
      for (float v : expected) scale = Math.max(scale, Math.abs(v));
      assertThat(max)
          .as(name + " max |Δ logit| (max |logit| " + scale + ")")
          .isLessThanOrEqualTo(1e-4);
      assertThat(c.spec()).isEqualTo(spec);
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void the_export_passes_the_reference_onnx_checker_with_full_shape_inference(String name) {
    assumeTrue(
        pythonHasOnnx(), "python3-onnx not installed: the reference onnx.checker cannot run");
    Path file = dir.resolve(name + ".checked.onnx");
    OnnxExporter.export(ModelRegistry.create(spec(name), 11), Map.of("seed", 11), file);
    checkWithOnnxChecker(file);
  }

  /**
   * The reference ONNX checker with full check and shape inference; without python3-onnx the
   * calling test is reported as skipped, not passed.
   */
  static void checkWithOnnxChecker(Path file) {
    assumeTrue(
        pythonHasOnnx(),
        "python3-onnx not installed: the reference onnx.checker did not run on " + file);
    try {
      Process p =
          new ProcessBuilder(
                  "/usr/bin/python3",
                  "-c",
                  "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True); print('ok')",
                  file.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out.strip()).as("onnx.checker on " + file).isEqualTo("ok");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static boolean pythonHasOnnx() {
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import onnx").start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void the_onnx_checker_is_available_where_ci_installs_it() {
    assumeTrue(System.getenv("CI") != null, "only CI promises python3-onnx");
    assertThat(pythonHasOnnx()).as("python3-onnx installed by .ci/run").isTrue();
  }

  @Test
  void an_unknown_block_is_an_error_naming_it_and_writes_no_file() {
    Block alien =
        new Block() {
          @Override
          public Tensor forward(Tensor x, boolean training) {
            return x;
          }

          @Override
          public Shape outputShape(Shape in) {
            return in;
          }

          @Override
          public long macs(Shape in) {
            return 0;
          }

          @Override
          public void collect(String prefix, ParamStore store) {}
        };
    assertThatThrownBy(() -> alien.toOnnx(new OnnxGraph(), "input"))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("cannot export block")
        .hasMessageContaining("no file was written");
  }

  @Test
  void a_truncated_onnx_file_is_refused_with_a_clear_message() throws Exception {
    ModelSpec spec = spec("resnet20");
    Path file = dir.resolve("cut.onnx");
    byte[] all = OnnxExporter.toBytes(ModelRegistry.create(spec, 1), Map.of());
    Files.write(file, java.util.Arrays.copyOf(all, all.length / 3));
    assertThatThrownBy(() -> OnnxClassifier.open(file, OnnxOptions.cpu(1)))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("cannot load ONNX model");
  }

  @Test
  void a_file_without_imgclass_metadata_needs_classes_mean_and_std() throws Exception {
    ModelSpec spec = spec("resnet20");
    byte[] bytes = OnnxExporter.toBytes(ModelRegistry.create(spec, 1), Map.of());
    var model =
        ai.onnx.proto.OnnxMl.ModelProto.parseFrom(bytes).toBuilder().clearMetadataProps().build();
    Path file = dir.resolve("foreign.onnx");
    Files.write(file, model.toByteArray());
    assertThatThrownBy(() -> OnnxClassifier.open(file, OnnxOptions.cpu(1)))
        .hasMessageContaining("has no imgclass metadata")
        .hasMessageContaining("--classes");
    List<String> classes = IntStream.range(0, 10).mapToObj(i -> "k" + i).toList();
    var opts =
        new OnnxOptions(
            1,
            "cpu",
            java.util.Optional.of(classes),
            java.util.Optional.of(List.of(0.3, 0.3, 0.3)),
            java.util.Optional.of(List.of(0.3, 0.3, 0.3)));
    try (OnnxClassifier c = OnnxClassifier.open(file, opts)) {
      assertThat(c.spec().classes()).isEqualTo(classes);
      List<ImageU8> one = List.of(SyntheticData.generate(1, 10, 28, 1).image(0));
      float[] p = c.probabilities(one)[0];
      double sum = 0;
      for (float v : p) sum += v;
      assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
    }
  }

  @Test
  void a_missing_execution_provider_is_a_clear_error() throws Exception {
    Path file = dir.resolve("p.onnx");
    OnnxExporter.export(ModelRegistry.create(spec("resnet20"), 1), Map.of(), file);
    var cuda =
        new OnnxOptions(
            1,
            "cuda",
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty());
    assumeFalse(
        ai.onnxruntime.OrtEnvironment.getAvailableProviders()
            .contains(ai.onnxruntime.OrtProvider.CUDA),
        "CUDA is available here: the missing-provider error cannot happen");
    assertThatThrownBy(() -> OnnxClassifier.open(file, cuda))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("execution provider 'cuda' is not available");
  }
}
