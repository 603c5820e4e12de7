package dev.imgclass.cli;

import dev.imgclass.data.DataSpec;

/** The one description of what {@code --data} (or a DATA parameter) accepts, for every command. */
final class DataHelp {
  /** {@link DataSpec#FORMS}, the text the data module's own errors use, as a sentence. */
  static final String FORMS = DataSpec.FORMS + ".";

  private DataHelp() {}
}
