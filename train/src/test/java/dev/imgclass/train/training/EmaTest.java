package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.Safetensors;
import dev.imgclass.core.TensorData;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmaTest {
  @TempDir Path dir;

  private static float first(Net net, String name) {
    return Tensors.toFloats(net.params().get(name).orElseThrow().tensor())[0];
  }

  private static void step(Net net, Optimizer opt) {
    OptimizerTest.constantGrads(net, 1f);
    try (PointerScope s = new PointerScope()) {
      opt.step(0.5);
    }
    opt.zeroGrad();
  }

  @Test
  void the_average_follows_the_warmed_up_decay_by_hand_over_two_steps() {
    Net net = OptimizerTest.net();
    Optimizer opt = Optimizer.create(OptimizerTest.cfg("sgd", 0.0), net.params());
    Ema ema = opt.averageWeights(net.params(), 0.99);
    double avg = first(net, "fc.weight");
    for (int n = 0; n < 2; n++) {
      double d = Math.min(0.99, (1.0 + n + 1) / (10.0 + n + 1)); // 2/11, then 3/12
      assertThat(ema.nextDecay()).isCloseTo(d, within(1e-12));
      step(net, opt);
      avg = d * avg + (1 - d) * first(net, "fc.weight");
    }
    float live = first(net, "fc.weight");
    ema.swap();
    assertThat(first(net, "fc.weight")).isCloseTo((float) avg, within(1e-6f)).isNotEqualTo(live);
    ema.swap();
    assertThat(first(net, "fc.weight")).isEqualTo(live);
  }

  @Test
  void batch_norm_statistics_are_averaged_and_integer_buffers_copied() {
    Net net = OptimizerTest.net();
    Optimizer opt = Optimizer.create(OptimizerTest.cfg("sgd", 0.0), net.params());
    Ema ema = opt.averageWeights(net.params(), 0.5);
    ParamStore.Entry mean = net.params().get("bn1.running_mean").orElseThrow();
    try (PointerScope s = new PointerScope()) {
      mean.tensor().fill_(Tensors.scalar(4.0));
    }
    step(net, opt); // d = 2/11
    float averaged = ema.withAverage(() -> Tensors.toFloats(mean.tensor())[0]);
    assertThat(averaged).isCloseTo((float) (9.0 / 11 * 4.0), within(1e-5f));
    assertThat(Tensors.toFloats(mean.tensor())[0]).isEqualTo(4.0f);
  }

  @Test
  void the_average_is_part_of_the_optimizer_state_and_loads_back() {
    Net net = OptimizerTest.net();
    Optimizer opt = Optimizer.create(OptimizerTest.cfg("sgd", 0.0), net.params());
    Ema ema = opt.averageWeights(net.params(), 0.9);
    step(net, opt);
    step(net, opt);
    Map<String, TensorData> state = opt.state();
    assertThat(state).containsKeys("ema_updates", "ema.fc.weight", "ema.bn1.running_var");

    Net other = OptimizerTest.net();
    Optimizer again = Optimizer.create(OptimizerTest.cfg("sgd", 0.0), other.params());
    Ema restored = again.averageWeights(other.params(), 0.9);
    again.loadState(state);
    assertThat(restored.updates()).isEqualTo(2);
    assertThat(restored.nextDecay()).isEqualTo(ema.nextDecay());
    ema.swap();
    restored.swap();
    assertThat(first(other, "fc.weight")).isEqualTo(first(net, "fc.weight"));

    Optimizer plain = Optimizer.create(OptimizerTest.cfg("sgd", 0.0), net.params());
    Map<String, TensorData> noAverage = plain.state();
    assertThatThrownBy(() -> again.loadState(noAverage))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("from a run without --ema");
  }

  @Test
  void a_run_saves_the_average_and_keeps_the_live_weights_in_its_checkpoint() {
    TrainConfig.Builder b = TrainerTest.quick();
    b.epochs = 2;
    b.ema = 0.9;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainRun.Result r =
        TrainRun.run(b.build(), "synthetic:300", dir, false, new PrintStream(log, true));
    assertThat(log.toString()).contains("weight average: EMA decay 0.9");
    assertThat(r.card().train()).containsEntry("ema", 0.9);
    Map<String, TensorData> saved = Safetensors.read(dir.resolve("weights.safetensors")).tensors();
    Map<String, TensorData> live =
        Safetensors.read(dir.resolve("checkpoints/last/weights.safetensors")).tensors();
    Map<String, TensorData> opt =
        Safetensors.read(dir.resolve("checkpoints/last/optimizer.safetensors")).tensors();
    float[] s = saved.get("fc.weight").toFloats();
    assertThat(s).isEqualTo(opt.get("ema.fc.weight").toFloats());
    assertThat(s).isNotEqualTo(live.get("fc.weight").toFloats());
  }

  @Test
  void bad_decays_are_refused_with_the_flag_name() {
    for (double bad : new double[] {1.0, 1.5, 0.2, -0.1}) {
      TrainConfig.Builder b = TrainConfig.builder();
      b.ema = bad;
      assertThatThrownBy(b::build)
          .isInstanceOf(ImgclassException.class)
          .hasMessageContaining("--ema must be 0 (off) or a decay in [0.5, 1)");
    }
  }
}
