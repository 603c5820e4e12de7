package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * How well annotators agree on a {@link LabelTable}: percent agreement and Cohen's kappa per pair
 * (Cohen 1960), Fleiss' kappa over all of them (Fleiss 1971), the share of items on which all
 * agree, disagreements per class, and each item's majority label. Kappa corrects agreement for
 * chance, which matters when one class dominates; use it to decide whether labels are good enough
 * to train on.
 *
 * <p>Blank labels: Fleiss' kappa needs the same number of ratings on every item, so items with a
 * blank label are left out of it and of the overall agreement (and counted); a pair uses the items
 * both annotators labelled; majorities and disagreements use the labels that were given. A kappa
 * whose chance agreement is 1 (a single label throughout) is undefined: NaN, with a note.
 */
public final class Agreement {
  private Agreement() {}

  /**
   * Observed agreement, agreement expected by chance, and kappa = (obs - chance) / (1 - chance).
   */
  public record Kappa(double observed, double chance, double kappa) {
    public boolean defined() {
      return !Double.isNaN(kappa);
    }

    static Kappa of(double observed, double chance) {
      // chance == 1: every rating is one label, and kappa is 0/0
      double k = chance >= 1 - 1e-12 ? Double.NaN : (observed - chance) / (1 - chance);
      return new Kappa(observed, chance, k);
    }
  }

  /** Cohen's kappa of a square table: {@code confusion[i][j]} items rated i by one, j by other. */
  public static Kappa cohen(long[][] confusion) {
    int k = confusion.length;
    long n = 0;
    long agreed = 0;
    long[] rows = new long[k];
    long[] cols = new long[k];
    for (int i = 0; i < k; i++) {
      if (confusion[i].length != k) throw new IllegalArgumentException("table is not square");
      for (int j = 0; j < k; j++) {
        n += confusion[i][j];
        rows[i] += confusion[i][j];
        cols[j] += confusion[i][j];
      }
      agreed += confusion[i][i];
    }
    if (n == 0) return new Kappa(Double.NaN, Double.NaN, Double.NaN);
    double chance = 0;
    for (int i = 0; i < k; i++) chance += (double) rows[i] / n * cols[i] / n;
    return Kappa.of((double) agreed / n, chance);
  }

  /**
   * Fleiss' kappa of a count table: {@code counts[i][j]} raters who put item i in category j; every
   * item must have the same number (at least 2) of ratings.
   */
  public static Kappa fleiss(long[][] counts) {
    if (counts.length == 0) return new Kappa(Double.NaN, Double.NaN, Double.NaN);
    long raters = java.util.Arrays.stream(counts[0]).sum();
    if (raters < 2) throw new IllegalArgumentException("need at least 2 ratings per item");
    double[] share = new double[counts[0].length]; // p_j: share of all ratings in category j
    double meanP = 0; // mean over items of P_i, the share of agreeing rater pairs on item i
    for (long[] row : counts) {
      long sum = 0;
      long squares = 0;
      for (int j = 0; j < row.length; j++) {
        sum += row[j];
        squares += row[j] * row[j];
        share[j] += row[j];
      }
      if (sum != raters)
        throw new IllegalArgumentException(
            "every item needs " + raters + " ratings, one has " + sum);
      meanP += (double) (squares - raters) / (raters * (raters - 1));
    }
    meanP /= counts.length;
    double chance = 0;
    for (double s : share) chance += Math.pow(s / ((double) raters * counts.length), 2);
    return Kappa.of(meanP, chance);
  }

  /** One pair of annotators over the items both labelled. */
  public record Pair(String first, String second, int items, int agreed, Kappa kappa) {
    /** Percent agreement as a fraction; NaN when they share no item. */
    public double agreement() {
      return items == 0 ? Double.NaN : (double) agreed / items;
    }
  }

  /** Items where at least one annotator gave {@code label}, and how many of them are disputed. */
  public record ClassCount(String label, int items, int disagreements) {}

  /**
   * One item's labels (one per annotator, {@code ""} where blank) and its majority: the label most
   * annotators gave, with {@code support} of the {@code labelled} votes; empty on a tie.
   */
  public record Votes(
      String item, List<String> labels, Optional<String> majority, int support, int labelled) {
    public boolean disagreement() {
      return labels.stream().filter(l -> !l.isEmpty()).distinct().count() > 1;
    }

    public String supportText() {
      return support + "/" + labelled;
    }
  }

