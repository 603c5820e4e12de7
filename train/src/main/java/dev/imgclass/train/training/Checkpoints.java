package dev.imgclass.train.training;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code checkpoints/last} and {@code checkpoints/best} folders of a run. A checkpoint is
 * written whole into a temporary folder, then swapped in by renames, so a crash at any moment
 * leaves a complete checkpoint (the new one, or the previous one under {@code .NAME.old}).
 */
public final class Checkpoints {
  static final String WEIGHTS = "weights.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "state.json";
  private final Path root;

  public Checkpoints(Path runDir) {
    this.root = runDir.resolve("checkpoints");
  }

  /** A checkpoint read back from disk. */
  public record Loaded(
      TrainState state, Map<String, TensorData> weights, Map<String, TensorData> optimizer) {}

  public Path dir(String name) {
    return root.resolve(name);
  }

  public void save(String name, Net net, Optimizer optimizer, TrainState state) {
    if (!Weights.allFinite(net)) {
      throw new ImgclassException(
          "refusing to save checkpoint '" + name + "': the weights hold NaN or infinity");
    }
    Path tmp = root.resolve("." + name + ".tmp");
    Path old = root.resolve("." + name + ".old");
    Path target = root.resolve(name);
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      Safetensors.write(tmp.resolve(WEIGHTS), Weights.toData(net), Map.of("format", "pt"));
      Safetensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of());
      Json.writeFile(tmp.resolve(STATE), state);
      AtomicFiles.fsyncDir(tmp);
      deleteTree(old);
      if (Files.exists(target)) Files.move(target, old);
      Files.move(tmp, target);
      AtomicFiles.fsyncDir(root);
      deleteTree(old);
    } catch (IOException e) {
      throw new ImgclassException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /** The named checkpoint, falling back to the previous one if a swap was interrupted. */
  public Optional<Loaded> load(String name) {
    for (Path dir : new Path[] {root.resolve(name), root.resolve("." + name + ".old")}) {
      if (Files.isRegularFile(dir.resolve(STATE))) {
        TrainState state = Json.readFile(dir.resolve(STATE), TrainState.class);
        return Optional.of(
            new Loaded(
                state,
                Safetensors.read(dir.resolve(WEIGHTS)).tensors(),
                Safetensors.read(dir.resolve(OPTIMIZER)).tensors()));
      }
    }
    return Optional.empty();
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
