package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassBalanceTest {
  @TempDir Path dir;
  private static final int[] COUNTS = {6000, 600, 60};
  private static final List<String> CLASSES = List.of("a", "b", "c");

  @Test
  void inverse_and_sqrt_inverse_follow_the_counts_and_average_one() {
    float[] inv = ClassBalance.weights("inverse", COUNTS, CLASSES);
    assertThat(inv[2] / inv[0]).isCloseTo(100f, within(1e-3f));
    assertThat((inv[0] + inv[1] + inv[2]) / 3).isCloseTo(1f, within(1e-5f));
    float[] sq = ClassBalance.weights("sqrt-inverse", COUNTS, CLASSES);
    assertThat(sq[2] / sq[0]).isCloseTo(10f, within(1e-3f));
    assertThat(ClassBalance.weights("none", COUNTS, CLASSES)).isNull();
  }

  @Test
  void effective_number_matches_cui_et_al() {
    float[] w = ClassBalance.weights("effective:0.999", COUNTS, CLASSES);
    // E_n = (1 - beta^n) / (1 - beta); weight is 1 / E_n
    double e0 = (1 - Math.pow(0.999, 6000)) / 0.001;
    double e2 = (1 - Math.pow(0.999, 60)) / 0.001;
    assertThat((double) w[2] / w[0]).isCloseTo(e0 / e2, within(1e-3));
    float[] beta0 = ClassBalance.weights("effective:0", COUNTS, CLASSES); // no re-weighting
    assertThat(beta0).containsExactly(1f, 1f, 1f);
  }

  @Test
  void weights_come_from_numbers_or_json_files_and_bad_ones_are_refused() throws Exception {
    assertThat(ClassBalance.weights("1,2,3.5", COUNTS, CLASSES)).containsExactly(1f, 2f, 3.5f);
    Path list = Files.writeString(dir.resolve("w.json"), "[1, 0.5, 4]");
    assertThat(ClassBalance.weights(list.toString(), COUNTS, CLASSES))
        .containsExactly(1f, 0.5f, 4f);
    Path map = Files.writeString(dir.resolve("m.json"), "{\"c\": 3, \"a\": 1, \"b\": 2}");
    assertThat(ClassBalance.weights(map.toString(), COUNTS, CLASSES)).containsExactly(1f, 2f, 3f);
    Path extra = Files.writeString(dir.resolve("x.json"), "{\"a\":1,\"b\":1,\"c\":1,\"d\":1}");
    assertThatThrownBy(() -> ClassBalance.weights(extra.toString(), COUNTS, CLASSES))
        .hasMessageContaining("'d'");
    assertThatThrownBy(() -> ClassBalance.weights("1,2", COUNTS, CLASSES))
        .hasMessageContaining("2 number(s) for 3 classes");
    assertThatThrownBy(() -> ClassBalance.weights("1,-2,1", COUNTS, CLASSES))
        .hasMessageContaining(">= 0");
    assertThatThrownBy(() -> ClassBalance.weights("effective:1.5", COUNTS, CLASSES))
        .hasMessageContaining("[0, 1)");
    assertThatThrownBy(() -> ClassBalance.weights("inverted", COUNTS, CLASSES))
        .hasMessageContaining("use none, inverse");
  }

  @Test
  void log_prior_is_tau_times_log_frequency() {
    float[] lp = ClassBalance.logPrior(COUNTS, 1.0);
    double total = 6660;
    assertThat((double) lp[0]).isCloseTo(Math.log(6000 / total), within(1e-6));
    assertThat((double) lp[2]).isCloseTo(Math.log(60 / total), within(1e-6));
    assertThat((double) ClassBalance.logPrior(COUNTS, 0.5)[2])
        .isCloseTo(0.5 * Math.log(60 / total), within(1e-6));
  }
}