  /**
   * Everything measured. {@code overall} is {@code unanimous / complete}: the share of items
   * labelled by every annotator on which all of them agree; {@code fleiss} is over those items.
   */
  public record Report(
      String itemColumn,
      List<String> annotators,
      List<String> classes,
      int complete,
      int unanimous,
      double overall,
      Kappa fleiss,
      List<Pair> pairs,
      List<ClassCount> perClass,
      List<Votes> items,
      List<String> notes) {
    /** Items left out of Fleiss' kappa and the overall agreement for a blank label. */
    public int incomplete() {
      return items.size() - complete;
    }

    public List<Votes> disagreements() {
      return items.stream().filter(Votes::disagreement).toList();
    }

    /** The disputed items as CSV text: item, one column per annotator, majority, support. */
    public String disagreementsCsv() {
      List<String> header = new ArrayList<>();
      header.add(itemColumn);
      header.addAll(annotators);
      header.addAll(List.of("majority", "support"));
      CSVFormat fmt = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get();
      StringBuilder sb = new StringBuilder();
      try (CSVPrinter p = new CSVPrinter(sb, fmt)) {
        for (Votes v : disagreements()) {
          List<String> row = new ArrayList<>();
          row.add(v.item());
          row.addAll(v.labels());
          row.add(v.majority().orElse(""));
          row.add(v.supportText());
          p.printRecord(row);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a StringBuilder does not throw
      }
      return sb.toString();
    }
  }

  public static Report of(LabelTable t) {
    int raters = t.annotators().size();
    List<String> classes =
        new ArrayList<>(
            new TreeSet<>(
                t.labels().stream().flatMap(List::stream).filter(l -> !l.isEmpty()).toList()));
    Map<String, Integer> index = new HashMap<>();
    for (String c : classes) index.put(c, index.size());
    List<String> notes = new ArrayList<>();

    List<long[]> fleissRows = new ArrayList<>(); // items every annotator labelled
    int unanimous = 0;
    List<Votes> votes = new ArrayList<>();
    Map<String, int[]> perClass = new LinkedHashMap<>(); // label -> {items, disagreements}
    for (String c : classes) perClass.put(c, new int[2]);
    for (int i = 0; i < t.items().size(); i++) {
      List<String> row = t.labels().get(i);
      long[] counts = new long[classes.size()];
      int labelled = 0;
      for (String l : row) {
        if (l.isEmpty()) continue;
        counts[index.get(l)]++;
        labelled++;
      }
      Votes v = votes(t.items().get(i), row, counts, classes, labelled);
      votes.add(v);
      for (int c = 0; c < counts.length; c++) {
        if (counts[c] == 0) continue;
        perClass.get(classes.get(c))[0]++;
        if (v.disagreement()) perClass.get(classes.get(c))[1]++;
      }
      if (labelled == raters) {
        fleissRows.add(counts);
        if (!v.disagreement()) unanimous++;
      }
    }
    if (fleissRows.isEmpty())
      throw new ImgclassException(
          "no item has a label from all "
              + raters
              + " annotators ("
              + String.join(", ", t.annotators())
              + "), so their agreement is undefined");
    int incomplete = t.items().size() - fleissRows.size();
    if (incomplete > 0)
      notes.add(
          incomplete
              + " item(s) with a blank label are left out of Fleiss' kappa and the overall"
              + " agreement; pairs use the items both annotators labelled");
    Kappa fleiss = fleiss(fleissRows.toArray(long[][]::new));
    if (classes.size() < 2)
      notes.add(
          "only one label is used ("
              + String.join("", classes)
              + "): every kappa is undefined (chance agreement is 1)");
    else if (!fleiss.defined())
      notes.add(
          "Fleiss' kappa is undefined: the items all annotators labelled have one label"
              + " throughout (chance agreement is 1)");

    List<Pair> pairs = new ArrayList<>();
    for (int a = 0; a < raters; a++)
      for (int b = a + 1; b < raters; b++) pairs.add(pair(t, a, b, index, notes));
    List<ClassCount> table = new ArrayList<>();
    perClass.forEach((c, n) -> table.add(new ClassCount(c, n[0], n[1])));
    return new Report(
        t.itemColumn(),
        t.annotators(),
        classes,
        fleissRows.size(),
        unanimous,
        (double) unanimous / fleissRows.size(),
        fleiss,
        pairs,
        table,
        votes,
        notes);
  }

  private static Votes votes(
      String item, List<String> row, long[] counts, List<String> classes, int labelled) {
    int best = -1;
    boolean tie = false;
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) continue;
      if (best < 0 || counts[c] > counts[best]) {
        best = c;
        tie = false;
      } else if (counts[c] == counts[best]) {
        tie = true;
      }
    }
    Optional<String> majority = best < 0 || tie ? Optional.empty() : Optional.of(classes.get(best));
    return new Votes(item, row, majority, best < 0 ? 0 : (int) counts[best], labelled);
  }

  private static Pair pair(
      LabelTable t, int a, int b, Map<String, Integer> index, List<String> notes) {
    long[][] confusion = new long[index.size()][index.size()];
    int items = 0;
    int agreed = 0;
    for (List<String> row : t.labels()) {
      String x = row.get(a);
      String y = row.get(b);
      if (x.isEmpty() || y.isEmpty()) continue;
      confusion[index.get(x)][index.get(y)]++;
      items++;
      if (x.equals(y)) agreed++;
    }
    Pair p =
        new Pair(t.annotators().get(a), t.annotators().get(b), items, agreed, cohen(confusion));
    String name = p.first() + " / " + p.second();
    if (items == 0) notes.add(name + " share no labelled item: no agreement or kappa");
    else if (!p.kappa().defined() && index.size() > 1)
      notes.add(
          "Cohen's kappa of "
              + name
              + " is undefined: both gave one and the same label throughout (chance agreement is"
              + " 1)");
    return p;
  }
}
