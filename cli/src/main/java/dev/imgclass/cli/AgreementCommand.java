package dev.imgclass.cli;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.data.Agreement;
import dev.imgclass.data.LabelTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code imgclass data agreement MANIFEST.csv --annotators A,B[,...]}: exit 0 at target, 1 below.
 */
@Command(
    name = "agreement",
    mixinStandardHelpOptions = true,
    description =
        "Measure how well annotators agree: percent agreement and Cohen's kappa per pair, Fleiss'"
            + " kappa, the share of items all agree on, disagreements per class, and each item's"
            + " majority label. Exit code 0: overall agreement at or above --target, 1: below, 2:"
            + " could not run.")
final class AgreementCommand implements Callable<Integer> {
  /** Items listed in the human summary; the rest are in --json and --out. */
  private static final int SHOWN = 20;

  @Parameters(
      paramLabel = "MANIFEST",
      description = "CSV with a header row, an item column and one label column per annotator.")
  Path manifest;

  @Option(
      names = "--annotators",
      required = true,
      split = ",",
      description = "Label columns to compare, at least 2 (e.g. round1,round2,round3).")
  List<String> annotators;

  @Option(names = "--item", description = "Item column (default: path if present, else the first).")
  String item;

  @Option(
      names = "--target",
      defaultValue = "0.98",
      description = "Least share of items all annotators must agree on, in (0, 1] (default: 0.98).")
  double target;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Option(names = "--out", description = "Folder to write agreement.json and disagreements.csv.")
  Path out;

  @Override
  public Integer call() {
    if (!(target > 0 && target <= 1))
      throw new ImgclassException("--target must be in (0, 1], got " + target);
    if (out != null) refuseToOverwrite(manifest, out);
    LabelTable t = LabelTable.read(manifest, annotators, Optional.ofNullable(item));
    Agreement.Report r = Agreement.of(t);
    boolean met = r.overall() >= target;
    Map<String, Object> doc = document(r, met);
    if (out != null) {
      Json.writeFile(out.resolve("agreement.json"), doc);
      AtomicFiles.write(
          out.resolve("disagreements.csv"), r.disagreementsCsv().getBytes(StandardCharsets.UTF_8));
    }
    String verdict =
        String.format(
            Locale.ROOT,
            "%s target: overall agreement %.2f %% %s %.2f %%",
            met ? "meets" : "below",
            100 * r.overall(),
            met ? ">=" : "<",
            100 * target);
    if (json) {
      System.out.println(Json.write(doc));
      if (!met) System.err.println(verdict);
    } else {
      System.out.print(summary(r));
      if (out != null)
        System.out.println(
            "wrote " + out.resolve("agreement.json") + ", " + out.resolve("disagreements.csv"));
      System.out.println(verdict);
    }
    return met ? Main.OK : Main.PROBLEMS;
  }

  /** The output files must never replace the manifest they were computed from. */
  private static void refuseToOverwrite(Path manifest, Path out) {
    Path m = manifest.toAbsolutePath().normalize();
    for (String name : List.of("agreement.json", "disagreements.csv"))
      if (out.resolve(name).toAbsolutePath().normalize().equals(m))
        throw new ImgclassException(
            "--out " + out + " would overwrite the manifest " + manifest + ": pick another folder");
  }

