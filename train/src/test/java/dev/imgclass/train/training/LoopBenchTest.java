package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.data.SyntheticData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop benchmark runs the assembled pipeline of a run (no timing is checked here). */
class LoopBenchTest {
  @Test
  void the_loop_benchmark_runs_the_pipeline_a_run_assembles(@TempDir Path dir) {
    TrainConfig.Builder b = TrainConfig.builder();
    b.batchSize = 16;
    b.threads = 1;
    b.precision = "fp32";
    LoopBench.Result r = LoopBench.run(b.build(), SyntheticData.generate(80, 2, 8, 1), 1, dir);
    assertThat(r.steps()).isEqualTo(4); // 76 training images after the 5% validation split
    assertThat(dir.resolve("metrics.csv")).isRegularFile();
    assertThat(new Checkpoints(dir).load("last").orElseThrow().state().epoch()).isEqualTo(1);
  }
}
