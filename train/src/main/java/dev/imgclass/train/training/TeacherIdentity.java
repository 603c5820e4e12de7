package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Json;
import dev.imgclass.core.ModelCard;
import dev.imgclass.runtime.Classifiers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which teacher a run distils from. The SHA-256 covers what decides the teacher's logits: an {@code
 * .onnx} file's bytes (its metadata holds its preprocessing), or a run directory's {@code
 * weights.safetensors} followed by the JSON of its {@code model.json} spec (architecture, classes,
 * input, mean/std). A resumed run must name a teacher with the same SHA-256; the path may change.
 *
 * @param path where the teacher was read from
 * @param onnx whether it is an ONNX file (else a run directory)
 * @param sha256 lowercase hex
 */
record TeacherIdentity(Path path, boolean onnx, String sha256) {

  /** Reads and hashes the teacher at {@code path}, refusing what cannot be one. */
  static TeacherIdentity of(Path path) {
    check(path);
    boolean onnx = Files.isRegularFile(path);
    MessageDigest md = newDigest();
    if (onnx) {
      digest(md, path);
    } else {
      digest(md, path.resolve(ModelCard.WEIGHTS));
      md.update(Json.write(ModelCard.read(path).spec()).getBytes(StandardCharsets.UTF_8));
    }
    return new TeacherIdentity(path, onnx, HexFormat.of().formatHex(md.digest()));
  }

  /** Whether a path can be a teacher at all: checked before the run reads its data. */
  static void check(Path path) {
    if (!Files.exists(path))
      throw new ImgclassException(
          "teacher not found: " + path + " (give a run directory or an .onnx file)");
    boolean run =
        Files.isRegularFile(path.resolve(ModelCard.FILE))
            && Files.isRegularFile(path.resolve(ModelCard.WEIGHTS));
    if (!run && !(Files.isRegularFile(path) && Classifiers.isOnnx(path)))
      throw new ImgclassException(
          "teacher "
              + path
              + " is neither a run directory (model.json and weights.safetensors) nor an .onnx"
              + " file");
  }

  /** "run directory" or "ONNX file", for messages. */
  String kind() {
    return onnx ? "ONNX file" : "run directory";
  }

  private static void digest(MessageDigest md, Path file) {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    } catch (IOException e) {
      throw new ImgclassException("cannot read teacher file " + file + ": " + e.getMessage(), e);
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
