package dev.imgclass.core;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The one preprocessing path from a picture to model input, read from a {@link ModelSpec}: used by
 * training-time evaluation, {@code predict} and deployment alike, so they cannot drift apart.
 * Pictures become {@link ImageU8} at the model's input size (bilinear resize, colour converted to
 * the model's channels, transparency composited on white), then floats normalized per channel.
 */
public final class Preprocessor {
  private final ModelSpec spec;
  private final float[] scale; // 1 / (255 * std)
  private final float[] shift; // mean / std

  public Preprocessor(ModelSpec spec) {
    this.spec = spec;
    int c = spec.inChannels();
    scale = new float[c];
    shift = new float[c];
    List<Double> mean = spec.mean();
    List<Double> std = spec.std();
    for (int i = 0; i < c; i++) {
      scale[i] = (float) (1.0 / (255.0 * std.get(i)));
      shift[i] = (float) (mean.get(i) / std.get(i));
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  /** Converts a decoded picture to the model's channels and input size. */
  public ImageU8 toInput(BufferedImage picture) {
    ImageU8 planar = Images.toPlanar(picture, spec.inChannels());
    return Images.resize(planar, spec.inputSize(), spec.inputSize());
  }

  /** Brings an 8-bit image to the model's channels and input size (no-op when it already is). */
  public ImageU8 toInputSize(ImageU8 img) {
    ImageU8 x = img;
    if (x.channels() != spec.inChannels()) x = Images.convertChannels(x, spec.inChannels());
    return Images.resize(x, spec.inputSize(), spec.inputSize());
  }

  /** Writes {@code (x/255 - mean) / std} of every pixel into {@code out} from {@code offset}. */
  public void normalizeInto(ImageU8 img, float[] out, int offset) {
    if (img.channels() != spec.inChannels()
        || img.height() != spec.inputSize()
        || img.width() != spec.inputSize()) {
      throw new ImgclassException(
          "image is "
              + img.channels()
              + "x"
              + img.height()
              + "x"
              + img.width()
              + ", model expects "
              + spec.inChannels()
              + "x"
              + spec.inputSize()
              + "x"
              + spec.inputSize());
    }
    int plane = img.height() * img.width();
    byte[] d = img.data();
    for (int c = 0; c < img.channels(); c++) {
      float s = scale[c];
      float t = shift[c];
      int base = c * plane;
      for (int i = 0; i < plane; i++) {
        out[offset + base + i] = (d[base + i] & 0xff) * s - t;
      }
    }
  }

  /** Number of floats one input occupies. */
  public int inputLength() {
    return spec.inChannels() * spec.inputSize() * spec.inputSize();
  }
}
