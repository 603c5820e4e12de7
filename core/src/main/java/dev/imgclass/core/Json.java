package dev.imgclass.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The one configured Jackson mapper, and atomic JSON file writes. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new ImgclassException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** One-line JSON, for JSON-lines files and streams. */
  public static String line(Object value) {
    try {
      return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (IOException e) {
      throw new ImgclassException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  public static void writeFile(Path file, Object value) {
    AtomicFiles.write(file, (write(value) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public static <T> T readFile(Path file, Class<T> type) {
    try {
      return MAPPER.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new ImgclassException(
          "cannot read "
              + file
              + ": "
              + firstLine(e.getMessage())
              + " (is it a valid "
              + type.getSimpleName()
              + " file?)",
          e);
    }
  }

  static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
