package dev.imgclass.train.training;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The {@code checkpoints/last} and {@code checkpoints/best} folders of a run. A checkpoint is
 * written whole into {@code .NAME.tmp} and marked complete (a {@code COMPLETE} file listing every
 * file's size, written last), then swapped in: {@code NAME} is renamed to {@code .NAME.old}, the
 * temporary folder to {@code NAME}, and the old one deleted. At every instant at least one complete
 * checkpoint is on disk, and {@link #load} takes the newest complete one: a complete {@code .tmp}
 * (the swap it belongs to was cut short), else {@code NAME}, else {@code .old}. Before a save
 * starts, what an interrupted swap left is settled first, never deleting the only complete copy.
 */
public final class Checkpoints {
  static final String WEIGHTS = "weights.safetensors";
  static final String OPTIMIZER = "optimizer.safetensors";
  static final String STATE = "state.json";
  static final String COMPLETE = "COMPLETE";
  private static final List<String> FILES = List.of(WEIGHTS, OPTIMIZER, STATE);

  /** The points of a save, in order; a test hook can stop the save after any of them. */
  enum Step {
    SETTLED,
    WROTE_WEIGHTS,
    WROTE_OPTIMIZER,
    WROTE_STATE,
    MARKED_COMPLETE,
    MOVED_TARGET_TO_OLD,
    MOVED_TMP_TO_TARGET,
    DELETED_OLD
  }

  private final Path root;
  private final Consumer<Step> after;

  public Checkpoints(Path runDir) {
    this(runDir, step -> {});
  }

  /** With {@code after} called after each step of every save (tests inject crashes with it). */
  Checkpoints(Path runDir, Consumer<Step> after) {
    this.root = runDir.resolve("checkpoints");
    this.after = after;
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
    save(
        name,
        tmp -> {
          Safetensors.write(tmp.resolve(WEIGHTS), Weights.toData(net), Map.of("format", "pt"));
          after.accept(Step.WROTE_WEIGHTS);
          Safetensors.write(tmp.resolve(OPTIMIZER), optimizer.state(), Map.of());
          after.accept(Step.WROTE_OPTIMIZER);
          Json.writeFile(tmp.resolve(STATE), state);
          after.accept(Step.WROTE_STATE);
        });
  }

  /** The swap itself; {@code write} fills the temporary folder. */
  void save(String name, Consumer<Path> write) {
    Path target = root.resolve(name);
    Path tmp = tmp(name);
    Path old = old(name);
    try {
      settle(name);
      after.accept(Step.SETTLED);
      Files.createDirectories(tmp);
      write.accept(tmp);
      markComplete(tmp);
      after.accept(Step.MARKED_COMPLETE);
      if (Files.exists(target)) {
        Files.move(target, old);
        AtomicFiles.fsyncDir(root);
      }
      after.accept(Step.MOVED_TARGET_TO_OLD);
      Files.move(tmp, target);
      AtomicFiles.fsyncDir(root);
      after.accept(Step.MOVED_TMP_TO_TARGET);
      discard(old);
      after.accept(Step.DELETED_OLD);
    } catch (IOException e) {
      throw new ImgclassException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /** The named checkpoint: the newest complete copy, whichever stage its last swap reached. */
  public Optional<Loaded> load(String name) {
    return newest(name)
        .map(
            dir ->
                new Loaded(
                    Json.readFile(dir.resolve(STATE), TrainState.class),
                    Safetensors.read(dir.resolve(WEIGHTS)).tensors(),
                    Safetensors.read(dir.resolve(OPTIMIZER)).tensors()));
  }

  /**
   * The newest complete folder of a checkpoint. A complete {@code .tmp} is newer than {@code NAME}:
   * it is only written after the previous swap was settled.
   */
  Optional<Path> newest(String name) {
    if (complete(tmp(name))) return Optional.of(tmp(name));
    return Stream.of(root.resolve(name), old(name))
        .filter(d -> complete(d) || legacyComplete(d))
        .findFirst();
  }

  /**
   * A checkpoint written before the {@code COMPLETE} marker existed: such saves renamed a whole
   * folder into {@code NAME} (or {@code .NAME.old}), so one there holding every file is complete. A
   * folder being discarded loses its marker first and its files after, so it reads as complete only
   * while all its files are intact. Never applied to {@code .tmp}, which may be half-written.
   */
  static boolean legacyComplete(Path dir) {
    return !Files.exists(dir.resolve(COMPLETE))
        && FILES.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
  }

  /**
   * Leaves only {@code NAME}, holding the newest complete copy, or nothing when there is none:
   * deletes the others first (the newest stays), then renames the newest into place.
   */
  private void settle(String name) throws IOException {
    Path target = root.resolve(name);
    Optional<Path> newest = newest(name);
    for (Path p : List.of(tmp(name), target, old(name))) {
      if (newest.isEmpty() || !newest.get().equals(p)) discard(p);
    }
    if (newest.isPresent() && !newest.get().equals(target)) {
      Files.move(newest.get(), target);
      AtomicFiles.fsyncDir(root);
    }
  }

  private Path tmp(String name) {
    return root.resolve("." + name + ".tmp");
  }

  private Path old(String name) {
    return root.resolve("." + name + ".old");
  }

  /** Written last, once every file is durable: names each file with its size. */
  private static void markComplete(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (String f : FILES) sb.append(f).append(' ').append(Files.size(dir.resolve(f))).append('\n');
    AtomicFiles.write(dir.resolve(COMPLETE), sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code dir} holds every file of a checkpoint at the size its marker recorded. */
  static boolean complete(Path dir) {
    Path marker = dir.resolve(COMPLETE);
    if (!Files.isRegularFile(marker)) return false;
    try {
      List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
      if (lines.size() != FILES.size()) return false;
      for (int i = 0; i < FILES.size(); i++) {
        Path f = dir.resolve(FILES.get(i));
        if (!lines
            .get(i)
            .equals(FILES.get(i) + " " + (Files.isRegularFile(f) ? Files.size(f) : -1)))
          return false;
      }
      return true;
    } catch (IOException e) {
      return false; // being deleted, or unreadable: not a checkpoint to trust
    }
  }

  /** Deletes a checkpoint folder, its marker first, so a half-deleted one never reads as whole. */
  private static void discard(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(COMPLETE));
    deleteTree(dir);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
