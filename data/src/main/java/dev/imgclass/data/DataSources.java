package dev.imgclass.data;

import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Turns a data argument, parsed once into a {@link DataSpec}, into datasets: {@code fashion-mnist}
 * (looked up in {@code $IMGCLASS_DATA}, then Debian's {@code dataset-fashion-mnist}), a folder of
 * IDX files, an image folder, a CSV manifest, or {@code synthetic[:N[:K]]} (generated, for tests
 * and smoke runs).
 */
public final class DataSources {
  public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
  public static final List<String> FASHION_CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");
  static final String INSTALL_HINT =
      "install it with 'apt-get install dataset-fashion-mnist' (Debian, as root), or set IMGCLASS_DATA to a folder holding its four IDX files";

  private DataSources() {}

  /** Where Fashion-MNIST is on this machine, if anywhere. */
  public static Optional<Path> locateFashionMnist() {
    String env = System.getenv("IMGCLASS_DATA");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
      candidates.add(Path.of(env, "fashion-mnist"));
    }
    candidates.add(DEBIAN_FASHION_MNIST);
    return candidates.stream().filter(DataSources::isIdxDir).findFirst();
  }

  /**
   * The shape image files are read at (IDX and synthetic data keep their own).
   *
   * @param channels 1 (gray) or 3 (RGB)
   * @param size side of the square every image is resized to
   * @param maxPixels refuse images with more pixels than this, before decoding them
   */
  public record Load(int channels, int size, long maxPixels) {
    public static final Load DEFAULT = new Load(3, 64, Images.DEFAULT_MAX_PIXELS);

    /** The shape a model was trained at. */
    public static Load of(ModelSpec spec) {
      return new Load(spec.inChannels(), spec.inputSize(), Images.DEFAULT_MAX_PIXELS);
    }
  }

  public static DataSplits open(String data) {
    return open(data, Load.DEFAULT);
  }

  /**
   * Opens {@code data}: {@code fashion-mnist}, an IDX folder, {@code synthetic[:N[:K]]}, an image
   * folder or a CSV manifest (see {@link DataSpec#parse}); image files are read at {@code load}'s
   * shape.
   */
  public static DataSplits open(String data, Load load) {
    return open(DataSpec.parse(data), load);
  }

  /** Opens parsed data; image files are read at {@code load}'s shape. */
  public static DataSplits open(DataSpec spec, Load load) {
    if (spec instanceof DataSpec.FashionMnist) {
      Path dir =
          locateFashionMnist()
              .orElseThrow(
                  () ->
                      new ImgclassException(
                          "Fashion-MNIST not found (looked in $IMGCLASS_DATA and "
                              + DEBIAN_FASHION_MNIST
                              + "): "
                              + INSTALL_HINT));
      return readIdxDir(dir);
    }
    if (spec instanceof DataSpec.Synthetic s)
      return SyntheticData.splits(s.images(), s.classes(), 28);
    if (spec instanceof DataSpec.IdxDir x) return readIdxDir(x.dir());
    if (spec instanceof DataSpec.CsvManifest x) {
      DataIssues issues = new DataIssues();
      return files(CsvManifest.read(x.file(), issues), load, issues, "CSV manifest " + x.file());
    }
    DataSpec.ImageFolder x = (DataSpec.ImageFolder) spec;
    DataIssues issues = new DataIssues();
    return files(ImageFolder.scan(x.dir(), issues), load, issues, "image folder " + x.dir());
  }

  private static DataSplits files(
      ImageFolder.Index index, Load load, DataIssues issues, String description) {
    java.util.function.Function<String, Optional<Dataset>> split =
        name ->
            index.splits().containsKey(name)
                ? Optional.of(
                    new FileDataset(
                        index.classes(),
                        index.split(name),
                        load.channels(),
                        load.size(),
                        load.maxPixels()))
                : Optional.empty();
    return new DataSplits(
        description,
        split.apply("train").orElseThrow(),
        split.apply("val"),
        split.apply("test"),
        issues);
  }

  /** A short category for a decoding error, for {@code data_issues.json}. */
  static String kindOf(ImgclassException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("above the limit")) return "too-large";
    if (m.contains("damaged")) return "damaged";
    if (m.contains("no such")) return "missing";
    return "unreadable";
  }

  static boolean isIdxDir(Path dir) {
    return Files.isDirectory(dir) && find(dir, "train-images-idx3-ubyte").isPresent();
  }

  private static Optional<Path> find(Path dir, String base) {
    for (String name : List.of(base, base + ".gz")) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  static DataSplits readIdxDir(Path dir) {
    List<String> classes =
        dir.toString().toLowerCase(Locale.ROOT).contains("fashion") ? FASHION_CLASSES : digits();
    Dataset train = readPair(dir, "train", classes).orElseThrow();
    Optional<Dataset> test = readPair(dir, "t10k", classes);
    return new DataSplits("IDX files in " + dir, train, Optional.empty(), test);
  }

  private static Optional<Dataset> readPair(Path dir, String prefix, List<String> classes) {
    Optional<Path> images = find(dir, prefix + "-images-idx3-ubyte");
    if (images.isEmpty()) return Optional.empty();
    Path labelsFile =
        find(dir, prefix + "-labels-idx1-ubyte")
            .orElseThrow(
                () ->
                    new ImgclassException(
                        "found "
                            + images.get()
                            + " but not "
                            + prefix
                            + "-labels-idx1-ubyte[.gz] beside it"));
    IdxReader.Idx img = IdxReader.read(images.get(), 3);
    IdxReader.Idx lab = IdxReader.read(labelsFile, 1);
    int n = img.dims()[0];
    if (lab.dims()[0] != n) {
      throw new ImgclassException(
          images.get()
              + " holds "
              + n
              + " images but "
              + labelsFile
              + " holds "
              + lab.dims()[0]
              + " labels");
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = lab.data()[i] & 0xff;
      if (labels[i] >= classes.size()) {
        throw new ImgclassException(
            labelsFile
                + " has label "
                + labels[i]
                + " at index "
                + i
                + ", beyond the "
                + classes.size()
                + " classes");
      }
    }
    return Optional.of(
        new InMemoryDataset(classes, 1, img.dims()[1], img.dims()[2], img.data(), labels));
  }

  private static List<String> digits() {
    return IntStream.range(0, 10).mapToObj(Integer::toString).toList();
  }
}
