package dev.imgclass.cli;

/** The one description of what {@code --data} (or a DATA parameter) accepts, for every command. */
final class DataHelp {
  static final String FORMS =
      "fashion-mnist ($IMGCLASS_DATA or Debian's dataset-fashion-mnist), a folder of IDX files, an"
          + " image folder (one sub-folder per class, optionally under train/ val/ test/), a CSV"
          + " manifest (path,label[,split]) or synthetic:N[:CLASSES] (generated images).";

  private DataHelp() {}
}
