package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainRunReportTest {
  @Test
  void a_report_that_fails_is_a_warning_and_leaves_the_run_directory_alone(@TempDir Path run)
      throws Exception {
    // a run directory whose metrics are missing: RunReport refuses it
    Files.writeString(run.resolve("model.json"), "{}");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertThat(TrainRun.writeReport(run, Optional.empty(), out)).isFalse();
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .startsWith("warning: the run is complete, but its report could not be written");
    assertThat(run.resolve("model.json")).hasContent("{}");
    assertThat(run.resolve("report.html")).doesNotExist();
  }
}
