package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.data.Corrections;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass data apply-corrections}: reviewed label decisions into a new CSV manifest. */
@Command(
    name = "apply-corrections",
    mixinStandardHelpOptions = true,
    description = {
      "Write a corrected CSV manifest of FILES (an image folder or CSV manifest): every image with"
          + " its label, corrected where DECISIONS says so, and a label_source column (original,"
          + " corrected, excluded for images marked unclear, which training then leaves out)."
          + " The images and folders are only read.",
      "DECISIONS: a CSV with path,decision[,label] (decision: accept, keep, relabel, unclear), or"
          + " a label_issues.csv, whose suggestions are accepted: every one, or with"
          + " --accept-above P those the models give at least P, the others kept or, with"
          + " --exclude-others, left out of training."
    })
final class ApplyCorrectionsCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "FILES",
      description =
          "The image folder or CSV manifest the decisions are about (IDX and synthetic data"
              + " have no files for a manifest to list).")
  String data;

  @Parameters(index = "1", paramLabel = "DECISIONS", description = "Decisions CSV.")
  Path decisions;

  @Option(names = "--out", required = true, description = "The manifest to write (.csv).")
  Path out;

  @Option(
      names = "--accept-above",
      defaultValue = "0",
      description =
          "For a label_issues.csv: accept a suggestion only when its suggested_prob is at least"
              + " this (default: 0, every one).")
  double acceptAbove;

  @Option(
      names = "--exclude-others",
      description =
          "For a label_issues.csv with --accept-above: leave the flagged images whose suggestion"
              + " is not accepted out of training (label_source excluded) instead of keeping them.")
  boolean excludeOthers;

  @Option(names = "--json", description = "Print the result as one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (excludeOthers && acceptAbove <= 0)
      throw new dev.imgclass.core.ImgclassException(
          "--exclude-others needs --accept-above P (without it every suggestion is accepted)");
    Corrections.Result r =
        Corrections.apply(data, decisions, out, new Corrections.Auto(acceptAbove, excludeOthers));
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("manifest", r.manifest().toString());
      m.put("images", r.images());
      m.put("corrected", r.corrected());
      m.put("excluded", r.excluded());
      m.put("kept", r.kept());
      System.out.println(Json.write(m));
    } else {
      System.out.printf(
          "%,d images: %,d labels corrected, %,d excluded, %,d flagged or reviewed and kept as given;"
              + " written to %s (train with --data %s)%n",
          r.images(), r.corrected(), r.excluded(), r.kept(), r.manifest(), r.manifest());
    }
    return Main.OK;
  }
}
