package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a data argument names, parsed once: Fashion-MNIST, a folder of IDX files, generated data, an
 * image folder or a CSV manifest. A path that exists is always read as that path, so a folder
 * called {@code synthetic-photos} is an image folder; the generated form needs its colon ({@code
 * synthetic:N}) unless it is the bare word {@code synthetic}.
 */
public sealed interface DataSpec {
  /** The accepted forms: the one text for error messages and the CLI's help. */
  String FORMS =
      "fashion-mnist ($IMGCLASS_DATA or Debian's dataset-fashion-mnist), a folder of IDX files, an"
          + " image folder (one sub-folder per class, optionally under train/ val/ test/), a CSV"
          + " manifest (path,label[,split]) or synthetic:N[:CLASSES] (generated images)";

  /** Fashion-MNIST, wherever this machine has it. */
  record FashionMnist() implements DataSpec {}

  /** A folder holding {@code train-images-idx3-ubyte} and friends (optionally gzipped). */
  record IdxDir(Path dir) implements DataSpec {}

  /** {@code images} generated pictures of {@code classes} classes (for tests and smoke runs). */
  record Synthetic(int images, int classes) implements DataSpec {
    public static final int DEFAULT_IMAGES = 2000;
    public static final int DEFAULT_CLASSES = 10;
  }

  /** A folder with one sub-folder per class, optionally under train/ val/ test/. */
  record ImageFolder(Path dir) implements DataSpec {}

  /** A CSV file of {@code path,label} rows. */
  record CsvManifest(Path file) implements DataSpec {}

  Pattern SYNTHETIC = Pattern.compile("(?i)synthetic(?::(\\d+)(?::(\\d+))?)?");

  /**
   * Parses {@code data}. An existing path wins over every other form; anything else that matches
   * none of the forms is one error listing them.
   */
  static DataSpec parse(String data) {
    String d = data.trim();
    Path p = d.isEmpty() ? null : pathOf(d);
    if (p != null && Files.exists(p)) return ofPath(p, d);
    if (d.equalsIgnoreCase("fashion-mnist") || d.equalsIgnoreCase("fashion_mnist"))
      return new FashionMnist();
    Matcher m = SYNTHETIC.matcher(d);
    if (m.matches()) {
      try {
        int n = m.group(1) == null ? Synthetic.DEFAULT_IMAGES : Integer.parseInt(m.group(1));
        int k = m.group(2) == null ? Synthetic.DEFAULT_CLASSES : Integer.parseInt(m.group(2));
        return new Synthetic(n, k);
      } catch (NumberFormatException e) { // more digits than an int holds
        throw new ImgclassException("bad synthetic data '" + d + "': N and CLASSES are too large");
      }
    }
    if (d.toLowerCase(Locale.ROOT).startsWith("synthetic")) {
      throw new ImgclassException(
          "bad data '"
              + d
              + "': no such file or folder, and not synthetic[:N[:CLASSES]]; use "
              + FORMS);
    }
    throw new ImgclassException("data not found: " + d + " (use " + FORMS + ")");
  }

  private static Path pathOf(String d) {
    try {
      return Path.of(d);
    } catch (java.nio.file.InvalidPathException e) {
      return null;
    }
  }

  private static DataSpec ofPath(Path p, String d) {
    if (DataSources.isIdxDir(p)) return new IdxDir(p);
    if (dev.imgclass.data.CsvManifest.looksLikeManifest(p)) return new CsvManifest(p);
    if (dev.imgclass.data.ImageFolder.looksLikeFolder(p)) return new ImageFolder(p);
    throw new ImgclassException(
        "cannot read "
            + d
            + " as data: expected an image folder (one sub-folder per class), a CSV manifest"
            + " (path,label), or a folder of IDX files");
  }

  /** A short file-name-safe name for this data, e.g. {@code synthetic-600} or {@code photos}. */
  default String slug() {
    String raw;
    if (this instanceof Synthetic syn) {
      raw =
          "synthetic-"
              + syn.images()
              + (syn.classes() == Synthetic.DEFAULT_CLASSES ? "" : "-" + syn.classes());
    } else if (this instanceof CsvManifest x) {
      raw = name(x.file()).replaceAll("(?i)\\.csv$", "");
    } else {
      raw = path().map(DataSpec::name).orElse("fashion-mnist");
    }
    String s = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
    s = s.replaceAll("^[-.]+|[-.]+$", "");
    return s.isEmpty() ? "data" : s;
  }

  /** True when both name the same data: equal specs, or paths to the same file or folder. */
  default boolean sameData(DataSpec other) {
    return canonical().equals(other.canonical());
  }

  private Object canonical() {
    return path().<Object>map(DataSpec::real).orElse(this);
  }

  /** The file or folder this data is read from; empty for Fashion-MNIST and generated data. */
  default java.util.Optional<Path> path() {
    if (this instanceof IdxDir x) return java.util.Optional.of(x.dir());
    if (this instanceof ImageFolder x) return java.util.Optional.of(x.dir());
    if (this instanceof CsvManifest x) return java.util.Optional.of(x.file());
    return java.util.Optional.empty();
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  private static String name(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    return abs.getFileName() == null ? "data" : abs.getFileName().toString();
  }
}
