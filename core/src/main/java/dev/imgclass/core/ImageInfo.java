package dev.imgclass.core;

/**
 * What a picture file's header says, read by {@link Images#probe} without decoding any pixels: for
 * checking and pre-scanning datasets quickly. A file that probes fine can still fail to decode when
 * its pixel data is damaged.
 *
 * @param format detected from the content, not the name: "png", "jpeg", "gif" or "bmp"
 * @param width pixels per row as stored, before EXIF orientation
 * @param height rows as stored, before EXIF orientation
 * @param colorMode as stored: "gray", "gray+alpha", "rgb", "rgba", "palette", "cmyk" or "ycck"
 *     (decoding turns every mode into 8-bit gray or RGB)
 * @param bitsPerSample bits of one sample (of the index, for palette images): 1 to 16
 * @param orientation EXIF orientation 1–8 (JPEG only); 1 when absent or unreadable
 * @param fileSize bytes
 * @param extensionMatches whether the file name's extension names the detected format (a PNG named
 *     {@code .jpg} decodes fine, but a dataset check may want to say so)
 */
public record ImageInfo(
    String format,
    int width,
    int height,
    String colorMode,
    int bitsPerSample,
    int orientation,
    long fileSize,
    boolean extensionMatches) {

  /** Width once EXIF orientation is applied, as {@link Images#decode} returns the picture. */
  public int uprightWidth() {
    return orientation >= 5 ? height : width;
  }

  /** Height once EXIF orientation is applied. */
  public int uprightHeight() {
    return orientation >= 5 ? width : height;
  }
}
