package dev.imgclass.data;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What went wrong with a dataset's files, collected while scanning and decoding: files skipped on
 * purpose (hidden, not images) are counted; files that should have been images but could not be
 * read are listed one by one. Thread-safe: decoding workers report here. Written to a run's {@code
 * data_issues.json}.
 */
public final class DataIssues {
  /**
   * One unusable file.
   *
   * @param file path as the user would find it
   * @param kind short category: {@code unreadable}, {@code too-large}, {@code missing}, {@code
   *     symlink-loop}, ...
   * @param message the one-line reason
   */
  public record Issue(String file, String kind, String message) {}

  private final Map<String, Integer> skipped = new TreeMap<>();
  private final Map<String, Issue> bad = new LinkedHashMap<>();

  /** Counts a file left out on purpose ({@code hidden}, {@code not-an-image}, ...). */
  public synchronized void skip(String reason) {
    skipped.merge(reason, 1, Integer::sum);
  }

  /** Records an unusable file once (later reports of the same file are ignored). */
  public synchronized void bad(String file, String kind, String message) {
    bad.putIfAbsent(file, new Issue(file, kind, message));
  }

  public synchronized List<Issue> badFiles() {
    return new ArrayList<>(bad.values());
  }

  public synchronized int badCount() {
    return bad.size();
  }

  public synchronized Map<String, Integer> skipped() {
    return new TreeMap<>(skipped);
  }

  public synchronized int skippedCount() {
    return skipped.values().stream().mapToInt(Integer::intValue).sum();
  }

  public synchronized boolean isEmpty() {
    return bad.isEmpty() && skipped.isEmpty();
  }

  /** Adds everything {@code other} found. */
  public synchronized void addAll(DataIssues other) {
    other.skipped().forEach((k, v) -> skipped.merge(k, v, Integer::sum));
    other.badFiles().forEach(i -> bad.putIfAbsent(i.file(), i));
  }

  /** One line: "3 unreadable files; skipped 2 hidden, 1 not-an-image". */
  public synchronized String summary() {
    List<String> parts = new ArrayList<>();
    if (!bad.isEmpty()) parts.add(bad.size() + " unusable file" + (bad.size() == 1 ? "" : "s"));
    if (!skipped.isEmpty()) {
      List<String> s = new ArrayList<>();
      skipped.forEach((k, v) -> s.add(v + " " + k));
      parts.add("skipped " + String.join(", ", s));
    }
    return parts.isEmpty() ? "no data issues" : String.join("; ", parts);
  }

  /** The JSON form: {@code {"bad_files": [...], "bad_count": n, "skipped": {...}}}. */
  public synchronized Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bad_count", bad.size());
    m.put("bad_files", new ArrayList<>(bad.values()));
    m.put("skipped", new TreeMap<>(skipped));
    return m;
  }

  public void write(Path file) {
    AtomicFiles.write(file, (Json.write(toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
