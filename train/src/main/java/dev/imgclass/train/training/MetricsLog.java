package dev.imgclass.train.training;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Appends one row per epoch to {@code metrics.csv} and {@code metrics.jsonl}; the named parts of a
 * loss of several terms (distillation's {@code ce} and {@code kd}) go to the JSON rows as {@code
 * train_NAME}, the CSV keeping its fixed columns. On resume, rows of epochs after the checkpoint
 * are dropped first (the files are rewritten atomically), so the files always describe one run; a
 * row cut short by a crash is dropped with them.
 */
final class MetricsLog implements TrainListener {
  static final String HEADER =
      "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,img_per_s,seconds,rss_mb";
  private final Path csv;
  private final Path jsonl;

  MetricsLog(Path runDir) {
    this.csv = runDir.resolve("metrics.csv");
    this.jsonl = runDir.resolve("metrics.jsonl");
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, TrainState from) {
    try {
      Files.createDirectories(csv.getParent());
      keepEpochsUpTo(csv, from.epoch(), true);
      keepEpochsUpTo(jsonl, from.epoch(), false);
      if (!Files.exists(csv) || Files.size(csv) == 0) {
        AtomicFiles.write(csv, (HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new ImgclassException(
          "cannot write metrics in " + csv.getParent() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpoch(Epoch e) {
    String row =
        String.format(
            Locale.ROOT,
            "%d,%d,%.6g,%.6f,%.6f,%s,%s,%.1f,%.2f,%d%n",
            e.epoch() + 1,
            e.globalStep(),
            e.lr(),
            e.trainLoss(),
            e.trainAcc(),
            num(e.valLoss()),
            num(e.valAcc()),
            e.imagesPerSecond(),
            e.seconds(),
            e.rssMb());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epoch", e.epoch() + 1);
    m.put("step", e.globalStep());
    m.put("lr", e.lr());
    m.put("train_loss", e.trainLoss());
    m.put("train_acc", e.trainAcc());
    e.trainParts().forEach((name, v) -> m.put("train_" + name, v)); // train_ce, train_kd
    m.put("val_loss", Double.isNaN(e.valLoss()) ? null : e.valLoss());
    m.put("val_acc", Double.isNaN(e.valAcc()) ? null : e.valAcc());
    m.put("img_per_s", e.imagesPerSecond());
    m.put("seconds", e.seconds());
    m.put("rss_mb", e.rssMb());
    try {
      Files.writeString(csv, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      Files.writeString(
          jsonl,
          Json.line(m) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException ex) {
      throw new ImgclassException("cannot append to " + csv + ": " + ex.getMessage(), ex);
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
  }

  /**
   * Keeps the header (CSV) and rows whose epoch is at most {@code epochs}. The file is replaced
   * whole (temp file, rename), so a crash here leaves the old rows, never a truncated file.
   */
  private static void keepEpochsUpTo(Path file, int epochs, boolean header) throws IOException {
    if (!Files.exists(file)) return;
    List<String> kept = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (header && i == 0) {
        kept.add(line);
        continue;
      }
      int epoch = header ? parseCsvEpoch(line) : parseJsonEpoch(line);
      if (epoch >= 1 && epoch <= epochs) kept.add(line);
    }
    StringBuilder text = new StringBuilder();
    for (String line : kept) text.append(line).append('\n');
    AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static int parseCsvEpoch(String line) {
    try {
      return Integer.parseInt(line.substring(0, line.indexOf(',')));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static int parseJsonEpoch(String line) {
    try {
      return Json.MAPPER.readTree(line).path("epoch").asInt(-1);
    } catch (IOException e) {
      return -1;
    }
  }
}
