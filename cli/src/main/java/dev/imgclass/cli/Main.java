package dev.imgclass.cli;

import dev.imgclass.core.ImgclassException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point. Exit codes, the same for every command (README "Exit codes"): {@link #OK} 0, {@link
 * #PROBLEMS} 1 when a command ran and found problems (a data check's problem files, images predict
 * could not read), {@link #FAILED} 2 when it could not run (bad usage, bad input, any error).
 * Errors are one line on stderr; {@code --verbose} adds the stack trace. The process always ends
 * through {@link System#exit}, after native work is done, so that the exit code is the command's.
 */
@Command(
    name = "imgclass",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train, evaluate and run image classifiers on the JVM.",
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      ModelsCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      AdviseCommand.class,
      ReportCommand.class,
      CompareCommand.class,
      PruneCommand.class,
      CompressCommand.class,
      QatCommand.class,
      DataCommand.class,
      StoreCommand.class,
      ServeCommand.class,
      BenchTrainCommand.class,
      BenchDataCommand.class,
      BenchExperimentsCommand.class
    })
public final class Main implements Runnable {
  static final int OK = 0;
  static final int PROBLEMS = 1;
  static final int FAILED = 2;

  @Option(
      names = "--verbose",
      description = "Print stack traces with errors.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (for tests: no System.exit). */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          boolean verbose = parsed.matchedOption("--verbose") != null || hasVerbose(parsed);
          PrintWriter err = cmd.getErr();
          if (ex instanceof ImgclassException) {
            err.println("error: " + ex.getMessage());
          } else {
            err.println(
                "error: " + ex + " (this is a bug in imgclass; rerun with --verbose for details)");
          }
          if (verbose) ex.printStackTrace(err);
          err.flush();
          return FAILED;
        });
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("error: " + ex.getMessage());
          err.println("try: imgclass " + commandPath(ex.getCommandLine()) + "--help");
          err.flush();
          return FAILED;
        });
    return cl.execute(args);
  }

  private static boolean hasVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.matchedOption("--verbose") != null) return true;
    }
    return false;
  }

  private static String commandPath(CommandLine cl) {
    StringBuilder sb = new StringBuilder();
    for (CommandLine c = cl; c.getParent() != null; c = c.getParent())
      sb.insert(0, c.getCommandName() + " ");
    return sb.toString();
  }

  /** {@code --version}: the version and commit this build of imgclass was made from. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "imgclass "
            + dev.imgclass.core.BuildInfo.version()
            + " ("
            + dev.imgclass.core.BuildInfo.commit()
            + ")"
      };
    }
  }
}
