package dev.imgclass.cli;

import dev.imgclass.core.Images;
import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.runtime.Classifier;
import dev.imgclass.runtime.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code imgclass predict}: top-k classes of image files, through the model's preprocessing. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description =
        "Classify PNG/JPEG/BMP/GIF images (files or folders) with a run directory or .onnx model.")
final class PredictCommand implements Callable<Integer> {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");

  @Mixin ModelOptions model = new ModelOptions();

  @Parameters(
      arity = "1..*",
      paramLabel = "IMAGE",
      description = "Image files or folders of images.")
  List<Path> images;

  @Option(
      names = "--top-k",
      defaultValue = "3",
      description = "Classes to show per image (default: 3).")
  int topK;

  @Option(names = "--json", description = "Print one JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (topK < 1) throw new ImgclassException("--top-k must be at least 1, got " + topK);
    List<Path> files = expand(images);
    List<Map<String, Object>> results = new ArrayList<>();
    int failed = 0;
    try (Classifier c = model.open()) {
      for (Path f : files) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file", f.toString());
        try {
          List<Prediction> top = c.classify(Images.decode(f), topK);
          row.put("predictions", top);
          if (!json) System.out.println(f + "  " + format(top));
        } catch (ImgclassException e) {
          failed++;
          row.put("error", e.getMessage());
          System.err.println("error: " + e.getMessage());
        }
        results.add(row);
      }
    }
    if (json)
      System.out.println(Json.write(Map.of("model", model.model.toString(), "results", results)));
    return failed == 0 ? Main.OK : Main.PROBLEMS;
  }

  static String format(List<Prediction> top) {
    StringBuilder sb = new StringBuilder();
    for (Prediction p : top) {
      if (sb.length() > 0) sb.append("  ");
      sb.append(String.format(Locale.ROOT, "%s %.1f%%", p.label(), 100 * p.probability()));
    }
    return sb.toString();
  }

  static List<Path> expand(List<Path> args) {
    List<Path> out = new ArrayList<>();
    for (Path p : args) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(Files::isRegularFile).filter(PredictCommand::isImage).sorted().forEach(out::add);
        } catch (IOException e) {
          throw new ImgclassException("cannot list " + p + ": " + e.getMessage());
        }
      } else {
        out.add(p);
      }
    }
    if (out.isEmpty()) throw new ImgclassException("no images found in " + args);
    return out;
  }

  static boolean isImage(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return !n.startsWith(".")
        && dot > 0
        && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
