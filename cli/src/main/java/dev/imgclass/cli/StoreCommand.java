package dev.imgclass.cli;

import dev.imgclass.core.Json;
import dev.imgclass.serve.ModelStore;
import dev.imgclass.serve.VersionManifest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass store}: the versioned model store {@code imgclass serve} serves from. */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description = "Add models to a serving store as immutable, checksummed versions, and list it.",
    subcommands = {StoreCommand.Add.class, StoreCommand.ListStore.class})
final class StoreCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "name a subcommand: add or list");
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Copy an exported .onnx model (FP32 or INT8) into the store as the next version of NAME"
              + " (1, 2, ...), with a manifest holding its SHA-256.")
  static final class Add implements Callable<Integer> {
    @Option(
        names = "--store",
        required = true,
        paramLabel = "DIR",
        description = "Store folder (created when missing).")
    Path store;

    @Option(
        names = "--name",
        required = true,
        description = "Model name: lower-case letters, digits, '.', '_', '-'.")
    String name;

    @Parameters(paramLabel = "FILE.onnx", description = "A model written by 'imgclass export'.")
    Path file;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() {
      ModelStore.checkName(name);
      VersionManifest m = ModelStore.openOrCreate(store).add(name, file);
      if (json) System.out.println(Json.write(m));
      else
        System.out.printf(
            "added %s version %d (%s, %d classes%s, sha256 %s…, %,d bytes)%n",
            m.name(),
            m.version(),
            m.architecture(),
            m.classes().size(),
            m.quantized() ? ", INT8" : "",
            m.sha256().substring(0, 12),
            m.bytes());
      return Main.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Show every model and version in the store.")
  static final class ListStore implements Callable<Integer> {
    @Option(names = "--store", required = true, paramLabel = "DIR", description = "Store folder.")
    Path store;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Override
    public Integer call() {
      ModelStore s = ModelStore.open(store);
      List<Map<String, Object>> models = new ArrayList<>();
      for (String name : s.names()) {
        List<VersionManifest> versions = new ArrayList<>();
        for (int v : s.versions(name)) versions.add(s.manifest(name, v));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("version_policy", s.config(name).versionPolicy());
        m.put("versions", versions);
        models.add(m);
      }
      if (json) {
        System.out.println(Json.write(Map.of("store", s.root().toString(), "models", models)));
        return Main.OK;
      }
      if (models.isEmpty()) System.out.println("store " + s.root() + " is empty");
      for (Map<String, Object> m : models) {
        System.out.println(m.get("name") + " (policy " + m.get("version_policy") + ")");
        @SuppressWarnings("unchecked")
        List<VersionManifest> vs = (List<VersionManifest>) m.get("versions");
        for (VersionManifest v : vs)
          System.out.printf(
              "  %d  %-24s %2d classes%s  sha256 %s…  %,d bytes  added %s%n",
              v.version(),
              v.architecture(),
              v.classes().size(),
              v.quantized() ? "  INT8" : "      ",
              v.sha256().substring(0, 12),
              v.bytes(),
              v.addedAt());
      }
      return Main.OK;
    }
  }
}
