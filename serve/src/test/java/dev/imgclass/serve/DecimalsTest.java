package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  static float parse(String s) {
    return Decimals.parseFloat(s.toCharArray(), 0, s.length());
  }

  @Test
  void agrees_with_float_parse_float_on_200k_numbers_as_clients_print_them() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 200_000; i++) {
      float f = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-8, 8)));
      // as Java/JavaScript print a float, as numpy prints it via float64, and rounded to 6 places
      for (String s :
          new String[] {
            Float.toString(f),
            Double.toString(f),
            String.format("%.6f", f),
            String.format("%.3e", f)
          }) {
        assertThat(Float.floatToIntBits(parse(s)))
            .as(s)
            .isEqualTo(Float.floatToIntBits(Float.parseFloat(s)));
      }
    }
  }

  @Test
  void reads_json_number_forms_and_the_edges() {
    for (String s :
        new String[] {
          "0",
          "-0",
          "1",
          "-1",
          "0.5",
          "1e3",
          "1E-3",
          "-2.5e+2",
          "123456789012345678901234",
          "1e39",
          "1e-50",
          "3.4028235e38",
          "1.4e-45",
          "0.000000000000000000000000000001",
          "007",
          "1.",
          ".5"
        }) {
      assertThat(Float.floatToIntBits(parse(s)))
          .as(s)
          .isEqualTo(Float.floatToIntBits(Float.parseFloat(s)));
    }
  }
}
