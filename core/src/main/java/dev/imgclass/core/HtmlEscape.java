package dev.imgclass.core;

/** Text made safe inside HTML elements and quoted attributes, for every page imgclass writes. */
public final class HtmlEscape {
  private HtmlEscape() {}

  /** {@code & < > " '} as entities; null as the empty string. */
  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
