package dev.imgclass.serve;

import dev.imgclass.core.AtomicFiles;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.OnnxMetadata;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of immutable model versions, {@code DIR/NAME/VERSION/model.onnx} with a {@code
 * manifest.json} holding its SHA-256, and an optional {@code DIR/NAME/config.json} ({@link
 * ModelConfig}). Models are only ever read from here: names are validated and every path is checked
 * to stay inside the store after symbolic links are resolved, so no request can make the server
 * load a file from elsewhere.
 */
public final class ModelStore {
  /** Model names: lower-case letters, digits, '.', '_', '-', starting with a letter or digit. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  static final String MODEL_FILE = "model.onnx";
  static final String MANIFEST = "manifest.json";
  static final String CONFIG = "config.json";
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

  private final Path root; // real path

  private ModelStore(Path root) {
    this.root = root;
  }

  /** Opens an existing store directory. */
  public static ModelStore open(Path dir) {
    if (!Files.isDirectory(dir))
      throw new ImgclassException(
          "model store not found: " + dir + " (create it with 'store add')");
    try {
      return new ModelStore(dir.toRealPath());
    } catch (IOException e) {
      throw new ImgclassException("cannot open model store " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Opens {@code dir}, creating it when missing. */
  public static ModelStore openOrCreate(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ImgclassException("cannot create model store " + dir + ": " + e.getMessage(), e);
    }
    return open(dir);
  }

  public Path root() {
    return root;
  }

  /** Refuses a name the store would not hold, with the rule. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches())
      throw new ImgclassException(
          "invalid model name '"
              + (name == null ? "" : abbreviate(name))
              + "': use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
    return name;
  }

  /** Parses a version as it appears in a path or request: a positive decimal integer. */
  public static int parseVersion(String v) {
    if (v == null || !VERSION.matcher(v).matches())
      throw new ImgclassException(
          "invalid model version '" + (v == null ? "" : abbreviate(v)) + "': use 1, 2, ...");
    return Integer.parseInt(v);
  }

  /**
   * Copies {@code onnx} in as the next version of {@code name} (1 for a new name) and writes its
   * manifest; the file must be an ONNX model ONNX Runtime can load, with imgclass metadata. The
   * version appears complete or not at all: it is assembled in a temporary folder and renamed.
   */
  public VersionManifest add(String name, Path onnx) {
    checkName(name);
    if (!Files.isRegularFile(onnx)) throw new ImgclassException("ONNX model not found: " + onnx);
    String architecture;
    List<String> classes;
    boolean quantized;
    try (OnnxClassifier c = OnnxClassifier.open(onnx, OnnxOptions.cpu(1))) {
      if (!c.metadata().containsKey(OnnxMetadata.SPEC))
        throw new ImgclassException(
            onnx + " has no imgclass metadata: the store takes files written by 'imgclass export'");
      architecture = c.spec().architecture();
      classes = c.spec().classes();
      quantized = c.metadata().containsKey(OnnxMetadata.QUANTIZATION);
    }
    Path modelDir = root.resolve(name);
    try (FileChannel lockFile =
            FileChannel.open(
                root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      Files.createDirectories(modelDir);
      int version = versions(name).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
      Path tmp = modelDir.resolve(".incoming-" + UUID.randomUUID());
      Files.createDirectory(tmp);
      try {
        Path file = tmp.resolve(MODEL_FILE);
        String sha = copyHashing(onnx, file);
        VersionManifest m =
            new VersionManifest(
                name,
                version,
                sha,
                Files.size(file),
                Instant.now().toString(),
                onnx.toAbsolutePath().toString(),
                architecture,
                classes,
                quantized);
        Json.writeFile(tmp.resolve(MANIFEST), m);
        file.toFile().setWritable(false, false);
        tmp.resolve(MANIFEST).toFile().setWritable(false, false);
        Files.move(tmp, modelDir.resolve(Integer.toString(version)));
        AtomicFiles.fsyncDir(modelDir);
        return m;
      } finally {
        deleteTree(tmp);
      }
    } catch (IOException e) {
      throw new ImgclassException("cannot add to model store " + root + ": " + e.getMessage(), e);
    }
  }

  /** Model names in the store, sorted. */
  public List<String> names() {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .filter(n -> NAME.matcher(n).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ImgclassException("cannot list model store " + root + ": " + e.getMessage(), e);
    }
  }

  /** Complete versions of {@code name} (those with a manifest), ascending; empty if unknown. */
  public List<Integer> versions(String name) {
    Path dir = root.resolve(checkName(name));
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .filter(v -> VERSION.matcher(v).matches())
          .filter(v -> Files.isRegularFile(dir.resolve(v).resolve(MANIFEST)))
          .map(Integer::parseInt)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ImgclassException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  public Optional<Integer> latest(String name) {
    List<Integer> v = versions(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
  }

  /** The manifest of one version. */
  public VersionManifest manifest(String name, int version) {
    Path m = versionDir(name, version).resolve(MANIFEST);
    if (!Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS))
      throw new ImgclassException("model " + name + " has no version " + version + " in the store");
    VersionManifest vm = Json.readFile(m, VersionManifest.class);
    if (!vm.name().equals(name) || vm.version() != version)
      throw new ImgclassException(m + " describes " + vm.name() + " version " + vm.version());
    return vm;
  }

  /**
   * The file of one version after checking it is inside the store, a regular file (not a link) and
   * matches its manifest's size and SHA-256; refused otherwise.
   */
  public Path verifiedModel(String name, int version) {
    return verifiedModel(manifest(name, version));
  }

  /** {@link #verifiedModel(String, int)} for a manifest already read. */
  public Path verifiedModel(VersionManifest m) {
    String name = m.name();
    int version = m.version();
    Path file = versionDir(name, version).resolve(MODEL_FILE);
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        throw new ImgclassException(
            name + " version " + version + ": " + MODEL_FILE + " is missing or not a plain file");
      if (!file.toRealPath().startsWith(root))
        throw new ImgclassException(name + " version " + version + " lies outside the store");
      long size = Files.size(file);
      String sha = sha256(file);
      if (size != m.bytes() || !sha.equals(m.sha256()))
        throw new ImgclassException(
            name
                + " version "
                + version
                + " does not match its manifest (sha256 "
                + sha.substring(0, 12)
                + "…, manifest "
                + m.sha256().substring(0, Math.min(12, m.sha256().length()))
                + "…): the file was changed or damaged; add it again as a new version");
      return file;
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code DIR/NAME/config.json}, or the defaults when there is none. */
  public ModelConfig config(String name) {
    Path f = root.resolve(checkName(name)).resolve(CONFIG);
    if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) return ModelConfig.defaults();
    try {
      return Json.MAPPER.readValue(f.toFile(), ModelConfig.class);
    } catch (IOException e) {
      Throwable t = e.getCause() instanceof ImgclassException ie ? ie : e;
      throw new ImgclassException("cannot read " + f + ": " + firstLine(t.getMessage()), e);
    }
  }

  private Path versionDir(String name, int version) {
    checkName(name);
    if (version < 1) throw new ImgclassException("invalid model version " + version);
    return root.resolve(name).resolve(Integer.toString(version));
  }

  static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String copyHashing(Path from, Path to) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(from), md);
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      in.transferTo(java.nio.channels.Channels.newOutputStream(out));
      out.force(true);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.forEach(all::add);
    } catch (IOException ignored) {
      return; // clean-up after a failure already reported
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).toFile().setWritable(true, true);
      AtomicFiles.deleteQuietly(all.get(i));
    }
  }

  static String abbreviate(String s) {
    String flat = s.replaceAll("[\\p{Cntrl}]", "?");
    return flat.length() <= 40 ? flat : flat.substring(0, 37) + "...";
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
