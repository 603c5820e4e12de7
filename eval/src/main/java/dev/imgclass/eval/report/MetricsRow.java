package dev.imgclass.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One epoch of a run as logged in {@code metrics.jsonl} (or {@code metrics.csv}); validation fields
 * are NaN when the run had no validation split.
 */
public record MetricsRow(
    int epoch,
    long step,
    double lr,
    double trainLoss,
    double trainAcc,
    double valLoss,
    double valAcc,
    double imagesPerSecond,
    double seconds,
    double rssMb) {

  /** Reads the run's per-epoch metrics: {@code metrics.jsonl}, else {@code metrics.csv}. */
  public static List<MetricsRow> read(Path runDir) {
    Path jsonl = runDir.resolve("metrics.jsonl");
    Path csv = runDir.resolve("metrics.csv");
    List<MetricsRow> rows;
    if (Files.isRegularFile(jsonl)) rows = readJsonl(jsonl);
    else if (Files.isRegularFile(csv)) rows = readCsv(csv);
    else rows = List.of();
    if (rows.isEmpty()) {
      throw new ImgclassException(
          "no training metrics in "
              + runDir
              + " (metrics.jsonl or metrics.csv with at least one epoch): pass a run directory"
              + " written by 'imgclass train'");
    }
    return rows;
  }

  private static List<MetricsRow> readJsonl(Path file) {
    List<MetricsRow> rows = new ArrayList<>();
    for (String line : lines(file)) {
      if (line.isBlank()) continue;
      try {
        JsonNode j = Json.MAPPER.readTree(line);
        rows.add(
            new MetricsRow(
                j.path("epoch").asInt(),
                j.path("step").asLong(),
                num(j, "lr"),
                num(j, "train_loss"),
                num(j, "train_acc"),
                num(j, "val_loss"),
                num(j, "val_acc"),
                num(j, "img_per_s"),
                num(j, "seconds"),
                num(j, "rss_mb")));
      } catch (IOException e) {
        throw new ImgclassException(
            "cannot read " + file + ": a line is not JSON; was it written by imgclass train?");
      }
    }
    return rows;
  }

  private static List<MetricsRow> readCsv(Path file) {
    List<MetricsRow> rows = new ArrayList<>();
    List<String> lines = lines(file);
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      String[] f = lines.get(i).split(",", -1);
      try {
        rows.add(
            new MetricsRow(
                Integer.parseInt(f[0]),
                Long.parseLong(f[1]),
                num(f[2]),
                num(f[3]),
                num(f[4]),
                num(f[5]),
                num(f[6]),
                num(f[7]),
                num(f[8]),
                num(f[9])));
      } catch (RuntimeException e) {
        throw new ImgclassException(
            "cannot read " + file + " line " + (i + 1) + ": expected " + 10 + " numeric columns");
      }
    }
    return rows;
  }

  private static double num(JsonNode j, String field) {
    JsonNode v = j.get(field);
    return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
  }

  private static double num(String s) {
    return s.isBlank() ? Double.NaN : Double.parseDouble(s);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
