package dev.imgclass.train.training;

import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.data.FileDataset;
import java.util.Locale;

/**
 * How a run reads image files; none of it changes what is learned, so it is not part of {@link
 * TrainConfig} (a resumed run may use other values).
 *
 * @param workers threads decoding and augmenting
 * @param cache {@code auto} (cache decoded images when they take at most {@link #AUTO_CACHE_BYTES}
 *     and a quarter of the heap), {@code on} or {@code off}
 * @param maxPixels images with more pixels are refused before decoding
 */
public record DataOptions(int workers, String cache, long maxPixels) {
  public static final long AUTO_CACHE_BYTES = 2L << 30;

  public DataOptions {
    if (workers < 1) throw new ImgclassException("--workers must be at least 1, got " + workers);
    cache = cache.toLowerCase(Locale.ROOT);
    if (!cache.equals("auto") && !cache.equals("on") && !cache.equals("off")) {
      throw new ImgclassException("--cache must be auto, on or off, got " + cache);
    }
    if (maxPixels < 1)
      throw new ImgclassException("--max-pixels must be positive, got " + maxPixels);
  }

  public static DataOptions defaults() {
    return new DataOptions(
        Math.max(1, Runtime.getRuntime().availableProcessors()), "auto", Images.DEFAULT_MAX_PIXELS);
  }

  /** Whether to decode {@code data} once into memory. */
  public boolean caches(FileDataset data) {
    if (cache.equals("on")) return true;
    if (cache.equals("off")) return false;
    long bytes = (long) data.size() * data.channels() * data.height() * data.width();
    return bytes <= AUTO_CACHE_BYTES && bytes <= Runtime.getRuntime().maxMemory() / 4;
  }
}
