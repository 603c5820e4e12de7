package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imgclass.core.Json;
import dev.imgclass.data.DataSources;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real data: a short run on a Fashion-MNIST subset, evaluated on the full 10k test set. */
@Tag("slow")
class FashionMnistTest {
  @Test
  void one_epoch_on_12000_images_reaches_80_percent_on_the_test_set(@TempDir Path dir)
      throws Exception {
    // the review found 46.9 %: the one-epoch warm-up took the whole run and the rate never decayed
    assumeTrue(
        DataSources.locateFashionMnist().isPresent(),
        "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    Path run = dir.resolve("fm");
    Cli.Run r =
        Cli.run(
            "train",
            "--data",
            "fashion-mnist",
            "--limit",
            "12000",
            "--epochs",
            "1",
            "--threads",
            "2",
            "--out",
            run.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Cli.Run e = Cli.run("eval", "--model", run.toString(), "--data", "fashion-mnist", "--json");
    assertThat(e.code()).isZero();
    JsonNode j = Json.MAPPER.readTree(e.out());
    assertThat(j.get("images").asInt()).isEqualTo(10_000);
    // measured 82.1 % with 2 threads, 80.4-80.6 % with 1 (AMD EPYC, bf16:
    // bench/RESULTS-short-runs.md); a point of margin for bf16 numerics on other CPUs
    assertThat(j.get("top1").asDouble()).isGreaterThanOrEqualTo(0.79);
    assertThat(j.get("perClass").get(9).get("name").asText()).isEqualTo("Ankle boot");
  }
}
