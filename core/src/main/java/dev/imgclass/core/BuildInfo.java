package dev.imgclass.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of imgclass and the git commit it was built from, written into {@code
 * imgclass-build.properties} at build time. Provenance records these, not the state of whatever
 * folder a run was started in.
 */
public final class BuildInfo {
  private static final String UNKNOWN = "unknown";
  private static final Properties PROPS = load();

  private BuildInfo() {}

  /** The Maven project version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return value("version");
  }

  /**
   * The abbreviated commit the classes were built from, with {@code -dirty} when the work tree had
   * uncommitted changes; {@code unknown} for a build outside git.
   */
  public static String commit() {
    String commit = value("commit");
    return !commit.equals(UNKNOWN) && value("dirty").equals("true") ? commit + "-dirty" : commit;
  }

  private static String value(String key) {
    String v = PROPS.getProperty(key, "").strip();
    return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v; // "${...}": not filtered by the build
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("imgclass-build.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      // a damaged jar: every value reads as unknown
    }
    return p;
  }
}
