package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV manifest: UTF-8 rows of {@code path,label} or {@code path,label,split} (split: {@code
 * train}, {@code val} or {@code test}; {@code train} when absent), paths relative to the manifest's
 * folder, an optional header row starting with {@code path}. With a header, columns are found by
 * name ({@code path}, {@code label}, optional {@code split} and {@code label_source}; others, such
 * as annotators' columns, are ignored), and rows whose {@code label_source} is {@code excluded}
 * (images a reviewer marked unclear) are left out. Quoted fields may hold commas. Classes are the
 * sorted labels. A listed file that does not exist is recorded as a bad file, not an error for the
 * whole manifest; a malformed row is an error naming its line.
 */
public final class CsvManifest {
  private CsvManifest() {}

  /**
   * {@code s} as one CSV field: quoted (quotes doubled) when it holds a comma, quote or newline.
   */
  public static String quote(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
      return s;
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  public static boolean looksLikeManifest(Path p) {
    return Files.isRegularFile(p)
        && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
  }

  /** The {@code label_source} of rows left out of the data. */
  public static final String EXCLUDED = "excluded";

  public static ImageFolder.Index read(Path csv, DataIssues issues) {
    Path base = csv.toAbsolutePath().getParent();
    record Row(String path, String label, String split, long line) {}
    List<Row> rows = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      CSVFormat fmt = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).setTrim(true).get();
      boolean first = true;
      int[] col = {0, 1, 2, -1}; // path, label, split, label_source
      int width = -1; // with a header: its field count, which every row must have
      for (CSVRecord rec : fmt.parse(r)) {
        if (first) {
          first = false;
          String c0 = rec.get(0).toLowerCase(Locale.ROOT).replace("\ufeff", "");
          if (c0.equals("path") || c0.equals("file") || c0.equals("filename")) {
            List<String> names = new ArrayList<>();
            for (String h : rec) names.add(h.toLowerCase(Locale.ROOT).replace("\ufeff", ""));
            width = names.size();
            if (width > 2 || !names.contains("label")) {
              col[1] = names.indexOf("label");
              col[2] = names.indexOf("split");
              col[3] = names.indexOf("label_source");
              if (col[1] < 0)
                throw new ImgclassException(
                    csv
                        + ": the header has no label column (found "
                        + String.join(",", names)
                        + ")");
            } else {
              width = -1; // path,label: read as without a header
            }
            continue;
          }
        }
        if (rec.size() == 1 && rec.get(0).isEmpty()) continue;
        if (width > 0 ? rec.size() != width : rec.size() < 2 || rec.size() > 3) {
          throw new ImgclassException(
              csv
                  + " line "
                  + rec.getRecordNumber()
                  + ": expected "
                  + (width > 0 ? width + " fields as in the header" : "path,label[,split]")
                  + ", found "
                  + rec.size()
                  + " field(s)");
        }
        if (col[3] >= 0 && rec.get(col[3]).equalsIgnoreCase(EXCLUDED)) continue;
        boolean hasSplit = width > 0 ? col[2] >= 0 : rec.size() == 3;
        String split = hasSplit ? rec.get(col[2]).toLowerCase(Locale.ROOT) : "train";
        split =
            switch (split) {
              case "train", "training", "" -> "train";
              case "val", "valid", "validation" -> "val";
              case "test", "testing" -> "test";
              default ->
                  throw new ImgclassException(
                      csv
                          + " line "
                          + rec.getRecordNumber()
                          + ": split '"
                          + rec.get(col[2])
                          + "' is not train, val or test");
            };
        String path = rec.get(col[0]);
        String label = rec.get(col[1]);
        if (path.isEmpty() || label.isEmpty()) {
          throw new ImgclassException(
              csv + " line " + rec.getRecordNumber() + ": empty path or label");
        }
        rows.add(new Row(path, label, split, rec.getRecordNumber()));
      }
    } catch (CharacterCodingException e) {
      throw new ImgclassException(csv + " is not UTF-8 text");
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ImgclassException("cannot read manifest " + csv + ": " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new ImgclassException("malformed CSV in " + csv + ": " + e.getMessage());
    }
    TreeSet<String> labelSet = new TreeSet<>();
    for (Row r : rows) if (r.split().equals("train")) labelSet.add(r.label());
    List<String> classes = new ArrayList<>(labelSet);
    if (classes.size() < 2) {
      throw new ImgclassException(
          csv
              + " lists "
              + classes.size()
              + " class(es) among its training rows: a classifier needs at least two");
    }
    Map<String, List<FileDataset.Entry>> splits = new LinkedHashMap<>();
    splits.put("train", new ArrayList<>());
    TreeSet<String> unknown = new TreeSet<>();
    for (Row r : rows) {
      int label = classes.indexOf(r.label());
      if (label < 0) {
        unknown.add(r.label());
        continue;
      }
      Path f = base.resolve(r.path()).normalize();
      if (!Files.isRegularFile(f)) {
        issues.bad(r.path(), "missing", "line " + r.line() + ": no such file " + f);
        continue;
      }
      long bytes;
      try {
        bytes = Files.size(f);
      } catch (IOException e) {
        issues.bad(r.path(), "unreadable", "cannot read " + f + ": " + e.getMessage());
        continue;
      }
      splits
          .computeIfAbsent(r.split(), k -> new ArrayList<>())
          .add(new FileDataset.Entry(f, r.path(), label, bytes));
    }
    if (!unknown.isEmpty()) {
      throw new ImgclassException(
          csv + " has val/test labels that no training row has: " + String.join(", ", unknown));
    }
    return new ImageFolder.Index(csv, classes, splits);
  }
}
