package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.Batch;
import dev.imgclass.data.BatchLoader;
import dev.imgclass.data.Dataset;
import dev.imgclass.data.SyntheticData;
import dev.imgclass.data.augment.Augmentation;
import dev.imgclass.train.engine.Natives;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The teacher's identity, its class check, its input and its cache. */
class TeacherTest {
  static final List<String> ABC = List.of("a", "b", "c");
  static final ModelSpec STUDENT = spec(ABC, 1, 8, 0.5, 0.25);
  static final TeacherIdentity ID = new TeacherIdentity(Path.of("t"), false, "0".repeat(64));

  static ModelSpec spec(List<String> classes, int channels, int size, double mean, double std) {
    return new ModelSpec(
        "resnet20",
        classes,
        channels,
        size,
        java.util.Collections.nCopies(channels, mean),
        java.util.Collections.nCopies(channels, std));
  }

  @BeforeAll
  static void load() {
    Natives.load();
  }

  private static float[] ramp(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) Math.sin(i * 0.7) * 2;
    return x;
  }

  @Test
  void an_onnx_teacher_is_identified_by_the_sha256_of_its_bytes(@TempDir Path dir)
      throws Exception {
    Path f = dir.resolve("t.onnx");
    Files.write(f, new byte[] {1, 2, 3});
    String expected =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
    assertThat(TeacherIdentity.of(f).sha256()).isEqualTo(expected);
    assertThat(TeacherIdentity.of(f).onnx()).isTrue();
  }

  @Test
  void what_cannot_be_a_teacher_is_refused_in_one_line(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> TeacherIdentity.check(dir.resolve("absent")))
        .isInstanceOf(ImgclassException.class)
        .hasMessageStartingWith("teacher not found: ");
    Files.writeString(dir.resolve("notes.txt"), "x");
    for (Path p : List.of(dir, dir.resolve("notes.txt")))
      assertThatThrownBy(() -> TeacherIdentity.check(p))
          .hasMessageContaining("is neither a run directory (model.json and weights.safetensors)");
  }

  @Test
  void other_classes_are_refused_naming_the_first_difference_and_both_lists() {
    ModelSpec teacher = spec(List.of("a", "x", "c", "d"), 1, 8, 0.5, 0.25);
    assertThatThrownBy(() -> Teacher.checkClasses(Path.of("runs/t"), teacher, STUDENT))
        .isInstanceOf(ImgclassException.class)
        .hasMessage(
            "teacher runs/t was trained on other classes than the data: 4 classes against 3,"
                + " first difference at class 1: 'x' in the teacher, 'b' in the data (teacher [a,"
                + " x, c, d], data [a, b, c]); distil from a teacher trained on the same classes");
    Teacher.checkClasses(Path.of("runs/t"), spec(ABC, 3, 32, 0.1, 0.3), STUDENT); // same classes
  }

  @Test
  void the_same_preprocessing_passes_the_batch_through_untouched() {
    TeacherInput in = new TeacherInput(STUDENT, STUDENT);
    Tensor x = Tensors.floats(ramp(64), 1, 1, 8, 8);
    assertThat(in.identity()).isTrue();
    assertThat(in.apply(x)).isSameAs(x);
    assertThat(in.describe()).isEmpty();
  }

  @Test
  void another_mean_and_std_renormalise_the_pixels_exactly() {
    TeacherInput in = new TeacherInput(STUDENT, spec(ABC, 1, 8, 0.2, 0.5));
    float[] x = ramp(2 * 64);
    float[] y = Tensors.toFloats(in.apply(Tensors.floats(x, 2, 1, 8, 8)));
    for (int i = 0; i < x.length; i++)
      assertThat(y[i]).isCloseTo(((x[i] * 0.25f + 0.5f) - 0.2f) / 0.5f, within(1e-6f));
    assertThat(in.describe()).contains("renormalised");
  }

  @Test
  void a_gray_student_feeds_an_rgb_teacher_three_equal_planes() {
    TeacherInput in = new TeacherInput(STUDENT, spec(ABC, 3, 8, 0.2, 0.5));
    float[] x = ramp(64);
    float[] y = Tensors.toFloats(in.apply(Tensors.floats(x, 1, 1, 8, 8)));
    assertThat(y).hasSize(3 * 64);
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < 64; i++)
        assertThat(y[c * 64 + i]).isCloseTo(((x[i] * 0.25f + 0.5f) - 0.2f) / 0.5f, within(1e-6f));
  }

  @Test
  void another_size_is_resized_bilinear_up_and_area_average_down() {
    float[] constant = new float[64];
    java.util.Arrays.fill(constant, 0.8f);
    float[] up =
        Tensors.toFloats(
            new TeacherInput(STUDENT, spec(ABC, 1, 16, 0.5, 0.25))
                .apply(Tensors.floats(constant, 1, 1, 8, 8)));
    assertThat(up).hasSize(256);
    for (float v : up) assertThat(v).isCloseTo(0.8f, within(1e-6f));
    float[] x = ramp(256);
    float[] down =
        Tensors.toFloats(
            new TeacherInput(spec(ABC, 1, 16, 0.5, 0.25), STUDENT)
                .apply(Tensors.floats(x, 1, 1, 16, 16)));
    assertThat(down).hasSize(64);
    float block = (x[0] + x[1] + x[16] + x[17]) / 4; // the top-left 2x2 block
    assertThat(down[0]).isCloseTo(block, within(1e-5f));
  }

  @Test
  void cached_logits_equal_the_teacher_run_on_an_unaugmented_batch() {
    Dataset data = SyntheticData.generate(40, 3, 8, 5);
    ModelSpec student = spec(data.classes(), 1, 8, 0.4, 0.3);
    ModelSpec teacherSpec = spec(data.classes(), 1, 8, 0.45, 0.35);
    var net = ModelRegistry.create(teacherSpec, 3);
    Teacher live = Teacher.libtorch(ID, net, Precision.FP32, student);
    Teacher cached = Teacher.libtorch(ID, net, Precision.FP32, student);
    cached.cache(data);
    BatchLoader loader =
        new BatchLoader(data, new Preprocessor(student), Augmentation.parse("none"), 8, 1, true);
    Batch b = loader.batch(loader.order(0), 0, 2);
    assertThat(b.indices()).hasSize(8);
    Tensor x = Tensors.floats(b.inputs(), 8, 1, 8, 8);
    float[] want = Tensors.toFloats(live.logits(b, x));
    float[] got = Tensors.toFloats(cached.logits(b, Tensors.zeros(8, 1, 8, 8))); // input unused
    assertThat(got).containsExactly(want, within(1e-5f));
  }
}
