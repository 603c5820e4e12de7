package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.data.DataAudit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataAdviceTest {
  static DataAudit.Report report(Map<String, Integer> train, double ratio) {
    Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    counts.put("train", train);
    return new DataAudit.Report(
        "x",
        List.copyOf(train.keySet()),
        counts,
        ratio,
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        Map.of(),
        List.of(),
        0,
        0);
  }

  @Test
  void small_classes_get_their_shortfall_and_imbalance_gets_the_measured_remedies() {
    Map<String, Integer> train = new LinkedHashMap<>();
    train.put("cat", 6000);
    train.put("dog", 400);
    List<String> a = DataAdvice.of(report(train, 15.0));
    assertThat(a).hasSize(2);
    assertThat(a.get(0)).contains("class 'dog' has 400 training images, 600 short of 1,000");
    assertThat(a.get(1)).startsWith("imbalance ratio 15.0: train with --sampler balanced (+10.7");
  }

  @Test
  void a_large_balanced_dataset_gets_no_advice() {
    assertThat(DataAdvice.of(report(Map.of("a", 6000, "b", 5000), 1.2))).isEmpty();
    assertThat(DataAdvice.of(report(Map.of("a", 6000, "b", 2500), 2.4))).isEmpty();
    assertThat(DataAdvice.of(report(Map.of("a", 1000, "b", 999), 1.0))).hasSize(1);
  }
}
