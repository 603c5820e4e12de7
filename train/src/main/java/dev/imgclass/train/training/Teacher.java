package dev.imgclass.train.training;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelCard;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.data.Batch;
import dev.imgclass.data.Dataset;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.Weights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The frozen model a student is distilled from: a run directory (libtorch, eval mode) or an {@code
 * .onnx} file exported by imgclass (ONNX Runtime). Its logits never carry a gradient; its input is
 * the student's batch brought to its own preprocessing ({@link TeacherInput}). Identified by a
 * SHA-256 ({@link TeacherIdentity}), which a resumed run must match.
 */
final class Teacher implements AutoCloseable {
  /** Runs the teacher: its (B, C, S, S) input -> (B, K) FP32 logits, without gradient. */
  @FunctionalInterface
  interface Backend extends AutoCloseable {
    Tensor logits(Tensor input);

    @Override
    default void close() {}
  }

  private final TeacherIdentity identity;
  private final ModelSpec spec;
  private final Backend backend;
  private final TeacherInput input;
  private TeacherCache cache; // without --kd-cache: none

  Teacher(TeacherIdentity identity, ModelSpec spec, Backend backend, ModelSpec student) {
    this.identity = identity;
    this.spec = spec;
    this.backend = backend;
    this.input = new TeacherInput(student, spec);
  }

  /**
   * Opens the teacher at {@code path} for a student of spec {@code student}, refusing one trained
   * on other classes than the data's.
   *
   * @param threads intra-op threads for an ONNX teacher (libtorch's are the process's)
   */
  static Teacher open(Path path, ModelSpec student, Precision precision, int threads) {
    TeacherIdentity id = TeacherIdentity.of(path);
    if (!id.onnx()) {
      checkClasses(path, ModelCard.read(path).spec(), student); // before loading any weights
      return libtorch(id, Weights.loadModelDir(path), precision, student);
    }
    Teacher t = onnx(id, threads, student);
    try {
      checkClasses(path, t.spec, student);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static Teacher onnx(TeacherIdentity id, int threads, ModelSpec student) {
    OnnxClassifier c;
    try {
      c =
          OnnxClassifier.open(
              id.path(),
              new OnnxOptions(
                  threads, "cpu", Optional.empty(), Optional.empty(), Optional.empty()));
    } catch (ImgclassException e) {
      if (!String.valueOf(e.getMessage()).contains("no imgclass metadata")) throw e;
      throw new ImgclassException(
          "teacher "
              + id.path()
              + " has no imgclass metadata (classes, mean, std): distil from an .onnx file written"
              + " by 'imgclass export', or from its run directory");
    }
    int k = c.spec().numClasses();
    Backend b =
        new Backend() {
          @Override
          public Tensor logits(Tensor x) {
            int n = (int) x.size(0);
            float[][] rows = c.logits(Tensors.toFloats(x), n);
            float[] flat = new float[n * k];
            for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, flat, i * k, k);
            return Tensors.floats(flat, n, k);
          }

          @Override
          public void close() {
            c.close();
          }
        };
    return new Teacher(id, c.spec(), b, student);
  }

  /** A libtorch teacher: eval mode (running BN statistics, no dropout), no gradient. */
  static Teacher libtorch(TeacherIdentity id, Net net, Precision precision, ModelSpec student) {
    Backend b =
        x -> {
          try (NoGradGuard g = new NoGradGuard();
              Engine.Scope a = Engine.autocast(precision)) {
            return net.forward(Engine.layout(x), false).to(torch.ScalarType.Float);
          }
        };
    return new Teacher(id, net.spec(), b, student);
  }

  /** Refuses a teacher whose classes are not the data's, in order, naming the first difference. */
  static void checkClasses(Path path, ModelSpec teacher, ModelSpec student) {
    var t = teacher.classes();
    var s = student.classes();
    if (t.equals(s)) return;
    int i = 0;
    while (i < Math.min(t.size(), s.size()) && t.get(i).equals(s.get(i))) i++;
    String first =
        "first difference at class "
            + i
            + ": "
            + (i < t.size() ? "'" + t.get(i) + "'" : "none")
            + " in the teacher, "
            + (i < s.size() ? "'" + s.get(i) + "'" : "none")
            + " in the data";
    String lists = t.size() + s.size() <= 24 ? " (teacher " + t + ", data " + s + ")" : "";
    throw new ImgclassException(
        "teacher "
            + path
            + " was trained on other classes than the data: "
            + t.size()
            + " classes against "
            + s.size()
            + ", "
            + first
            + lists
            + "; distil from a teacher trained on the same classes");
  }

  /**
   * The teacher's (B, K) logits for a batch whose student input is {@code x}: from the cache when
   * every image of the batch is in it, else by running the teacher.
   */
  Tensor logits(Batch batch, Tensor x) {
    if (cache != null) {
      Optional<Tensor> cached = cache.lookup(batch);
      if (cached.isPresent()) return cached.get();
    }
    return backend.logits(input.apply(x));
  }

  /** Runs the teacher over the un-augmented training images once and answers from that. */
  void cache(Dataset train) {
    cache =
        TeacherCache.fill(
            train, input.student(), spec.numClasses(), x -> backend.logits(input.apply(x)));
  }

  TeacherIdentity identity() {
    return identity;
  }

  ModelSpec spec() {
    return spec;
  }

  TeacherInput input() {
    return input;
  }

  /** What {@code model.json} records of the teacher, with the run's distillation settings. */
  Map<String, Object> record(TrainConfig cfg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", identity.path().toString());
    m.put("kind", identity.onnx() ? "onnx" : "run");
    m.put("sha256", identity.sha256());
    m.put("architecture", spec.architecture());
    m.put("alpha", cfg.kdAlpha());
    m.put("temperature", cfg.kdTemperature());
    m.put("cache", cfg.kdCache());
    if (!input.identity()) m.put("input", input.describe());
    return m;
  }

  @Override
  public void close() {
    backend.close();
  }
}
