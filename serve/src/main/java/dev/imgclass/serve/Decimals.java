package dev.imgclass.serve;

/**
 * JSON numbers to floats without a String per number: the values of an infer request are most of
 * its bytes, and parsing them through {@code Float.parseFloat(String)} made a garbage string for
 * each one (over half of the server's allocation under load). Numbers with at most 15 significant
 * digits and a small decimal exponent are computed exactly in double arithmetic (Clinger's fast
 * path: one correctly rounded multiply or divide by an exact power of ten) and then rounded to
 * float; anything else falls back to {@link Float#parseFloat}.
 */
final class Decimals {
  private static final double[] POW10 = new double[23];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
  }

  private Decimals() {}

  static float parseFloat(char[] c, int off, int len) {
    int i = off;
    int end = off + len;
    boolean negative = false;
    if (i < end && (c[i] == '-' || c[i] == '+')) negative = c[i++] == '-';
    long mantissa = 0;
    int digits = 0; // significant digits taken into the mantissa
    int exp10 = 0;
    boolean any = false;
    for (; i < end && c[i] >= '0' && c[i] <= '9'; i++) {
      any = true;
      if (mantissa == 0 && c[i] == '0') continue; // leading zeros are not significant
      if (digits < 18) {
        mantissa = mantissa * 10 + (c[i] - '0');
        digits++;
      } else {
        return slow(c, off, len);
      }
    }
    if (i < end && c[i] == '.') {
      for (i++; i < end && c[i] >= '0' && c[i] <= '9'; i++) {
        any = true;
        if (mantissa == 0 && c[i] == '0') {
          exp10--;
          continue;
        }
        if (digits >= 18) return slow(c, off, len);
        mantissa = mantissa * 10 + (c[i] - '0');
        digits++;
        exp10--;
      }
    }
    if (!any) return slow(c, off, len);
    if (i < end && (c[i] == 'e' || c[i] == 'E')) {
      i++;
      boolean expNegative = false;
      if (i < end && (c[i] == '-' || c[i] == '+')) expNegative = c[i++] == '-';
      int e = 0;
      boolean expDigits = false;
      for (; i < end && c[i] >= '0' && c[i] <= '9'; i++) {
        expDigits = true;
        if (e < 10_000) e = e * 10 + (c[i] - '0');
      }
      if (!expDigits) return slow(c, off, len);
      exp10 += expNegative ? -e : e;
    }
    if (i != end) return slow(c, off, len);
    if (mantissa == 0) return negative ? -0f : 0f;
    if (digits > 15 || exp10 < -22 || exp10 > 22) return slow(c, off, len);
    double v = mantissa; // exact: below 2^53
    v = exp10 < 0 ? v / POW10[-exp10] : v * POW10[exp10];
    return (float) (negative ? -v : v);
  }

  private static float slow(char[] c, int off, int len) {
    return Float.parseFloat(new String(c, off, len));
  }
}
