package dev.imgclass.data;

import dev.imgclass.core.ImageInfo;
import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code imgclass data check}: what a dataset holds and what is wrong with it, before any training.
 * Every file is probed (header), decoded (pixel data) and hashed (content), on a worker pool.
 * Reports class counts per split and the imbalance ratio, image size and aspect histograms, colour
 * modes and formats, and the problems: unreadable files, files over the pixel limit, files whose
 * extension names another format, missing files, symbolic-link loops, exact duplicates within a
 * split (with conflicting labels called out) and across splits (leakage).
 */
public final class DataAudit {
  /** Upper bounds of the size buckets (longest side, pixels). */
  static final int[] SIZE_EDGES = {32, 64, 128, 256, 512, 1024, 2048};

  static final double[] ASPECT_EDGES = {0.5, 0.8, 1.25, 2.0};

  private DataAudit() {}

  /** One thing wrong: a kind, the files involved, and a sentence. */
  public record Problem(String kind, List<String> files, String message) {}

  /**
   * The audit's result.
   *
   * @param source what was checked
   * @param classes class names, in index order
   * @param counts images per class, per split (files that could not be read excluded)
   * @param imbalanceRatio largest over smallest training class count
   * @param sizes histogram of the longest side
   * @param aspects histogram of width / height
   * @param colorModes files per colour mode as stored
   * @param formats files per detected format
   * @param skipped files left out on purpose (hidden, not images), by reason
   * @param problems everything that needs a person's attention
   * @param images files checked
   * @param seconds time the check took
   */
  public record Report(
      String source,
      List<String> classes,
      Map<String, Map<String, Integer>> counts,
      double imbalanceRatio,
      Map<String, Integer> sizes,
      Map<String, Integer> aspects,
      Map<String, Integer> colorModes,
      Map<String, Integer> formats,
      Map<String, Integer> skipped,
      List<Problem> problems,
      int images,
      double seconds) {
    public boolean clean() {
      return problems.isEmpty();
    }

    /** Problems per kind. */
    public Map<String, Integer> problemCounts() {
      Map<String, Integer> m = new TreeMap<>();
      for (Problem p : problems) m.merge(p.kind(), 1, Integer::sum);
      return m;
    }
  }

  private record Checked(
      String split, FileDataset.Entry entry, ImageInfo info, String hash, Problem problem) {}

  /** Checks {@code data} (an image folder, a CSV manifest, IDX files or synthetic data). */
  public static Report check(String data, long maxPixels, int workers) {
    long t0 = System.nanoTime();
    DataSplits splits = DataSources.open(data, new DataSources.Load(3, 64, maxPixels));
    List<Problem> problems = new ArrayList<>();
    for (DataIssues.Issue i : splits.issues().badFiles()) {
      problems.add(new Problem(i.kind(), List.of(i.file()), i.message()));
    }
    Map<String, Integer> skipped = new TreeMap<>(splits.issues().skipped());
    if (skipped.containsKey("symlink-loop")) {
      problems.add(
          new Problem(
              "symlink-loop",
              List.of(),
              skipped.get("symlink-loop") + " symbolic link(s) loop back into their own folder"));
    }
    Map<String, Dataset> parts = new LinkedHashMap<>();
    parts.put("train", splits.train());
    splits.val().ifPresent(v -> parts.put("val", v));
    splits.test().ifPresent(t -> parts.put("test", t));
    List<String> classes = splits.train().classes();
    Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    Map<String, Integer> aspects = new LinkedHashMap<>();
    if (splits.train() instanceof FileDataset) {
      for (int s = 0; s <= SIZE_EDGES.length; s++) {
        sizes.put(
            sizeBucket(s == 0 ? 0 : s < SIZE_EDGES.length ? SIZE_EDGES[s - 1] : Integer.MAX_VALUE),
            0);
      }
      for (int a = 0; a <= ASPECT_EDGES.length; a++) {
        aspects.put(
            aspectBucket(a == 0 ? 0 : a < ASPECT_EDGES.length ? ASPECT_EDGES[a - 1] : 1e9), 0);
      }
    }
    Map<String, Integer> modes = new TreeMap<>();
    Map<String, Integer> formats = new TreeMap<>();
    Map<String, List<Checked>> byHash = new LinkedHashMap<>();
    int images = 0;
    for (var part : parts.entrySet()) {
      Map<String, Integer> perClass = new LinkedHashMap<>();
      for (String c : classes) perClass.put(c, 0);
      List<Checked> checked = checkAll(part.getKey(), part.getValue(), maxPixels, workers);
      images += checked.size();
      for (Checked c : checked) {
        if (c.problem() != null) {
          problems.add(c.problem());
          continue;
        }
        perClass.merge(classes.get(c.entry().label()), 1, Integer::sum);
        byHash.computeIfAbsent(c.hash(), k -> new ArrayList<>()).add(c);
        if (c.info() == null) continue; // in-memory data: no files
        ImageInfo in = c.info();
        sizes.merge(sizeBucket(Math.max(in.uprightWidth(), in.uprightHeight())), 1, Integer::sum);
        aspects.merge(
            aspectBucket((double) in.uprightWidth() / in.uprightHeight()), 1, Integer::sum);
        modes.merge(
            in.colorMode() + (in.bitsPerSample() > 8 ? " " + in.bitsPerSample() + "-bit" : ""),
            1,
            Integer::sum);
        formats.merge(in.format(), 1, Integer::sum);
        if (!in.extensionMatches()) {
          problems.add(
              new Problem(
                  "wrong-extension",
                  List.of(c.entry().name()),
                  c.entry().name()
                      + " holds "
                      + in.format().toUpperCase(Locale.ROOT)
                      + " data under another extension"));
        }
      }
      counts.put(part.getKey(), perClass);
    }
    duplicates(byHash, classes, problems);
    Map<String, Integer> train = counts.get("train");
    int max = train.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    int min = train.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    for (var e : train.entrySet()) {
      if (e.getValue() == 0) {
        problems.add(
            new Problem(
                "empty-class",
                List.of(),
                "class '" + e.getKey() + "' has no readable training images"));
      }
    }
    return new Report(
        splits.description(),
        classes,
        counts,
        min == 0 ? Double.POSITIVE_INFINITY : (double) max / min,
        sizes,
        aspects,
        modes,
        formats,
        skipped,
        problems,
        images,
        (System.nanoTime() - t0) / 1e9);
  }

