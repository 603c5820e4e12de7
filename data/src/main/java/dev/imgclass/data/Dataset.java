package dev.imgclass.data;

import dev.imgclass.core.ImageU8;
import java.util.List;

/**
 * Labelled images of one shape (channels × height × width), addressed by index. Either held in
 * memory ({@link InMemoryDataset}: IDX files, synthetic data, a decoded cache) or read from files
 * on demand ({@link FileDataset}: image folders and CSV manifests), where {@link #image} may throw
 * {@link dev.imgclass.core.ImgclassException} for a file that cannot be decoded.
 */
public interface Dataset {
  List<String> classes();

  int size();

  int channels();

  int height();

  int width();

  int label(int i);

  /**
   * Image {@code i} at this dataset's shape; an error for that image only when it is unreadable.
   */
  ImageU8 image(int i);

  /** The images at {@code indices}, in that order. */
  Dataset subset(int[] indices);

  /**
   * Names the exact data (16 hex digits), for provenance and for refusing a resume on other data.
   */
  String fingerprint();

  /** A human name for image {@code i}: its file, or its index. */
  default String name(int i) {
    return "#" + i;
  }

  /** Images per class, in class order. */
  default int[] classCounts() {
    int[] c = new int[classes().size()];
    for (int i = 0; i < size(); i++) c[label(i)]++;
    return c;
  }
}
