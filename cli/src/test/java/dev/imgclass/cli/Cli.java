package dev.imgclass.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in this JVM (capturing output) or as a child process, for tests. */
final class Cli {
  /** Exit code and captured output of one command. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.isBlank() ? List.of() : List.of(err.strip().split("\n"));
    }
  }

  private Cli() {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /**
   * Trains a small run on {@code data} (batch 50, 2 threads) into {@code run} and exports it to
   * {@code run/model.onnx}; both must succeed. Returns the export's output.
   */
  static Run trainAndExport(Path run, String data, int epochs) {
    Run t =
        run(
            "train",
            "--data",
            data,
            "--epochs",
            Integer.toString(epochs),
            "--batch-size",
            "50",
            "--threads",
            "2",
            "--out",
            run.toString());
    org.assertj.core.api.Assertions.assertThat(t.code()).as(t.err()).isZero();
    Run e = run("export", "--model", run.toString(), "--threads", "2");
    org.assertj.core.api.Assertions.assertThat(e.code()).as(e.err()).isZero();
    return e;
  }

  /** Starts {@code imgclass ARGS} in a new JVM with this test's classpath. */
  static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static int runProcess(Path log, String... args) throws Exception {
    Process p = start(log, args);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          "imgclass " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return p.exitValue();
  }
}
