package dev.imgclass.data;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Applies reviewed label decisions to a dataset by writing a new CSV manifest: every image of the
 * data, its label (corrected where a decision says so) and split, and a {@code label_source} column
 * ({@code original}, {@code corrected}, or {@code excluded} for images marked unclear, which {@link
 * CsvManifest} then leaves out). The user's images and folders are only read: the manifest points
 * at them where they are.
 *
 * <p>Decisions are a CSV with a header: {@code path}, {@code decision} ({@code accept}, {@code
 * keep}, {@code relabel} or {@code unclear}) and {@code label} (the label to use for {@code accept}
 * and {@code relabel}; {@code accept} may take it from a {@code suggested_label} column instead). A
 * {@code label_issues.csv} (no {@code decision} column) is decided automatically by an {@link Auto}
 * policy: by default every suggestion is accepted.
 */
public final class Corrections {
  private Corrections() {}

  /** What a correction changed. */
  public record Result(Path manifest, int images, int corrected, int excluded, int kept) {}

  private enum Kind {
    ACCEPT,
    KEEP,
    RELABEL,
    UNCLEAR
  }

  private record Decision(Kind kind, String label, long line) {}

  /**
   * How a {@code label_issues.csv} (suggestions, no decisions) is decided without a person:
   * suggestions whose {@code suggested_prob} is at least {@code acceptAbove} are accepted; the
   * other flagged images are kept as they are or, with {@code excludeOthers}, left out of training.
   *
   * @param acceptAbove least probability of the suggestion to accept it, in [0, 1]
   * @param excludeOthers leave the flagged images whose suggestion is not accepted out
   */
  public record Auto(double acceptAbove, boolean excludeOthers) {
    /** Accept every suggestion. */
    public static final Auto ACCEPT_ALL = new Auto(0, false);

    public Auto {
      if (!(acceptAbove >= 0 && acceptAbove <= 1))
        throw new ImgclassException("--accept-above must be in [0, 1], got " + acceptAbove);
    }
  }

  /**
   * Reads {@code data} (an image folder or CSV manifest) and {@code decisions}; writes {@code out}.
   */
  public static Result apply(String data, Path decisions, Path out) {
    return apply(data, decisions, out, Auto.ACCEPT_ALL);
  }

  /**
   * As {@link #apply(String, Path, Path)}; {@code auto} decides the rows of a {@code
   * label_issues.csv} (a decisions file with a {@code decision} column is applied as it says).
   */
  public static Result apply(String data, Path decisions, Path out, Auto auto) {
    DataSpec spec = DataSpec.parse(data);
    ImageFolder.Index index;
    DataIssues issues = new DataIssues();
    if (spec instanceof DataSpec.CsvManifest m) index = CsvManifest.read(m.file(), issues);
    else if (spec instanceof DataSpec.ImageFolder f) index = ImageFolder.scan(f.dir(), issues);
    else
      throw new ImgclassException(
          "apply-corrections needs image files (an image folder or a CSV manifest): "
              + data
              + " has no file paths to write in a manifest");
    Path target = out.toAbsolutePath().normalize();
    if (target.equals(index.root().toAbsolutePath().normalize()))
      throw new ImgclassException(
          "--out " + out + " is the data's own manifest: write the corrected one beside it");
    if (Files.isDirectory(target))
      throw new ImgclassException("--out " + out + " is a folder: give a .csv file to write");

    Map<String, FileDataset.Entry> byName = new LinkedHashMap<>();
    Map<String, String> splitOf = new LinkedHashMap<>();
    for (Map.Entry<String, List<FileDataset.Entry>> s : index.splits().entrySet()) {
      for (FileDataset.Entry e : s.getValue()) {
        byName.put(e.name(), e);
        byName.putIfAbsent(e.path().toAbsolutePath().normalize().toString(), e);
        splitOf.put(e.name(), s.getKey());
      }
    }
    Map<String, Decision> wanted = read(decisions, index.classes(), auto);
    Map<String, Decision> byEntry = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Decision> d : wanted.entrySet()) {
      FileDataset.Entry e = byName.get(d.getKey());
      if (e == null) e = byName.get(Path.of(d.getKey()).toAbsolutePath().normalize().toString());
      if (e == null) unknown.add(d.getKey());
      else if (byEntry.put(e.name(), d.getValue()) != null)
        throw new ImgclassException(
            decisions + " line " + d.getValue().line() + ": a second decision for " + e.name());
    }
    if (!unknown.isEmpty())
      throw new ImgclassException(
          decisions
              + " names "
              + unknown.size()
              + " image(s) that are not in "
              + data
              + ": "
              + String.join(", ", unknown.subList(0, Math.min(3, unknown.size())))
              + (unknown.size() > 3 ? " (and " + (unknown.size() - 3) + " more)" : ""));

