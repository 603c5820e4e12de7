package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The distillation settings of {@link TrainConfig}: defaults and what is refused. */
class DistillationConfigTest {
  static TrainConfig.Builder kd() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.teacher = "runs/teacher";
    return b;
  }

  @Test
  void a_teacher_gets_alpha_0_9_and_temperature_4_and_no_teacher_gets_neither() {
    TrainConfig c = kd().build();
    assertThat(c.distils()).isTrue();
    assertThat(List.of(c.kdAlpha(), c.kdTemperature())).containsExactly(0.9, 4.0);
    TrainConfig plain = TrainConfig.builder().build();
    assertThat(plain.distils()).isFalse();
    assertThat(List.of(plain.kdAlpha(), plain.kdTemperature())).containsExactly(0.0, 0.0);
  }

  @Test
  void alpha_outside_0_1_and_a_temperature_not_above_0_are_refused() {
    for (double a : new double[] {-0.1, 1.5, Double.NaN}) {
      TrainConfig.Builder b = kd();
      b.kdAlpha = a;
      assertThatThrownBy(b::build)
          .isInstanceOf(ImgclassException.class)
          .hasMessage("--kd-alpha must be in [0, 1], got " + a);
    }
    for (double t : new double[] {0, -2, Double.POSITIVE_INFINITY}) {
      TrainConfig.Builder b = kd();
      b.kdTemperature = t;
      assertThatThrownBy(b::build)
          .hasMessage("--kd-temperature must be a positive number, got " + t);
    }
    TrainConfig.Builder edges = kd();
    edges.kdAlpha = 0.0;
    edges.kdTemperature = 0.01;
    assertThat(edges.build().kdAlpha()).isZero();
  }

  @Test
  void distillation_settings_without_a_teacher_are_refused() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.kdAlpha = 0.5;
    assertThatThrownBy(b::build).hasMessageContaining("give --teacher MODEL too");
    TrainConfig.Builder c = TrainConfig.builder();
    c.kdCache = true;
    assertThatThrownBy(c::build).hasMessageContaining("give --teacher MODEL too");
  }

  @Test
  void the_cache_needs_unaugmented_batches() {
    for (String aug : List.of("light", "none,mixup=0.2", "standard")) {
      TrainConfig.Builder b = kd();
      b.kdCache = true;
      b.augment = aug;
      assertThatThrownBy(b::build)
          .as(aug)
          .hasMessageContaining("--kd-cache keeps the teacher's logits of un-augmented images")
          .hasMessageContaining("use --augment none with --kd-cache");
    }
    TrainConfig.Builder ok = kd();
    ok.kdCache = true;
    ok.augment = "none";
    assertThat(ok.build().kdCache()).isTrue();
  }

  @Test
  void the_teacher_s_path_may_change_on_resume_its_settings_may_not() {
    assertThat(TrainConfig.OPERATIONAL).contains("teacher");
    assertThat(kd().build().resultSettings("fp32"))
        .containsKeys("kdAlpha", "kdTemperature", "kdCache")
        .doesNotContainKey("teacher");
  }

  @Test
  void a_resume_checks_the_teacher_by_sha256_not_by_path() {
    TrainConfig cfg = kd().build();
    TrainState saved = TrainState.start(cfg, "fp32", "data", "a".repeat(64));
    TeacherIdentity moved =
        new TeacherIdentity(java.nio.file.Path.of("elsewhere"), false, "a".repeat(64));
    TrainConfig.Builder b = kd();
    b.teacher = "elsewhere";
    saved.checkResumableWith(b.build(), "fp32", "data", moved);
    TeacherIdentity other = new TeacherIdentity(java.nio.file.Path.of("t2"), false, "b".repeat(64));
    assertThatThrownBy(() -> saved.checkResumableWith(cfg, "fp32", "data", other))
        .hasMessage(
            "resume needs the same teacher: the checkpoint's (runs/teacher) has SHA-256 "
                + "a".repeat(64)
                + ", t2 has "
                + "b".repeat(64)
                + "; pass the teacher the run started with, or start a new run");
    TrainConfig none = TrainConfig.builder().build();
    assertThatThrownBy(() -> saved.checkResumableWith(none, "fp32", "data", null))
        .hasMessageContaining("the checkpoint distils from runs/teacher");
    TrainState plain = TrainState.start(none, "fp32", "data", null);
    assertThatThrownBy(() -> plain.checkResumableWith(cfg, "fp32", "data", other))
        .hasMessageContaining("the checkpoint was trained without a teacher");
  }
}
