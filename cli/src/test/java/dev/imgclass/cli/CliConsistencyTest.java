package dev.imgclass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The CLI surface is uniform: every command is checked through picocli's own model of it. */
class CliConsistencyTest {
  static List<CommandSpec> commands() {
    List<CommandSpec> out = new ArrayList<>();
    collect(new CommandLine(new Main()), out);
    return out;
  }

  private static void collect(CommandLine cl, List<CommandSpec> out) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getSubcommands().isEmpty()) out.add(sub.getCommandSpec());
      collect(sub, out);
    }
  }

  @Test
  void every_visible_command_that_prints_results_has_json() {
    for (CommandSpec c : commands()) {
      if (c.usageMessage().hidden()) continue;
      assertThat(c.findOption("--json")).as(c.qualifiedName()).isNotNull();
    }
  }

  @Test
  void every_data_argument_lists_every_accepted_form() {
    int seen = 0;
    for (CommandSpec c : commands()) {
      List<String> descriptions = new ArrayList<>();
      OptionSpec data = c.findOption("--data");
      if (data != null) descriptions.add(String.join(" ", data.description()));
      c.positionalParameters().stream()
          .filter(p -> p.paramLabel().equals("DATA"))
          .forEach(p -> descriptions.add(String.join(" ", p.description())));
      for (String d : descriptions) {
        seen++;
        assertThat(d)
            .as(c.qualifiedName())
            .contains("fashion-mnist", "IDX", "image folder", "CSV manifest", "synthetic:N");
      }
    }
    assertThat(seen).isGreaterThanOrEqualTo(6);
  }

  @Test
  void batch_sizes_are_named_batch_size_everywhere() {
    for (CommandSpec c : commands()) {
      OptionSpec o = c.findOption("--batch");
      if (o != null) assertThat(o.longestName()).as(c.qualifiedName()).isEqualTo("--batch-size");
    }
  }

  @Test
  void every_command_that_runs_a_model_shares_the_open_flags() {
    for (String name : List.of("eval", "predict", "bench", "compare", "report")) {
      CommandSpec c = new CommandLine(new Main()).getSubcommands().get(name).getCommandSpec();
      for (String flag : List.of("--threads", "--precision", "--provider", "--classes"))
        assertThat(c.findOption(flag)).as(name + " " + flag).isNotNull();
    }
  }
}
