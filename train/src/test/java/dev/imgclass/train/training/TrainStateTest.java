package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import org.junit.jupiter.api.Test;

/**
 * Which changed settings a resume accepts: the operational ones, never those that change results.
 */
class TrainStateTest {
  static TrainState checkpoint(TrainConfig cfg, String resolved) {
    return TrainState.start(cfg, resolved, "data-1", null);
  }

  @Test
  void changing_threads_and_checkpoint_steps_is_accepted() {
    TrainConfig.Builder b = TrainConfig.builder();
    TrainState saved = checkpoint(b.build(), "fp32");
    b.threads = 7;
    b.checkpointSteps = 50;
    b.maxBad = 0.5;
    assertThatCode(() -> saved.checkResumableWith(b.build(), "fp32", "data-1", null))
        .doesNotThrowAnyException();
  }

  @Test
  void the_same_precision_spelled_differently_is_accepted() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.precision = "auto";
    TrainState saved = checkpoint(b.build(), "fp32");
    b.precision = "fp32";
    assertThatCode(() -> saved.checkResumableWith(b.build(), "fp32", "data-1", null))
        .doesNotThrowAnyException();
  }

  @Test
  void auto_precision_resolving_to_bf16_where_the_checkpoint_ran_fp32_is_refused() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.precision = "auto";
    TrainState saved = checkpoint(b.build(), "fp32");
    assertThatThrownBy(() -> saved.checkResumableWith(b.build(), "bf16", "data-1", null))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("precision fp32 in the checkpoint, bf16 now");
  }

  @Test
  void a_checkpoint_from_before_the_precision_was_recorded_uses_its_configured_one() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.precision = "bf16";
    TrainState legacy = new TrainState(0, 0, 0, -1, 0, 0, b.build(), null, "data-1", null);
    assertThatCode(() -> legacy.checkResumableWith(b.build(), "bf16", "data-1", null))
        .doesNotThrowAnyException();
    b.precision = "fp32";
    assertThatThrownBy(() -> legacy.checkResumableWith(b.build(), "fp32", "data-1", null))
        .hasMessageContaining("precision bf16 in the checkpoint, fp32 now");
    b.precision = "auto"; // unknown then: assumed to have resolved as it does now
    TrainState auto = new TrainState(0, 0, 0, -1, 0, 0, b.build(), null, "data-1", null);
    assertThatCode(() -> auto.checkResumableWith(b.build(), "fp32", "data-1", null))
        .doesNotThrowAnyException();
  }

  @Test
  void a_changed_lr_is_refused_naming_lr_with_both_values() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.lr = 0.1;
    TrainState saved = checkpoint(b.build(), "fp32");
    b.lr = 0.5;
    assertThatThrownBy(() -> saved.checkResumableWith(b.build(), "fp32", "data-1", null))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("lr 0.1 in the checkpoint, 0.5 now")
        .hasMessageNotContaining("--");
  }

  @Test
  void every_differing_setting_is_named() {
    TrainConfig.Builder b = TrainConfig.builder();
    TrainState saved = checkpoint(b.build(), "fp32");
    b.epochs = 20;
    b.seed = 7;
    b.augment = "none";
    b.threads = 3; // operational: not named
    assertThatThrownBy(() -> saved.checkResumableWith(b.build(), "fp32", "data-1", null))
        .hasMessageContaining("epochs 10 in the checkpoint, 20 now")
        .hasMessageContaining("seed 42 in the checkpoint, 7 now")
        .hasMessageContaining("augment flip in the checkpoint, none now")
        .hasMessageNotContaining("threads");
  }

  @Test
  void other_data_are_refused() {
    TrainConfig cfg = TrainConfig.builder().build();
    assertThatThrownBy(
            () -> checkpoint(cfg, "fp32").checkResumableWith(cfg, "fp32", "data-2", null))
        .hasMessageContaining("same data");
  }

  @Test
  void the_resolved_precision_is_stored_in_the_checkpoint_state() throws Exception {
    TrainState s = checkpoint(TrainConfig.builder().build(), "bf16");
    String json = Json.write(s);
    assertThat(Json.MAPPER.convertValue(s, java.util.Map.class)).containsEntry("precision", "bf16");
    assertThat(Json.MAPPER.readValue(json, TrainState.class)).isEqualTo(s);
  }
}
