package dev.imgclass.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class QdqQuantizerTest {
  @Test
  void uint8_parameters_cover_the_range_and_represent_zero_exactly() {
    float[] p = QdqQuantizer.uint8Params(new float[] {-1f, 3f});
    assertThat(p[0]).isCloseTo(4f / 255, within(1e-7f));
    assertThat(p[1]).isEqualTo(64f); // round(1 / (4/255)) = 63.75 -> 64
    float[] relu = QdqQuantizer.uint8Params(new float[] {0.5f, 2f}); // widened to include 0
    assertThat(relu[1]).isZero();
    assertThat(relu[0]).isCloseTo(2f / 255, within(1e-7f));
  }

  @Test
  void percentile_ranges_ignore_rare_outliers_that_minmax_keeps() {
    RangeSampler s = new RangeSampler(200_000, 1);
    float[] v = new float[100_000];
    for (int i = 0; i < v.length; i++) v[i] = (i % 1000) / 1000f; // 0 .. 0.999
    v[5] = 1000f; // one outlier
    s.add(FloatBuffer.wrap(v));
    assertThat(s.minMax()[1]).isEqualTo(1000f);
    assertThat(s.percentiles()[1]).isLessThan(1.0f);
  }

  @Test
  void calibration_methods_parse_by_name_and_an_unknown_one_names_the_known_ones() {
    assertThat(QdqQuantizer.Method.parse("Entropy")).isEqualTo(QdqQuantizer.Method.ENTROPY);
    assertThatThrownBy(() -> QdqQuantizer.Method.parse("kl"))
        .hasMessageContaining("use minmax, percentile or entropy");
  }
}
