package dev.imgclass.core;

/**
 * The root of every error imgclass reports to a user. Its message is one line that says what went
 * wrong and what to do about it; the CLI prints it without a stack trace.
 */
public class ImgclassException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ImgclassException(String message) {
    super(message);
  }

  public ImgclassException(String message, Throwable cause) {
    super(message, cause);
  }
}
