package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rows {@link MetricsLog} writes, and what a resume keeps of them. */
class MetricsLogTest {
  @TempDir Path dir;

  static TrainListener.Epoch epoch(int epoch, double valAcc) {
    return new TrainListener.Epoch(
        epoch,
        3,
        10L * (epoch + 1),
        0.05,
        0.75,
        0.5,
        0.8,
        valAcc,
        2.0,
        320,
        300,
        java.util.Map.of());
  }

  static TrainState at(int epoch) {
    return new TrainState(
        epoch, 0, 10L * epoch, -1, 0, 0, TrainConfig.builder().build(), "fp32", "d", null);
  }

  List<String> csv() throws Exception {
    return Files.readAllLines(dir.resolve("metrics.csv"));
  }

  List<String> jsonl() throws Exception {
    return Files.readAllLines(dir.resolve("metrics.jsonl"));
  }

  void runEpochs(int from, int to) {
    MetricsLog log = new MetricsLog(dir);
    log.onStart(3, 5, at(from));
    for (int e = from; e < to; e++) log.onEpoch(epoch(e, e == 1 ? Double.NaN : 0.6));
  }

  @Test
  void each_epoch_adds_one_row_to_both_files_under_the_csv_header() throws Exception {
    runEpochs(0, 2);
    assertThat(csv())
        .containsExactly(
            MetricsLog.HEADER,
            "1,10,0.0500000,0.750000,0.500000,0.800000,0.600000,320.0,2.00,300",
            "2,20,0.0500000,0.750000,0.500000,0.800000,,320.0,2.00,300");
    assertThat(jsonl()).hasSize(2);
    JsonNode first = Json.MAPPER.readTree(jsonl().get(0));
    assertThat(first.get("epoch").asInt()).isEqualTo(1);
    assertThat(first.get("step").asLong()).isEqualTo(10);
    assertThat(first.get("val_acc").asDouble()).isEqualTo(0.6);
    assertThat(Json.MAPPER.readTree(jsonl().get(1)).get("val_acc").isNull()).isTrue();
  }

  @Test
  void a_resume_drops_the_rows_of_epochs_after_the_checkpoint() throws Exception {
    runEpochs(0, 3);
    runEpochs(1, 3); // the checkpoint was at the end of epoch 1: epochs 2 and 3 run again
    assertThat(csv()).hasSize(4);
    assertThat(csv().subList(1, 4)).extracting(l -> l.split(",")[0]).containsExactly("1", "2", "3");
    assertThat(jsonl())
        .extracting(l -> Json.MAPPER.readTree(l).get("epoch").asInt())
        .containsExactly(1, 2, 3);
  }

  @Test
  void a_row_cut_short_by_a_crash_is_dropped_on_resume() throws Exception {
    runEpochs(0, 1);
    Files.writeString(dir.resolve("metrics.jsonl"), "{\"epoch\":2,\"st", StandardOpenOption.APPEND);
    Files.writeString(dir.resolve("metrics.csv"), "2,20,0.05", StandardOpenOption.APPEND);
    runEpochs(1, 2);
    assertThat(csv()).hasSize(3);
    assertThat(csv().get(2)).startsWith("2,20,0.0500000,");
    assertThat(jsonl()).hasSize(2).allSatisfy(l -> Json.MAPPER.readTree(l));
  }

  @Test
  void the_resume_rewrite_replaces_each_file_whole_instead_of_truncating_it_in_place()
      throws Exception {
    runEpochs(0, 3);
    Path csv = dir.resolve("metrics.csv");
    Path jsonl = dir.resolve("metrics.jsonl");
    long[] before = {Files.size(csv), Files.size(jsonl)};
    // readers that opened the files before the rewrite: an in-place rewrite truncates what they
    // read (and a crash in the middle of one loses rows); a replacement leaves them whole
    try (FileChannel a = FileChannel.open(csv, StandardOpenOption.READ);
        FileChannel b = FileChannel.open(jsonl, StandardOpenOption.READ)) {
      new MetricsLog(dir).onStart(3, 5, at(1));
      assertThat(a.read(ByteBuffer.allocate((int) before[0] + 1), 0)).isEqualTo(before[0]);
      assertThat(b.read(ByteBuffer.allocate((int) before[1] + 1), 0)).isEqualTo(before[1]);
    }
    assertThat(Files.size(csv)).isLessThan(before[0]);
    assertThat(Files.size(jsonl)).isLessThan(before[1]);
  }
}
