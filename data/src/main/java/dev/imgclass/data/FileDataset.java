package dev.imgclass.data;

import dev.imgclass.core.ImageU8;
import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Labelled image files read on demand: each {@link #image} call decodes the file with the shared
 * safe decoder ({@link Images#decode}: header first, pixel limit, one colour policy), converts it
 * to this dataset's channels and resizes it to {@code size × size}. {@link #cache} decodes every
 * file once, on a worker pool, into an {@link InMemoryDataset}.
 */
public final class FileDataset implements Dataset {
  /**
   * One labelled file.
   *
   * @param path where it is
   * @param name how to show it (relative to the data root)
   * @param label class index
   * @param bytes file size, part of the fingerprint
   */
  public record Entry(Path path, String name, int label, long bytes) {}

  private final List<String> classes;
  private final List<Entry> entries;
  private final int channels;
  private final int size;
  private final long maxPixels;

  public FileDataset(
      List<String> classes, List<Entry> entries, int channels, int size, long maxPixels) {
    if (channels != 1 && channels != 3) {
      throw new ImgclassException("channels must be 1 or 3, got " + channels);
    }
    if (size < 8 || size > 4096) {
      throw new ImgclassException("image size must be in [8, 4096], got " + size);
    }
    this.classes = List.copyOf(classes);
    this.entries = List.copyOf(entries);
    this.channels = channels;
    this.size = size;
    this.maxPixels = maxPixels;
  }

  /** The same files at another shape (a model's input channels and size). */
  public FileDataset withShape(int channels, int size) {
    return new FileDataset(classes, entries, channels, size, maxPixels);
  }

  public List<Entry> entries() {
    return entries;
  }

  @Override
  public List<String> classes() {
    return classes;
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public int channels() {
    return channels;
  }

  @Override
  public int height() {
    return size;
  }

  @Override
  public int width() {
    return size;
  }

  @Override
  public int label(int i) {
    return entries.get(i).label();
  }

  @Override
  public String name(int i) {
    return entries.get(i).name();
  }

  @Override
  public ImageU8 image(int i) {
    return load(entries.get(i).path());
  }

  private ImageU8 load(Path file) {
    ImageU8 planar = Images.toPlanar(Images.decode(file, maxPixels), channels);
    return Images.resize(planar, size, size);
  }

  @Override
  public FileDataset subset(int[] indices) {
    List<Entry> sub = new ArrayList<>(indices.length);
    for (int i : indices) sub.add(entries.get(i));
    return new FileDataset(classes, sub, channels, size, maxPixels);
  }

  /** SHA-256 over shape, classes, and each file's name, label and size. */
  @Override
  public String fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(
          ("files:" + channels + "x" + size + "x" + size + ":" + String.join(",", classes))
              .getBytes(StandardCharsets.UTF_8));
      for (Entry e : entries) {
        md.update(
            (e.name() + "\t" + e.label() + "\t" + e.bytes() + "\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Decodes every file on {@code workers} threads into memory. Files that cannot be decoded are
   * left out and recorded in {@code issues}.
   */
  public InMemoryDataset cache(int workers, DataIssues issues) {
    int n = entries.size();
    int bytes = channels * size * size;
    if ((long) n * bytes > Integer.MAX_VALUE - 8) {
      throw new ImgclassException(
          n
              + " images of "
              + channels
              + "x"
              + size
              + "x"
              + size
              + " do not fit one in-memory cache (2 GB); use --cache off");
    }
    // decoded straight into the final array (no second copy of the whole cache), then compacted
    byte[] px = new byte[n * bytes];
    boolean[] ok = new boolean[n];
    decodeAll(
        workers,
        issues,
        (i, img) -> {
          System.arraycopy(img.data(), 0, px, i * bytes, bytes);
          ok[i] = true;
        });
    int[] labels = new int[n];
    int good = 0;
    for (int i = 0; i < n; i++) {
      if (!ok[i]) continue;
      if (i != good) System.arraycopy(px, i * bytes, px, good * bytes, bytes);
      labels[good++] = entries.get(i).label();
    }
    byte[] kept = good == n ? px : java.util.Arrays.copyOf(px, good * bytes);
    return new InMemoryDataset(
        classes, channels, size, size, kept, java.util.Arrays.copyOf(labels, good));
  }

  /** Receives each image that decoded. */
  @FunctionalInterface
  private interface Sink {
    void accept(int index, ImageU8 image);
  }

  /**
   * Decodes every file once on {@code workers} threads, keeping nothing: the files that decode,
   * with the others recorded in {@code issues}.
   */
  public FileDataset check(int workers, DataIssues issues) {
    DataIssues found = new DataIssues();
    decodeAll(workers, found, (i, img) -> {});
    issues.addAll(found);
    return without(found);
  }

  private void decodeAll(int workers, DataIssues issues, Sink sink) {
    DataThreads.parallelFor(
        entries.size(),
        workers,
        i -> {
          ImageU8 img;
          try {
            img = image(i);
          } catch (ImgclassException ex) {
            issues.bad(entries.get(i).name(), DataSources.kindOf(ex), ex.getMessage());
            return;
          }
          sink.accept(i, img);
        });
  }

  /** Keeps the files that are not in {@code issues}' bad list. */
  public FileDataset without(DataIssues issues) {
    var badNames = new java.util.HashSet<String>();
    for (DataIssues.Issue i : issues.badFiles()) badNames.add(i.file());
    List<Entry> keep = new ArrayList<>();
    for (Entry e : entries) if (!badNames.contains(e.name())) keep.add(e);
    return new FileDataset(classes, keep, channels, size, maxPixels);
  }
}
