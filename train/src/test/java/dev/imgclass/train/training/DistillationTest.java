package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Natives;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The distillation objective against hand computations, and its teacher kept frozen. */
class DistillationTest {
  // two images, three classes; T = 2 halves the logits before the softmax
  private static final float[] STUDENT = {1f, 2f, 0f, 0.5f, -0.5f, 1f};
  private static final float[] TEACHER = {2f, 1f, 0f, 0f, 0f, 3f};
  private static final long[] LABELS = {1, 2};
  private static final ModelSpec SPEC =
      new ModelSpec("resnet20", List.of("a", "b", "c"), 1, 8, List.of(0.5), List.of(0.25));
  private static final TeacherIdentity ID =
      new TeacherIdentity(Path.of("teacher"), false, "0".repeat(64));

  @BeforeAll
  static void load() {
    Natives.load();
  }

  private static Tensor t(float[] v, int b, int k) {
    return Tensors.floats(v, b, k);
  }

  /** A teacher that answers {@code logits} whatever the input. */
  private static Teacher fixed(float[] logits, int b, int k) {
    return new Teacher(ID, SPEC, x -> t(logits, b, k), SPEC);
  }

  private static Batch batch(float[] targets) {
    return new Batch(new float[2 * 64], LABELS, 2, 1, targets, new int[] {0, 1});
  }

  private static Objective.Terms terms(double alpha, Loss loss, float[] targets) {
    Distillation d = new Distillation(fixed(TEACHER, 2, 3), loss, alpha, 2);
    return d.apply(
        batch(targets), Tensors.zeros(2, 1, 8, 8), t(STUDENT, 2, 3), Tensors.longs(LABELS, 2));
  }

  /** T²·(1/B)·Σ_b KL(softmax(t_b/T) ‖ softmax(s_b/T)) in plain doubles. */
  static double byFormula(float[] s, float[] te, int b, int k, double temp) {
    double sum = 0;
    for (int i = 0; i < b; i++) {
      double[] ps = softmax(s, i, k, temp);
      double[] pt = softmax(te, i, k, temp);
      for (int j = 0; j < k; j++) sum += pt[j] * (Math.log(pt[j]) - Math.log(ps[j]));
    }
    return temp * temp * sum / b;
  }

