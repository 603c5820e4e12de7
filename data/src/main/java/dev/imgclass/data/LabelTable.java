package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Labels that several annotators (or labelling rounds) gave the same items, read from a CSV
 * manifest with a header row: one item column ({@code path} when present, else the first column,
 * unless one is named) and one label column per annotator. A blank cell means that annotator did
 * not label the item. The file is only read, never written.
 *
 * @param labels {@code labels.get(item).get(annotator)}, {@code ""} where not labelled
 */
public record LabelTable(
    String itemColumn, List<String> annotators, List<String> items, List<List<String>> labels) {
  public LabelTable {
    annotators = List.copyOf(annotators);
    items = List.copyOf(items);
    labels = labels.stream().map(List::copyOf).toList();
    if (annotators.size() < 2)
      throw new IllegalArgumentException("need at least 2 annotators, got " + annotators.size());
    if (labels.size() != items.size())
      throw new IllegalArgumentException(items.size() + " items but " + labels.size() + " rows");
    for (List<String> row : labels)
      if (row.size() != annotators.size())
        throw new IllegalArgumentException("a row has " + row.size() + " labels, not one each");
  }

  /**
   * Reads {@code csv}; {@code annotators} name its label columns, {@code itemColumn} overrides the
   * default item column. Errors name the file and, for a missing column, list the columns present.
   */
  public static LabelTable read(Path csv, List<String> annotators, Optional<String> itemColumn) {
    if (!Files.isRegularFile(csv)) throw new ImgclassException("manifest not found: " + csv);
    if (annotators.size() < 2)
      throw new ImgclassException(
          "agreement needs at least 2 annotator columns, got "
              + annotators.size()
              + (annotators.isEmpty() ? "" : " (" + String.join(", ", annotators) + ")"));
    if (new HashSet<>(annotators).size() < annotators.size())
      throw new ImgclassException("an annotator column is named twice: " + annotators);
    List<CSVRecord> records = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      CSVFormat fmt = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).setTrim(true).get();
      for (CSVRecord rec : fmt.parse(r)) records.add(rec);
    } catch (CharacterCodingException e) {
      throw new ImgclassException(csv + " is not UTF-8 text");
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ImgclassException("cannot read manifest " + csv + ": " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new ImgclassException("malformed CSV in " + csv + ": " + e.getMessage());
    }
    if (records.isEmpty()) throw new ImgclassException(csv + " is empty: expected a header row");
    List<String> header = new ArrayList<>(records.get(0).toList());
    header.set(0, header.get(0).replace("\ufeff", "").trim()); // a BOM some editors write
    String item = itemColumn.orElseGet(() -> defaultItemColumn(header));
    int itemIndex = column(csv, header, item, "item");
    int[] cols = new int[annotators.size()];
    for (int a = 0; a < cols.length; a++) {
      cols[a] = column(csv, header, annotators.get(a), "annotator");
      if (cols[a] == itemIndex)
        throw new ImgclassException(
            "column '" + item + "' of " + csv + " cannot be both the item and an annotator");
    }
    List<String> items = new ArrayList<>();
    List<List<String>> labels = new ArrayList<>();
    Map<String, Long> firstLine = new HashMap<>();
    for (CSVRecord rec : records.subList(1, records.size())) {
      if (rec.size() == 1 && rec.get(0).isEmpty()) continue;
      if (rec.size() != header.size())
        throw new ImgclassException(
            csv
                + " line "
                + rec.getRecordNumber()
                + ": expected "
                + header.size()
                + " fields as in the header, found "
                + rec.size());
      String name = rec.get(itemIndex);
      if (name.isEmpty())
        throw new ImgclassException(csv + " line " + rec.getRecordNumber() + ": empty item");
      Long seen = firstLine.putIfAbsent(name, rec.getRecordNumber());
      if (seen != null)
        throw new ImgclassException(
            csv
                + " line "
                + rec.getRecordNumber()
                + ": item '"
                + name
                + "' is listed twice (first on line "
                + seen
                + "): give each item one row");
      List<String> row = new ArrayList<>();
      for (int c : cols) row.add(rec.get(c));
      items.add(name);
      labels.add(row);
    }
    if (items.isEmpty()) throw new ImgclassException(csv + " has no items: only a header row");
    return new LabelTable(item, annotators, items, labels);
  }

  private static String defaultItemColumn(List<String> header) {
    for (String h : header) if (h.toLowerCase(Locale.ROOT).equals("path")) return h;
    return header.get(0);
  }

  private static int column(Path csv, List<String> header, String name, String role) {
    int i = header.indexOf(name);
    if (i < 0)
      throw new ImgclassException(
          "the header of "
              + csv
              + " has no "
              + role
              + " column '"
              + name
              + "'; its columns are: "
              + String.join(", ", header));
    return i;
  }
}
