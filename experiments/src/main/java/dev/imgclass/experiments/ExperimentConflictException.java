package dev.imgclass.experiments;

import dev.imgclass.core.ImgclassException;

/** A valid experiment that cannot run now: another one runs on the same model. */
public final class ExperimentConflictException extends ImgclassException {
  private static final long serialVersionUID = 1L;

  public ExperimentConflictException(String message) {
    super(message);
  }
}
