package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  static Net net() {
    ModelSpec spec = new ModelSpec("resnet20", List.of("a", "b"), 1, 8, List.of(0.5), List.of(0.5));
    return ModelRegistry.create(spec, 5);
  }

  static TrainConfig cfg(String optimizer, double wd) {
    TrainConfig.Builder b = TrainConfig.builder();
    b.optimizer = optimizer;
    b.weightDecay = wd;
    return b.build();
  }

  /** Sets every trainable gradient to a constant and returns (weight, bias) of fc before. */
  static void constantGrads(Net net, float g) {
    try (PointerScope s = new PointerScope()) {
      Tensor loss = null;
      for (ParamStore.Entry e : net.params().entries()) {
        if (!e.trainable()) continue;
        Tensor term = e.tensor().sum().mul(Tensors.scalar(g));
        loss = loss == null ? term : loss.add(term);
      }
      loss.backward();
    }
  }

  @Test
  void sgd_with_nesterov_matches_pytorchs_update_over_two_steps() {
    Net net = net();
    Optimizer opt = Optimizer.create(cfg("sgd", 0.1), net.params());
    ParamStore.Entry w = net.params().get("fc.weight").orElseThrow();
    ParamStore.Entry b = net.params().get("fc.bias").orElseThrow();
    float w0 = Tensors.toFloats(w.tensor())[0];
    float b0 = Tensors.toFloats(b.tensor())[0];
    double lr = 0.5;
    double m = 0.9;
    // by hand: g' = g + wd p (weights only); buf = m buf + g'; p -= lr (g' + m buf)
    double pw = w0;
    double pb = b0;
    double bufW = 0;
    double bufB = 0;
    for (int step = 0; step < 2; step++) {
      constantGrads(net, 1f);
      try (PointerScope s = new PointerScope()) {
        opt.step(lr);
      }
      opt.zeroGrad();
      double gw = 1 + 0.1 * pw;
      bufW = m * bufW + gw;
      pw -= lr * (gw + m * bufW);
      bufB = m * bufB + 1; // no decay on biases
      pb -= lr * (1 + m * bufB);
    }
    assertThat(Tensors.toFloats(w.tensor())[0]).isCloseTo((float) pw, within(1e-5f));
    assertThat(Tensors.toFloats(b.tensor())[0]).isCloseTo((float) pb, within(1e-5f));
    assertThat(opt.steps()).isEqualTo(2);
  }

  @Test
  void adamw_first_step_moves_each_weight_by_lr_against_the_gradient_sign() {
    Net net = net();
    Optimizer opt = Optimizer.create(cfg("adamw", 0.0), net.params());
    ParamStore.Entry w = net.params().get("fc.weight").orElseThrow();
    float[] before = Tensors.toFloats(w.tensor());
    constantGrads(net, 3f);
    try (PointerScope s = new PointerScope()) {
      opt.step(0.01);
    }
    float[] after = Tensors.toFloats(w.tensor());
    for (int i = 0; i < before.length; i++)
      assertThat(after[i] - before[i]).isCloseTo(-0.01f, within(1e-6f));
  }

  @Test
  void optimizer_state_round_trips_through_its_tensor_map() {
    Net net = net();
    Optimizer a = Optimizer.create(cfg("sgd", 0.0), net.params());
    constantGrads(net, 2f);
    try (PointerScope s = new PointerScope()) {
      a.step(0.1);
    }
    Optimizer b = Optimizer.create(cfg("sgd", 0.0), net.params());
    b.loadState(a.state());
    assertThat(b.steps()).isEqualTo(1);
    assertThat(b.state().get("momentum_buffer.fc.bias").toFloats())
        .containsExactly(a.state().get("momentum_buffer.fc.bias").toFloats());
    assertThat(a.state().get("momentum_buffer.fc.bias").toFloats()[0]).isEqualTo(2f);
  }

  @Test
  void gradient_clipping_scales_the_global_norm_down_to_the_limit() {
    Net net = net();
    Optimizer opt = Optimizer.create(cfg("sgd", 0.0), net.params());
    constantGrads(net, 1f);
    double norm = opt.clipGradNorm(1.0);
    assertThat(norm).isCloseTo(Math.sqrt(net.paramCount()), within(1e-2));
    assertThat(opt.clipGradNorm(0)).isCloseTo(1.0, within(1e-4));
  }

  /** One step of {@code opt} with every trainable gradient set to {@code g}. */
  static void stepWith(Optimizer opt, Net net, float g, double lr) {
    constantGrads(net, g);
    try (PointerScope s = new PointerScope()) {
      opt.step(lr);
    }
    opt.zeroGrad();
  }

  @Test
  void adamw_with_weight_decay_matches_pytorchs_update_over_three_steps() {
    Net net = net();
    double wd = 0.2;
    double lr = 0.05;
    Optimizer opt = Optimizer.create(cfg("adamw", wd), net.params());
    ParamStore.Entry w = net.params().get("fc.weight").orElseThrow();
    ParamStore.Entry b = net.params().get("fc.bias").orElseThrow();
    double pw = Tensors.toFloats(w.tensor())[0];
    double pb = Tensors.toFloats(b.tensor())[0];
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    // by hand, PyTorch's AdamW: p *= 1 - lr wd (weights only); m = b1 m + (1 - b1) g;
    // v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    double mw = 0;
    double vw = 0;
    double mb = 0;
    double vb = 0;
    float[] grads = {1f, 3f, -2f};
    for (int t = 1; t <= grads.length; t++) {
      double g = grads[t - 1];
      stepWith(opt, net, grads[t - 1], lr);
      double bc1 = 1 - Math.pow(b1, t);
      double bc2 = 1 - Math.pow(b2, t);
      pw *= 1 - lr * wd;
      mw = b1 * mw + (1 - b1) * g;
      vw = b2 * vw + (1 - b2) * g * g;
      pw -= lr / bc1 * mw / (Math.sqrt(vw) / Math.sqrt(bc2) + eps);
      mb = b1 * mb + (1 - b1) * g; // no decay on biases
      vb = b2 * vb + (1 - b2) * g * g;
      pb -= lr / bc1 * mb / (Math.sqrt(vb) / Math.sqrt(bc2) + eps);
    }
    assertThat(Tensors.toFloats(w.tensor())[0]).isCloseTo((float) pw, within(1e-6f));
    assertThat(Tensors.toFloats(b.tensor())[0]).isCloseTo((float) pb, within(1e-6f));
    assertThat(opt.state().get("exp_avg.fc.weight").toFloats()[0])
        .isCloseTo((float) mw, within(1e-6f));
    assertThat(opt.state().get("exp_avg_sq.fc.weight").toFloats()[0])
        .isCloseTo((float) vw, within(1e-6f));
    assertThat(opt.steps()).isEqualTo(3);
  }

  /**
   * Two steps, then the state is saved and loaded into a fresh optimizer that takes the third: the
   * weights equal three steps of one optimizer exactly.
   */
  static void assertStateRoundTripContinuesIdentically(TrainConfig cfg) {
    Net straight = net();
    Optimizer a = Optimizer.create(cfg, straight.params());
    Net resumed = net();
    Optimizer before = Optimizer.create(cfg, resumed.params());
    float[] grads = {1f, 3f, -2f};
    for (int t = 0; t < 3; t++) stepWith(a, straight, grads[t], 0.05);
    for (int t = 0; t < 2; t++) stepWith(before, resumed, grads[t], 0.05);
    Optimizer after = Optimizer.create(cfg, resumed.params());
    after.loadState(before.state());
    stepWith(after, resumed, grads[2], 0.05);
    for (String name : new String[] {"fc.weight", "fc.bias", "conv1.weight"}) {
      assertThat(Tensors.toFloats(resumed.params().get(name).orElseThrow().tensor()))
          .as(name)
          .containsExactly(Tensors.toFloats(straight.params().get(name).orElseThrow().tensor()));
    }
    assertThat(after.steps()).isEqualTo(3);
  }

  @Test
  void adamw_state_saved_and_loaded_continues_exactly_as_without_the_break() {
    assertStateRoundTripContinuesIdentically(cfg("adamw", 0.2));
  }

  @Test
  void sgd_momentum_state_saved_and_loaded_continues_exactly_as_without_the_break() {
    assertStateRoundTripContinuesIdentically(cfg("sgd", 0.1));
  }

  @Test
  void a_state_from_another_optimizer_is_refused_by_name() {
    Net net = net();
    Optimizer sgd = Optimizer.create(cfg("sgd", 0.1), net.params());
    Optimizer adamw = Optimizer.create(cfg("adamw", 0.1), net.params());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> adamw.loadState(sgd.state()))
        .hasMessageContaining("optimizer state lacks exp_avg.");
  }
}