  private static void duplicates(
      Map<String, List<Checked>> byHash, List<String> classes, List<Problem> problems) {
    for (List<Checked> group : byHash.values()) {
      if (group.size() < 2) continue;
      TreeSet<String> inSplits = new TreeSet<>();
      TreeSet<String> labels = new TreeSet<>();
      List<String> names = new ArrayList<>();
      for (Checked c : group) {
        inSplits.add(c.split());
        labels.add(classes.get(c.entry().label()));
        names.add(c.entry().name());
      }
      String kind;
      String what;
      if (inSplits.size() > 1) {
        kind = "duplicate-across-splits";
        what = "the same image is in " + String.join(" and ", inSplits) + " (leakage)";
      } else if (labels.size() > 1) {
        kind = "duplicate-conflicting-labels";
        what = "the same image is labelled " + String.join(" and ", labels);
      } else {
        kind = "duplicate";
        what = group.size() + " copies of the same image in " + inSplits.first();
      }
      problems.add(new Problem(kind, names, what + ": " + String.join(", ", names)));
    }
  }

  private static List<Checked> checkAll(String split, Dataset data, long maxPixels, int workers) {
    int n = data.size();
    Checked[] out = new Checked[n];
    DataThreads.parallelFor(n, workers, i -> out[i] = checkOne(split, data, i, maxPixels));
    return List.of(out);
  }

  private static Checked checkOne(String split, Dataset data, int i, long maxPixels) {
    if (!(data instanceof FileDataset files)) {
      FileDataset.Entry e =
          new FileDataset.Entry(Path.of(data.name(i)), data.name(i), data.label(i), 0);
      return new Checked(split, e, null, sha256(data.image(i).data()), null);
    }
    FileDataset.Entry e = files.entries().get(i);
    try {
      ImageInfo info = Images.probe(e.path(), maxPixels);
      Images.decode(e.path(), maxPixels); // damaged pixel data shows only when decoding
      return new Checked(split, e, info, sha256(e.path()), null);
    } catch (ImgclassException ex) {
      String kind = DataSources.kindOf(ex);
      return new Checked(
          split, e, null, null, new Problem(kind, List.of(e.name()), ex.getMessage()));
    }
  }

  static String sizeBucket(int side) {
    int lo = 0;
    for (int edge : SIZE_EDGES) {
      if (side < edge) return lo + "-" + (edge - 1);
      lo = edge;
    }
    return ">=" + lo;
  }

  static String aspectBucket(double a) {
    String lo = "0";
    for (double edge : ASPECT_EDGES) {
      if (a < edge) return lo + "-" + edge;
      lo = Double.toString(edge);
    }
    return ">=" + lo;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException ex) {
      throw new ImgclassException("cannot read " + file + ": " + ex.getMessage());
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