    Path dir = target.getParent();
    StringBuilder csv = new StringBuilder("path,label,split,label_source\n");
    int corrected = 0;
    int excluded = 0;
    int kept = 0;
    int images = 0;
    for (Map.Entry<String, String> s : splitOf.entrySet()) {
      FileDataset.Entry e = byName.get(s.getKey());
      String label = index.classes().get(e.label());
      String source = "original";
      Decision d = byEntry.get(e.name());
      if (d != null) {
        switch (d.kind()) {
          case ACCEPT, RELABEL -> {
            if (!d.label().equals(label)) {
              label = d.label();
              source = "corrected";
              corrected++;
            } else kept++;
          }
          case KEEP -> kept++;
          case UNCLEAR -> {
            source = CsvManifest.EXCLUDED;
            excluded++;
          }
        }
      }
      String rel = dir.relativize(e.path().toAbsolutePath().normalize()).toString();
      csv.append(CsvManifest.quote(rel))
          .append(',')
          .append(CsvManifest.quote(label))
          .append(',')
          .append(s.getValue())
          .append(',')
          .append(source)
          .append('\n');
      images++;
    }
    AtomicFiles.write(target, csv.toString().getBytes(StandardCharsets.UTF_8));
    return new Result(out, images, corrected, excluded, kept);
  }

  private static Map<String, Decision> read(Path file, List<String> classes, Auto auto) {
    if (!Files.isRegularFile(file))
      throw new ImgclassException("decisions file not found: " + file);
    Map<String, Decision> out = new LinkedHashMap<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      CSVFormat fmt =
          CSVFormat.DEFAULT
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .setIgnoreEmptyLines(true)
              .setTrim(true)
              .get();
      var parser = fmt.parse(r);
      Map<String, Integer> header = new LinkedHashMap<>();
      parser
          .getHeaderMap()
          .forEach((k, v) -> header.put(k.replace("\ufeff", "").toLowerCase(Locale.ROOT), v));
      if (!header.containsKey("path"))
        throw new ImgclassException(
            file
                + ": decisions need a path column (found "
                + String.join(",", header.keySet())
                + ")");
      boolean issuesFile = !header.containsKey("decision");
      if (issuesFile && !header.containsKey("suggested_label"))
        throw new ImgclassException(
            file
                + ": give a decision column (accept, keep, relabel, unclear) or a label_issues.csv"
                + " with suggested_label");
      boolean byProbability = issuesFile && auto.acceptAbove() > 0;
      if (byProbability && !header.containsKey("suggested_prob"))
        throw new ImgclassException(
            file + ": --accept-above needs a suggested_prob column (a label_issues.csv has one)");
      for (CSVRecord rec : parser) {
        String path = value(rec, header, "path");
        if (path.isEmpty())
          throw new ImgclassException(file + " line " + line(rec) + ": empty path");
        Kind kind;
        if (issuesFile) {
          kind = Kind.ACCEPT;
          if (byProbability) {
            double p;
            try {
              p = Double.parseDouble(value(rec, header, "suggested_prob"));
            } catch (NumberFormatException e) {
              throw new ImgclassException(
                  file + " line " + line(rec) + ": suggested_prob is not a number");
            }
            if (p < auto.acceptAbove()) kind = auto.excludeOthers() ? Kind.UNCLEAR : Kind.KEEP;
          }
        } else {
          String k = value(rec, header, "decision").toLowerCase(Locale.ROOT);
          kind =
              switch (k) {
                case "accept" -> Kind.ACCEPT;
                case "keep" -> Kind.KEEP;
                case "relabel" -> Kind.RELABEL;
                case "unclear" -> Kind.UNCLEAR;
                default ->
                    throw new ImgclassException(
                        file
                            + " line "
                            + line(rec)
                            + ": decision '"
                            + k
                            + "' is not accept, keep, relabel or unclear");
              };
        }
        String label = value(rec, header, "label");
        if (label.isEmpty() && kind == Kind.ACCEPT) label = value(rec, header, "suggested_label");
        if ((kind == Kind.ACCEPT || kind == Kind.RELABEL) && label.isEmpty())
          throw new ImgclassException(
              file
                  + " line "
                  + line(rec)
                  + ": "
                  + kind.name().toLowerCase(Locale.ROOT)
                  + " needs a label");
        if (!label.isEmpty()
            && (kind == Kind.ACCEPT || kind == Kind.RELABEL)
            && !classes.contains(label))
          throw new ImgclassException(
              file
                  + " line "
                  + line(rec)
                  + ": label '"
                  + label
                  + "' is not one of the data's classes ("
                  + String.join(", ", classes)
                  + ")");
        if (out.put(path, new Decision(kind, label, line(rec))) != null)
          throw new ImgclassException(
              file + " line " + line(rec) + ": a second decision for " + path);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ImgclassException("cannot read decisions " + file + ": " + e.getMessage());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new ImgclassException("malformed CSV in " + file + ": " + e.getMessage());
    }
    return out;
  }

  /** The file line of {@code rec}: the header is line 1. */
  private static long line(CSVRecord rec) {
    return rec.getRecordNumber() + 1;
  }

  private static String value(CSVRecord rec, Map<String, Integer> header, String name) {
    Integer i = header.get(name);
    return i == null || i >= rec.size() ? "" : rec.get(i);
  }
}
