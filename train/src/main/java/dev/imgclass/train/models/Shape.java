package dev.imgclass.train.models;

/** Shape of one feature map, batch dimension left out: (channels, height, width). */
public record Shape(int channels, int height, int width) {
  public long numel() {
    return (long) channels * height * width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