  private Map<String, Object> document(Agreement.Report r, boolean met) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("manifest", manifest.toString());
    m.put("item_column", r.itemColumn());
    m.put("annotators", r.annotators());
    m.put("classes", r.classes());
    m.put("item_count", r.items().size());
    m.put("complete_items", r.complete());
    m.put("excluded_from_fleiss", r.incomplete());
    m.put("unanimous_items", r.unanimous());
    m.put("overall_agreement", r.overall());
    m.put("target", target);
    m.put("meets_target", met);
    m.put("fleiss_kappa", number(r.fleiss().kappa()));
    List<Object> pairs = new ArrayList<>();
    for (Agreement.Pair p : r.pairs()) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("first", p.first());
      pm.put("second", p.second());
      pm.put("items", p.items());
      pm.put("percent_agreement", number(p.agreement()));
      pm.put("cohen_kappa", number(p.kappa().kappa()));
      pairs.add(pm);
    }
    m.put("pairs", pairs);
    List<Object> classes = new ArrayList<>();
    for (Agreement.ClassCount c : r.perClass())
      classes.add(
          Map.of("class", c.label(), "items", c.items(), "disagreements", c.disagreements()));
    m.put("per_class", classes);
    m.put("disagreements", r.disagreements().stream().map(v -> votes(r, v)).toList());
    m.put("items", r.items().stream().map(v -> votes(r, v)).toList());
    m.put("notes", r.notes());
    return m;
  }

  private static Map<String, Object> votes(Agreement.Report r, Agreement.Votes v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("item", v.item());
    Map<String, Object> labels = new LinkedHashMap<>();
    for (int a = 0; a < r.annotators().size(); a++) {
      String l = v.labels().get(a);
      labels.put(r.annotators().get(a), l.isEmpty() ? null : l);
    }
    m.put("labels", labels);
    m.put("majority", v.majority().orElse(null));
    m.put("support", v.supportText());
    m.put("disagreement", v.disagreement());
    return m;
  }

  /** JSON has no NaN: an undefined value is null (the notes say why). */
  private static Double number(double x) {
    return Double.isNaN(x) ? null : x;
  }

  static String summary(Agreement.Report r) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d items, %d annotators (%s), %d classes%n",
            r.items().size(),
            r.annotators().size(),
            String.join(", ", r.annotators()),
            r.classes().size()));
    sb.append(
        String.format(
            Locale.ROOT,
            "overall agreement: %s (%d of %d items labelled by all agree)%n",
            percent(r.overall()),
            r.unanimous(),
            r.complete()));
    sb.append(String.format(Locale.ROOT, "Fleiss' kappa:     %s%n%n", kappa(r.fleiss())));
    int w = 4;
    for (Agreement.Pair p : r.pairs())
      w = Math.max(w, p.first().length() + p.second().length() + 3);
    sb.append(
        String.format(
            Locale.ROOT,
            "%-" + w + "s  %6s  %9s  %13s%n",
            "pair",
            "items",
            "agreement",
            "Cohen's kappa"));
    for (Agreement.Pair p : r.pairs())
      sb.append(
          String.format(
              Locale.ROOT,
              "%-" + w + "s  %6d  %9s  %13s%n",
              p.first() + " / " + p.second(),
              p.items(),
              percent(p.agreement()),
              kappa(p.kappa())));
    int cw = Math.max(5, r.classes().stream().mapToInt(String::length).max().orElse(5));
    sb.append(
        String.format(
            Locale.ROOT, "%n%-" + cw + "s  %6s  %13s%n", "class", "items", "disagreements"));
    for (Agreement.ClassCount c : r.perClass())
      sb.append(
          String.format(
              Locale.ROOT, "%-" + cw + "s  %6d  %13d%n", c.label(), c.items(), c.disagreements()));
    List<Agreement.Votes> d = r.disagreements();
    sb.append(
        String.format(
            Locale.ROOT, "%n%d item(s) with disagreement%s%n", d.size(), d.isEmpty() ? "" : ":"));
    if (!d.isEmpty()) {
      List<String> header = new ArrayList<>();
      header.add(r.itemColumn());
      header.addAll(r.annotators());
      header.addAll(List.of("majority", "support"));
      List<List<String>> rows = new ArrayList<>();
      rows.add(header);
      for (Agreement.Votes v : d.subList(0, Math.min(SHOWN, d.size()))) {
        List<String> row = new ArrayList<>();
        row.add(v.item());
        for (String l : v.labels()) row.add(l.isEmpty() ? "-" : l);
        row.add(v.majority().orElse("(tie)"));
        row.add(v.supportText());
        rows.add(row);
      }
      int[] widths = new int[header.size()];
      for (List<String> row : rows)
        for (int c = 0; c < row.size(); c++) widths[c] = Math.max(widths[c], row.get(c).length());
      for (List<String> row : rows) {
        StringBuilder line = new StringBuilder(" ");
        for (int c = 0; c < row.size(); c++)
          line.append(' ').append(String.format("%-" + widths[c] + "s", row.get(c))).append(' ');
        sb.append(line.toString().stripTrailing()).append('\n');
      }
      if (d.size() > SHOWN)
        sb.append("  ... and ")
            .append(d.size() - SHOWN)
            .append(" more (all in --json and --out)\n");
    }
    for (String n : r.notes()) sb.append("note: ").append(n).append('\n');
    return sb.toString();
  }

  private static String percent(double x) {
    return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * x);
  }

  private static String kappa(Agreement.Kappa k) {
    return k.defined() ? String.format(Locale.ROOT, "%.3f", k.kappa()) : "undefined";
  }
}
