package dev.imgclass.core;

/**
 * A picture refused because its header declares more pixels than the limit, before any pixel was
 * decoded: too large rather than broken (a server answers 413 for it, not 400).
 */
public final class ImageTooLargeException extends ImgclassException {
  private static final long serialVersionUID = 1L;

  public ImageTooLargeException(String message) {
    super(message);
  }
}
