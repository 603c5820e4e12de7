package dev.imgclass.train.training;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Turns the student's input batch into the teacher's, when their preprocessing differs: back to [0,
 * 1] pixels with the student's mean/std, gray to RGB (the plane copied, as {@code Images} does) or
 * RGB to gray (BT.601 luma), resized (area average when shrinking, bilinear when enlarging), then
 * normalised with the teacher's mean/std. Mean/std and channels map exactly; a resize is of the
 * student's pixels, not the teacher's own resize of the file, so it is close, not identical.
 */
final class TeacherInput {
  private final ModelSpec student;
  private final ModelSpec teacher;
  private final boolean identity;

  TeacherInput(ModelSpec student, ModelSpec teacher) {
    this.student = student;
    this.teacher = teacher;
    this.identity =
        student.inChannels() == teacher.inChannels()
            && student.inputSize() == teacher.inputSize()
            && student.mean().equals(teacher.mean())
            && student.std().equals(teacher.std());
  }

  ModelSpec student() {
    return student;
  }

  /** Whether the student's input is the teacher's as it is. */
  boolean identity() {
    return identity;
  }

  /** What is done to the batch, for the run's output; empty when nothing is. */
  String describe() {
    List<String> steps = new ArrayList<>();
    if (student.inChannels() != teacher.inChannels())
      steps.add(student.inChannels() + " -> " + teacher.inChannels() + " channels");
    if (student.inputSize() != teacher.inputSize())
      steps.add("resized " + student.inputSize() + " -> " + teacher.inputSize() + " px");
    if (!student.mean().equals(teacher.mean()) || !student.std().equals(teacher.std()))
      steps.add(
          "renormalised (mean "
              + student.mean()
              + ", std "
              + student.std()
              + " -> mean "
              + teacher.mean()
              + ", std "
              + teacher.std()
              + ")");
    return String.join(", ", steps);
  }

  /** (B, Cs, Ss, Ss) student input -> (B, Ct, St, St) teacher input, FP32. */
  Tensor apply(Tensor x) {
    if (identity) return x;
    Tensor px = x.to(torch.ScalarType.Float).mul(column(student.std())).add(column(student.mean()));
    if (student.inChannels() == 1 && teacher.inChannels() == 3) {
      px = px.repeat(1, 3, 1, 1);
    } else if (student.inChannels() == 3 && teacher.inChannels() == 1) {
      px =
          px.mul(column(List.of(0.299, 0.587, 0.114)))
              .sum(new long[] {1}, true, new ScalarTypeOptional());
    }
    int s = teacher.inputSize();
    if (s < student.inputSize()) {
      px = torch.adaptive_avg_pool2d(px, s, s);
    } else if (s > student.inputSize()) {
      px = torch.upsample_bilinear2d(px, new long[] {s, s}, false);
    }
    return px.sub(column(teacher.mean())).div(column(teacher.std()));
  }

  /** Per-channel values as a (1, C, 1, 1) tensor that broadcasts over a batch. */
  private static Tensor column(List<Double> values) {
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) v[i] = values.get(i).floatValue();
    return Tensors.floats(v, 1, v.length, 1, 1);
  }
}
