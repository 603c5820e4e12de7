package dev.imgclass.core;

/**
 * An 8-bit image in planar (channel, row, column) order: the form datasets are held in memory and
 * augmentations work on. Immutable by convention: transforms return a new image.
 *
 * @param channels 1 or 3
 * @param height rows
 * @param width columns
 * @param data {@code channels * height * width} bytes, unsigned
 */
public record ImageU8(int channels, int height, int width, byte[] data) {
  public ImageU8 {
    if (channels < 1 || height < 1 || width < 1) {
      throw new ImgclassException("bad image shape " + channels + "x" + height + "x" + width);
    }
    if (data.length != channels * height * width) {
      throw new ImgclassException(
          "image data has " + data.length + " bytes, shape needs " + channels * height * width);
    }
  }

  public int get(int c, int y, int x) {
    return data[(c * height + y) * width + x] & 0xff;
  }
}
