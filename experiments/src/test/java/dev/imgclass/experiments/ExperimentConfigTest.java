package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExperimentConfigTest {
  static final String MIN =
      "{\"id\":\"e1\",\"model\":\"fashion\",\"arms\":[{\"name\":\"control\",\"version\":1,\"weight\":1},"
          + "{\"name\":\"treatment\",\"version\":2,\"weight\":1}]}";

  @Test
  void defaults_fill_every_optional_field() {
    ExperimentConfig c = ExperimentConfig.parse(MIN);
    assertThat(c.control()).isEqualTo("control");
    assertThat(c.unit().header()).isEqualTo("X-Unit-Id");
    assertThat(c.salt()).isEqualTo("e1");
    assertThat(c.coverage()).isEqualTo(1.0);
    assertThat(c.metric()).isEqualTo("accuracy");
    assertThat(c.alpha()).isEqualTo(0.05);
    assertThat(c.sequentialTuning()).isEqualTo(5000.0);
    assertThat(c.minLabelled()).isEqualTo(100);
    assertThat(c.guardrails().p99LatencyRatio()).isEqualTo(1.5);
    assertThat(c.guardrails().minRequests()).isEqualTo(200);
    assertThat(c.modelOf(c.arms().get(1))).isEqualTo("fashion");
    // round trip through its own JSON
    assertThat(ExperimentConfig.parse(c.toJson())).isEqualTo(c);
  }

  @Test
  void a_change_of_weights_or_salt_is_a_new_split_and_a_guardrail_change_is_not() {
    ExperimentConfig c = ExperimentConfig.parse(MIN);
    assertThat(
            c.splitDiffers(ExperimentConfig.parse(MIN.replace("\"weight\":1}]", "\"weight\":3}]"))))
        .isTrue();
    assertThat(c.splitDiffers(ExperimentConfig.parse(MIN.replace("}]}", "}],\"salt\":\"s2\"}"))))
        .isTrue();
    assertThat(
            c.splitDiffers(
                ExperimentConfig.parse(
                    MIN.replace("}]}", "}],\"guardrails\":{\"p99_latency_ratio\":2}}"))))
        .isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"model\":\"m\",\"arms\":[]}|needs an 'id'",
        "{\"id\":\"E!\",\"model\":\"m\",\"arms\":[]}|must match",
        "{\"id\":\"e\",\"arms\":[]}|needs a 'model'",
        "{\"id\":\"e\",\"model\":\"m\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1}]}|at least two arms",
        "{\"id\":\"e\",\"model\":\"m\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"a\",\"version\":2,\"weight\":1}]}|two arms are named 'a'",
        "{\"id\":\"e\",\"model\":\"m\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":0},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|needs a 'weight' > 0",
        "{\"id\":\"e\",\"model\":\"m\",\"arms\":[{\"name\":\"a\",\"version\":0,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|needs a 'version' >= 1",
        "{\"id\":\"e\",\"model\":\"m\",\"control\":\"z\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|control 'z' is not one of the arms",
        "{\"id\":\"e\",\"model\":\"m\",\"unit\":{},\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|exactly one of 'header' and 'field'",
        "{\"id\":\"e\",\"model\":\"m\",\"coverage\":1.5,\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|coverage must be in (0, 1]",
        "{\"id\":\"e\",\"model\":\"m\",\"alpha\":0.7,\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|alpha must be in (0, 0.5)",
        "{\"id\":\"e\",\"model\":\"m\",\"metric\":\"clicks\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|metric must be 'accuracy' or 'reward'",
        "{\"id\":\"e\",\"model\":\"m\",\"start\":\"tomorrow\",\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|ISO-8601 instant",
        "{\"id\":\"e\",\"model\":\"m\",\"shadow\":{\"name\":\"a\",\"version\":3},\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|the shadow's name 'a' is taken",
        "{\"id\":\"e\",\"model\":\"m\",\"guardrail\":{},\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|guardrail",
        "{\"id\":\"e\",\"model\":\"m\",\"guardrails\":{\"p99_latency_ratio\":0.5},\"arms\":[{\"name\":\"a\",\"version\":1,\"weight\":1},{\"name\":\"b\",\"version\":2,\"weight\":1}]}|p99_latency_ratio must be in [1, 1000]",
        "not json|experiment config",
      })
  void bad_configs_are_one_clear_line(String json, String message) {
    assertThatThrownBy(() -> ExperimentConfig.parse(json))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