  private static double[] softmax(float[] z, int row, int k, double temp) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) max = Math.max(max, z[row * k + j] / temp);
    double[] p = new double[k];
    double total = 0;
    for (int j = 0; j < k; j++) total += p[j] = Math.exp(z[row * k + j] / temp - max);
    for (int j = 0; j < k; j++) p[j] /= total;
    return p;
  }

  @Test
  void the_soft_term_of_a_two_image_example_matches_the_hand_computation() {
    // image 1: s/T = (0.5, 1, 0), t/T = (1, 0.5, 0): p_s = (0.307196, 0.506480, 0.186324) and
    //   p_t = (0.506480, 0.307196, 0.186324); KL = (0.506480 - 0.307196) * ln(e^0.5) = 0.099642
    // image 2: s/T = (0.25, -0.25, 0.5), t/T = (0, 0, 1.5): p_s = (0.345954, 0.209832, 0.444214),
    //   p_t = (0.154281, 0.154281, 0.691438); KL = 0.133906
    // batch mean 0.116774, times T² = 4: 0.467097
    double kd = Distillation.softTerm(t(STUDENT, 2, 3), t(TEACHER, 2, 3), 2).item_double();
    assertThat(kd).isCloseTo(0.467097, within(1e-5));
    assertThat(kd).isCloseTo(byFormula(STUDENT, TEACHER, 2, 3, 2), within(1e-6));
  }

  @Test
  void the_soft_term_is_the_batch_mean_not_the_mean_over_batch_and_classes() {
    Tensor s = t(STUDENT, 2, 3);
    Tensor te = t(TEACHER, 2, 3);
    Tensor logPs = torch.log_softmax(s.div(Tensors.scalar(2)), 1);
    Tensor pt = torch.softmax(te.div(Tensors.scalar(2)), 1);
    // KLDivLoss() at its default reduction ("mean"): the sum divided by B·K
    double elementMean = torch.kl_div(logPs, pt, 1, false).item_double() * 4;
    assertThat(elementMean).isCloseTo(0.467097 / 3, within(1e-5));
    assertThat(Distillation.softTerm(s, te, 2).item_double())
        .isCloseTo(3 * elementMean, within(1e-5));
  }

  @Test
  void the_soft_term_equals_the_formula_in_doubles_for_random_logits() {
    Random r = new Random(3);
    float[] s = new float[5 * 7];
    float[] te = new float[5 * 7];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (r.nextGaussian() * 3);
      te[i] = (float) (r.nextGaussian() * 3);
    }
    for (double temp : new double[] {0.5, 1, 3.5, 10}) {
      assertThat(Distillation.softTerm(t(s, 5, 7), t(te, 5, 7), temp).item_double())
          .as("T = %s", temp)
          .isCloseTo(byFormula(s, te, 5, 7, temp), within(1e-5));
    }
  }

  @Test
  void its_gradient_is_t_times_the_difference_of_the_softened_distributions_over_b() {
    Tensor s = t(STUDENT, 2, 3).requires_grad_(true);
    Distillation.softTerm(s, t(TEACHER, 2, 3), 2).backward();
    float[] g = Tensors.toFloats(s.grad());
    for (int i = 0; i < 2; i++) {
      double[] ps = softmax(STUDENT, i, 3, 2);
      double[] pt = softmax(TEACHER, i, 3, 2);
      for (int j = 0; j < 3; j++)
        assertThat((double) g[i * 3 + j]).isCloseTo(2 * (ps[j] - pt[j]) / 2, within(1e-6));
    }
  }

  @Test
  void alpha_zero_is_the_run_s_plain_cross_entropy_and_alpha_one_only_the_soft_term() {
    Loss loss = new Loss(0.1, new float[] {1f, 2f, 0.5f}, null, 3);
    double ce =
        loss.apply(t(STUDENT, 2, 3), Tensors.longs(LABELS, 2)).item_double(); // smoothed, weighted
    double kd = byFormula(STUDENT, TEACHER, 2, 3, 2);
    Objective.Terms zero = terms(0, loss, null);
    assertThat(zero.total().item_double()).isCloseTo(ce, within(1e-6));
    assertThat(zero.values()).containsOnlyKeys("ce", "kd");
    assertThat(zero.values().get("ce")).isCloseTo(ce, within(1e-6));
    assertThat(zero.values().get("kd")).isCloseTo(kd, within(1e-5));
    assertThat(terms(1, loss, null).total().item_double()).isCloseTo(kd, within(1e-5));
    assertThat(terms(0.3, loss, null).total().item_double())
        .isCloseTo(0.7 * ce + 0.3 * kd, within(1e-5));
  }

  @Test
  void a_mixed_batch_takes_the_soft_target_cross_entropy() {
    Loss loss = new Loss(0, 3);
    float[] targets = {0.7f, 0.3f, 0f, 0f, 0.4f, 0.6f};
    double soft = loss.applySoft(t(STUDENT, 2, 3), t(targets, 2, 3)).item_double();
    Objective.Terms mixed = terms(0.5, loss, targets);
    assertThat(mixed.values().get("ce")).isCloseTo(soft, within(1e-6));
    assertThat(mixed.total().item_double())
        .isCloseTo(0.5 * soft + 0.5 * byFormula(STUDENT, TEACHER, 2, 3, 2), within(1e-5));
  }

  @Test
  void a_step_trains_the_student_and_leaves_the_teacher_frozen_in_eval_mode() {
    Net student = ModelRegistry.create(SPEC, 1);
    Net teacherNet = ModelRegistry.create(SPEC, 2);
    Teacher teacher = Teacher.libtorch(ID, teacherNet, Precision.FP32, SPEC);
    Optimizer opt = Optimizer.create(TrainConfig.builder().build(), student.params());
    TrainTask task =
        new ClassificationTask(
            student, opt, new Distillation(teacher, new Loss(0, 3), 0.9, 4), Precision.FP32, 0);
    float[] teacherW = FinetuneRecipeTest.values(teacherNet, "layer1.0.conv1.weight");
    float[] teacherBn = FinetuneRecipeTest.values(teacherNet, "bn1.running_mean");
    float[] studentW = FinetuneRecipeTest.values(student, "layer1.0.conv1.weight");
    StepResult r = task.step(FinetuneRecipeTest.batch(8, 4), 0.1);
    assertThat(r.parts()).containsOnlyKeys("ce", "kd");
    assertThat(r.loss())
        .isCloseTo(0.1 * r.parts().get("ce") + 0.9 * r.parts().get("kd"), within(1e-5));
    assertThat(FinetuneRecipeTest.values(student, "layer1.0.conv1.weight")).isNotEqualTo(studentW);
    assertThat(FinetuneRecipeTest.values(teacherNet, "layer1.0.conv1.weight"))
        .containsExactly(teacherW);
    assertThat(FinetuneRecipeTest.values(teacherNet, "bn1.running_mean"))
        .containsExactly(teacherBn);
    try (PointerScope s = new PointerScope()) {
      for (var e : teacherNet.params().entries())
        assertThat(e.tensor().grad().defined()).as(e.name()).isFalse();
    }
  }
}
