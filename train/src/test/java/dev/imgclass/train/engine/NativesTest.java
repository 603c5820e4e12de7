package dev.imgclass.train.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class NativesTest {
  @Test
  void openblas_runs_on_one_thread_without_the_launcher_setting_it() {
    // surefire sets no OPENBLAS_NUM_THREADS any more: the library pins it itself
    assumeTrue(
        System.getenv("OPENBLAS_NUM_THREADS") == null,
        "OPENBLAS_NUM_THREADS is set in this environment; the user's choice is kept");
    assertThat(Natives.openBlasThreads()).isEqualTo(1);
  }

  @Test
  void a_thread_count_the_user_chose_is_left_alone() {
    Natives.load();
    int before = org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    assertThat(Natives.pinOpenBlas("3")).isEqualTo(before);
  }
}
