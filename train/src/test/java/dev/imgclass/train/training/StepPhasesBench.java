package dev.imgclass.train.training;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Where a training step's time goes (issue 15's layout question): median milliseconds of the input
 * copy, forward, loss, backward and optimizer update of ResNet-20 at batch 128, in the layout
 * {@code -Dimgclass.channelsLast} picks, FP32 and bf16. A measurement, not a test: runs only with
 * {@code -Dbench.phases=true}. The step is ClassificationTask.step's, with a clock between phases.
 */
@EnabledIfSystemProperty(named = "bench.phases", matches = "true")
class StepPhasesBench {
  static final int STEPS = Integer.getInteger("phases.steps", 40);

  @Test
  void phases() {
    Engine.threads(Integer.getInteger("phases.threads", 2));
    String model = System.getProperty("phases.model", "resnet20");
    System.out.printf(
        "%-9s %-6s %-5s %8s %8s %8s %8s %8s %8s%n",
        "model", "layout", "prec", "input", "forward", "loss", "backward", "update", "step");
    for (String p : System.getProperty("phases.precisions", "fp32,bf16").split(","))
      run(model, Precision.parse(p));
  }

  static void run(String model, Precision precision) {
    List<Double> half = List.of(0.5);
    ModelSpec spec =
        new ModelSpec(
            model, IntStream.range(0, 10).mapToObj(Integer::toString).toList(), 1, 28, half, half);
    Net net = ModelRegistry.create(spec, 42);
    Optimizer opt = Optimizer.create(TrainConfig.builder().build(), net.params());
    Loss loss = new Loss(0.1, 10);
    SplittableRandom rng = new SplittableRandom(1);
    int batch = 128;
    float[] xs = new float[batch * 28 * 28];
    for (int i = 0; i < xs.length; i++) xs[i] = (float) rng.nextGaussian();
    long[] ys = new long[batch];
    for (int i = 0; i < batch; i++) ys[i] = rng.nextInt(10);
    double[][] ms = new double[6][STEPS];
    for (int i = -5; i < STEPS; i++) {
      try (PointerScope scope = new PointerScope()) {
        long t0 = System.nanoTime();
        Tensor x = Engine.layout(Tensors.floats(xs, batch, 1, 28, 28));
        Tensor y = Tensors.longs(ys, batch);
        long t1 = System.nanoTime();
        Tensor logits;
        try (Engine.Scope a = Engine.autocast(precision)) {
          logits = net.forward(x, true);
        }
        long t2 = System.nanoTime();
        Tensor l = loss.apply(logits, y);
        l.item_double();
        long t3 = System.nanoTime();
        l.backward();
        long t4 = System.nanoTime();
        opt.step(1e-3);
        opt.zeroGrad();
        long t5 = System.nanoTime();
        if (i >= 0) {
          long[] t = {t0, t1, t2, t3, t4, t5};
          for (int k = 0; k < 5; k++) ms[k][i] = (t[k + 1] - t[k]) / 1e6;
          ms[5][i] = (t5 - t0) / 1e6;
        }
      }
    }
    if (Boolean.getBoolean("phases.series")) {
      StringBuilder ser = new StringBuilder("backward series:");
      for (double v : ms[3]) ser.append(String.format(" %.0f", v));
      System.out.println(ser);
    }
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%-9s %-6s %-5s", model, Engine.channelsLast() ? "cl" : "nchw", precision.name()));
    for (double[] m : ms) {
      Arrays.sort(m);
      sb.append(String.format(" %8.2f", m[STEPS / 2]));
    }
    System.out.println(sb);
  }
}
