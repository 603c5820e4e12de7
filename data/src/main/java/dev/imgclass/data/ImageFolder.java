package dev.imgclass.data;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds the labelled image files of a folder dataset: one sub-folder per class (nested folders
 * inside a class count for it), either directly under the root or under {@code train/}, {@code
 * val/} (or {@code valid/}, {@code validation/}) and {@code test/}. Classes are the sorted names of
 * the training class folders. Hidden files and folders and files without an image extension
 * (case-insensitive) are skipped and counted; symbolic links are followed, and a link that loops is
 * skipped and counted rather than followed for ever.
 */
public final class ImageFolder {
  /** Extensions read as images (lower case). */
  public static final Set<String> EXTENSIONS =
      Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "wbmp");

  private static final int MAX_DEPTH = 32;

  private ImageFolder() {}

  /**
   * The files of one dataset, by split.
   *
   * @param root the folder or manifest the user named
   * @param classes sorted class names
   * @param splits {@code train} always; {@code val} and {@code test} when present
   */
  public record Index(
      Path root, List<String> classes, Map<String, List<FileDataset.Entry>> splits) {
    public List<FileDataset.Entry> split(String name) {
      return splits.getOrDefault(name, List.of());
    }
  }

  /** True when {@code dir} looks like an image folder (has sub-folders). */
  public static boolean looksLikeFolder(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> Files.isDirectory(p) && !hidden(p));
    } catch (IOException e) {
      return false;
    }
  }

  public static Index scan(Path root, DataIssues issues) {
    if (!Files.isDirectory(root)) throw new ImgclassException("not a folder: " + root);
    Map<String, Path> splitDirs = splitFolders(root);
    Map<String, List<FileDataset.Entry>> splits = new LinkedHashMap<>();
    List<String> classes;
    if (splitDirs.containsKey("train")) {
      classes = classFolders(splitDirs.get("train"), issues);
      for (var e : splitDirs.entrySet()) {
        List<String> here =
            e.getKey().equals("train") ? classes : classFolders(e.getValue(), issues);
        Set<String> unknown = new TreeSet<>(here);
        unknown.removeAll(classes);
        if (!unknown.isEmpty()) {
          throw new ImgclassException(
              e.getValue()
                  + " has class folders that "
                  + splitDirs.get("train")
                  + " lacks: "
                  + String.join(", ", unknown));
        }
        splits.put(
            e.getKey(),
            entries(e.getValue(), here, classes, root, issues, e.getKey().equals("train")));
      }
    } else {
      classes = classFolders(root, issues);
      splits.put("train", entries(root, classes, classes, root, issues, true));
    }
    return new Index(root, classes, splits);
  }

  private static Map<String, Path> splitFolders(Path root) {
    Map<String, Path> out = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.sorted().toList()) {
        if (!Files.isDirectory(p) || hidden(p)) continue;
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        String split =
            switch (n) {
              case "train", "training" -> "train";
              case "val", "valid", "validation" -> "val";
              case "test", "testing" -> "test";
              default -> null;
            };
        if (split != null) out.putIfAbsent(split, p);
      }
    } catch (IOException e) {
      throw new ImgclassException("cannot list " + root + ": " + e.getMessage());
    }
    if (!out.isEmpty() && !out.containsKey("train")) {
      throw new ImgclassException(
          root + " has " + String.join("/", out.keySet()) + " folders but no train/ folder");
    }
    return out;
  }

  private static List<String> classFolders(Path dir, DataIssues issues) {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        if (hidden(p)) {
          issues.skip("hidden");
        } else if (Files.isDirectory(p)) {
          names.add(p.getFileName().toString());
        } else {
          issues.skip("outside-class-folder");
        }
      }
    } catch (IOException e) {
      throw new ImgclassException("cannot list " + dir + ": " + e.getMessage());
    }
    names.sort(null);
    return names;
  }

  private static List<FileDataset.Entry> entries(
      Path dir,
      List<String> here,
      List<String> classes,
      Path root,
      DataIssues issues,
      boolean requireImages) {
    List<FileDataset.Entry> out = new ArrayList<>();
    for (String cls : here) {
      int label = classes.indexOf(cls);
      Path classDir = dir.resolve(cls);
      List<FileDataset.Entry> found = new ArrayList<>();
      walk(classDir, root, label, found, issues);
      if (found.isEmpty() && requireImages) {
        throw new ImgclassException(
            "class folder '"
                + cls
                + "' ("
                + classDir
                + ") has no images: add images or remove the folder");
      }
      out.addAll(found);
    }
    if (requireImages && classes.size() < 2) {
      throw new ImgclassException(
          dir
              + " has "
              + (classes.isEmpty()
                  ? "no class folders"
                  : "only one class folder (" + classes.get(0) + ")")
              + ": a classifier needs at least two classes, one sub-folder each");
    }
    return out;
  }

  private static void walk(
      Path classDir, Path root, int label, List<FileDataset.Entry> out, DataIssues issues) {
    try {
      Files.walkFileTree(
          classDir,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          MAX_DEPTH,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
              if (!d.equals(classDir) && hidden(d)) {
                issues.skip("hidden");
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
              if (hidden(f)) {
                issues.skip("hidden");
              } else if (a.isDirectory()) {
                issues.skip("too-deep");
              } else if (!isImageName(f)) {
                issues.skip("not-an-image");
              } else if (a.isRegularFile()) {
                out.add(new FileDataset.Entry(f, relative(root, f), label, a.size()));
              } else {
                issues.skip("not-a-file");
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
              if (e instanceof FileSystemLoopException) {
                issues.skip("symlink-loop");
              } else if (!Files.exists(f)) {
                issues.skip("broken-link");
              } else {
                issues.bad(
                    relative(root, f), "unreadable", "cannot read " + f + ": " + e.getMessage());
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + classDir + ": " + e.getMessage());
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
  }

  static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  public static boolean isImageName(Path f) {
    String n = f.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  static String relative(Path root, Path f) {
    try {
      return root.relativize(f).toString();
    } catch (IllegalArgumentException e) {
      return f.toString();
    }
  }
}
