package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void warmup_then_cosine_reaches_the_peak_then_decays_to_zero() {
    LrSchedule s = new LrSchedule(0.1, 10, 110);
    assertThat(s.at(0)).isCloseTo(0.01, within(1e-12));
    assertThat(s.at(9)).isCloseTo(0.1, within(1e-12));
    assertThat(s.at(60)).isCloseTo(0.05, within(1e-12));
    assertThat(s.at(110)).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void a_one_epoch_run_with_one_warmup_epoch_warms_up_for_a_fifth_and_decays_to_zero() {
    // 94 steps: 12,000 images at batch 128; before the cap the whole run was warm-up
    LrSchedule s = LrSchedule.warmupCosine(0.1, 1, 94, 1);
    assertThat(s.warmupSteps()).isEqualTo(18);
    assertThat(s.at(17)).isCloseTo(0.1, within(1e-12));
    assertThat(s.at(93)).isLessThan(0.001);
  }

  @Test
  void warmup_that_fits_in_a_fifth_of_the_run_is_kept_as_configured() {
    LrSchedule s = LrSchedule.warmupCosine(0.1, 1, 445, 10);
    assertThat(s.warmupSteps()).isEqualTo(445);
    assertThat(s.totalSteps()).isEqualTo(4450);
  }

  @Test
  void no_warmup_starts_at_the_peak() {
    assertThat(LrSchedule.warmupCosine(0.2, 0, 10, 3).at(0)).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void an_empty_schedule_is_refused() {
    assertThatThrownBy(() -> new LrSchedule(0.1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
