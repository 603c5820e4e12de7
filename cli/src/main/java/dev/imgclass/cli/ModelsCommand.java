package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imgclass models}: the registry with sizes and costs. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "List the models imgclass can train, with parameters and MACs.")
final class ModelsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ModelRegistry.Entry e : ModelRegistry.entries()) {
      int classes = e.defaultClasses();
      ModelSpec spec =
          new ModelSpec(
              e.name(),
              IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
              3,
              e.defaultInputSize(),
              List.of(0.5, 0.5, 0.5),
              List.of(0.25, 0.25, 0.25));
      Net net = ModelRegistry.create(spec, 0);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", e.name());
      row.put("params", net.paramCount());
      row.put("macs", net.macs());
      row.put("input", "3x" + e.defaultInputSize() + "x" + e.defaultInputSize());
      row.put("classes", classes);
      row.put("summary", e.summary());
      row.put(
          "smallInput",
          e.defaultInputSize() >= Net.SMALL_INPUT
              ? "below " + Net.SMALL_INPUT + " px the stem runs at stride 1"
              : "designed for small inputs");
      rows.add(row);
    }
    if (json) {
      System.out.println(Json.write(rows));
      return 0;
    }
    System.out.printf(
        "%-22s %10s %10s %11s %7s  %s%n",
        "name", "params", "MACs", "input", "classes", "when to use it");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%-22s %9.2fM %9.3fG %11s %7s  %s%n",
          r.get("name"),
          ((Long) r.get("params")) / 1e6,
          ((Long) r.get("macs")) / 1e9,
          r.get("input"),
          r.get("classes"),
          r.get("summary"));
    }
    System.out.println(
        "\nParams and MACs are for the input and class count shown; any channels, size and classes"
            + " train.\nSmall inputs (below "
            + Net.SMALL_INPUT
            + " px, e.g. 28x28, 32x32): the ImageNet models run their stem at stride 1 (ResNets"
            + " also skip the max pool); parameters and names are unchanged.");
    return 0;
  }
}
