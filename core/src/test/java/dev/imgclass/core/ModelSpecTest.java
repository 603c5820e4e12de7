package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
  static final String OLD =
      "{\"architecture\":\"resnet20\",\"classes\":[\"a\",\"b\"],\"inChannels\":1,"
          + "\"inputSize\":28,\"mean\":[0.3],\"std\":[0.3]}";

  @Test
  void a_spec_written_before_pruning_existed_reads_with_no_widths() throws Exception {
    ModelSpec s = Json.MAPPER.readValue(OLD, ModelSpec.class);
    assertThat(s.widths()).isEmpty();
    assertThat(s.pruned()).isFalse();
    assertThat(Json.line(s)).isEqualTo(OLD); // and writes back byte for byte
  }

  @Test
  void pruned_widths_round_trip_in_order_and_survive_new_classes() throws Exception {
    ModelSpec s =
        Json.MAPPER
            .readValue(OLD, ModelSpec.class)
            .withWidths(Map.of("layer2.0.conv1", 16))
            .withClasses(List.of("x", "y", "z"));
    ModelSpec back = Json.MAPPER.readValue(Json.line(s), ModelSpec.class);
    assertThat(back).isEqualTo(s);
    assertThat(back.widths()).containsExactly(Map.entry("layer2.0.conv1", 16));
    assertThat(Json.line(s)).contains("\"widths\":{\"layer2.0.conv1\":16}");
  }

  @Test
  void a_width_below_one_channel_is_refused_naming_the_layer() {
    ModelSpec s = new ModelSpec("resnet20", List.of("a", "b"), 1, 28, List.of(0.3), List.of(0.3));
    assertThatThrownBy(() -> s.withWidths(Map.of("layer1.0.conv1", 0)))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("layer1.0.conv1");
  }
}
