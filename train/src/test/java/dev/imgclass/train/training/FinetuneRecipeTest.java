package dev.imgclass.train.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.TensorData;
import dev.imgclass.data.Batch;
import dev.imgclass.train.engine.Precision;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** The pieces of the finetune recipe: its defaults, per-group rates, head warm-up, frozen BN. */
class FinetuneRecipeTest {
  static Net net() {
    ModelSpec spec =
        new ModelSpec("resnet20", List.of("a", "b", "c"), 1, 8, List.of(0.5), List.of(0.5));
    return ModelRegistry.create(spec, 5);
  }

  static float[] values(Net net, String name) {
    try (PointerScope s = new PointerScope()) {
      return Tensors.toFloats(net.params().get(name).orElseThrow().tensor());
    }
  }

  static TrainConfig.Builder recipe() {
    TrainConfig.Builder b = TrainConfig.builder();
    b.recipe = "finetune";
    b.initWeights = "pretrained.safetensors";
    b.epochs = 20;
    return b;
  }

  @Test
  void the_recipe_sets_head_warmup_body_rate_and_warmup_defaults_and_each_can_be_overridden() {
    TrainConfig c = recipe().build();
    assertThat(c.finetune()).isTrue();
    assertThat(c.headEpochs()).isEqualTo(2.0); // a tenth of 20 epochs
    assertThat(c.backboneLr()).isEqualTo(0.1);
    assertThat(c.warmupEpochs()).isEqualTo(2.0); // the rate ramps up over the head-only phase

    TrainConfig.Builder b = recipe();
    b.headEpochs = 0.5;
    b.backboneLr = 1.0;
    b.warmupEpochs = 1.0;
    TrainConfig o = b.build();
    assertThat(List.of(o.headEpochs(), o.backboneLr(), o.warmupEpochs()))
        .containsExactly(0.5, 1.0, 1.0);

    TrainConfig plain = TrainConfig.builder().build();
    assertThat(List.of(plain.headEpochs(), plain.backboneLr(), plain.warmupEpochs()))
        .containsExactly(0.0, 1.0, 1.0);
    assertThat(plain.recipe()).isEqualTo("none");
  }

  @Test
  void bad_recipe_settings_are_refused_with_the_flag_named() {
    TrainConfig.Builder noInit = recipe();
    noInit.initWeights = "";
    assertThatThrownBy(noInit::build)
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("--recipe finetune")
        .hasMessageContaining("--init-weights");
    TrainConfig.Builder name = TrainConfig.builder();
    name.recipe = "transfer";
    assertThatThrownBy(name::build).hasMessageContaining("--recipe must be none or finetune");
    TrainConfig.Builder head = recipe();
    head.headEpochs = 20.0;
    assertThatThrownBy(head::build).hasMessageContaining("--head-epochs must be in [0, epochs)");
    TrainConfig.Builder lr = recipe();
    lr.backboneLr = -0.1;
    assertThatThrownBy(lr::build).hasMessageContaining("--backbone-lr must be in (0, 10]");
  }

  @Test
  void the_body_moves_at_its_share_of_the_rate_and_the_head_at_the_full_rate() {
    Net net = net();
    TrainConfig.Builder b = TrainConfig.builder();
    b.momentum = 0;
    b.weightDecay = 0.0;
    Optimizer opt = Optimizer.create(b.build(), net.params(), n -> net.inBody(n) ? 0.25 : 1.0);
    float body0 = values(net, "layer2.0.conv1.weight")[3];
    float head0 = values(net, "fc.weight")[3];
    OptimizerTest.constantGrads(net, 1f);
    try (PointerScope s = new PointerScope()) {
      opt.step(0.4);
    }
    assertThat(values(net, "layer2.0.conv1.weight")[3] - body0).isCloseTo(-0.1f, within(1e-6f));
    assertThat(values(net, "fc.weight")[3] - head0).isCloseTo(-0.4f, within(1e-6f));
  }

  @Test
  void a_frozen_batch_norm_keeps_its_running_statistics_in_training_mode() {
    Net net = net();
    float[] x = new float[4 * 8 * 8];
    for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i) * 3 + 1;
    float[] mean0 = values(net, "bn1.running_mean");
    net.freeze(1); // the stem: conv1 and bn1
    try (PointerScope s = new PointerScope()) {
      net.forward(Tensors.floats(x, 4, 1, 8, 8), true);
    }
    assertThat(values(net, "bn1.running_mean")).containsExactly(mean0);
    assertThat(values(net, "layer1.0.bn1.running_mean"))
        .isNotEqualTo(new float[values(net, "layer1.0.bn1.running_mean").length]);

    net.setFrozen(0, 1, false);
    try (PointerScope s = new PointerScope()) {
      net.forward(Tensors.floats(x, 4, 1, 8, 8), true);
    }
    assertThat(values(net, "bn1.running_mean")).isNotEqualTo(mean0);
  }

  static Batch batch(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 64];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    long[] y = new long[n];
    for (int i = 0; i < n; i++) y[i] = r.nextInt(3);
    return new Batch(x, y, n, seed);
  }

  @Test
  void head_warmup_trains_only_the_head_for_its_steps_then_the_whole_network() {
    Net net = net();
    TrainConfig.Builder b = TrainConfig.builder();
    b.weightDecay = 0.0;
    Optimizer opt = Optimizer.create(b.build(), net.params());
    TrainTask task =
        new HeadWarmup(
            new ClassificationTask(net, opt, new Loss(0, 3), Precision.FP32, 0), net, opt, 0, 2);
    float[] body0 = values(net, "layer3.1.conv2.weight");
    float[] bn0 = values(net, "layer3.1.bn2.running_var");
    float[] head0 = values(net, "fc.weight");
    task.step(batch(8, 1), 0.1);
    task.step(batch(8, 2), 0.1);
    assertThat(((HeadWarmup) task).bodyFrozen()).isTrue();
    assertThat(values(net, "layer3.1.conv2.weight")).containsExactly(body0);
    assertThat(values(net, "layer3.1.bn2.running_var")).containsExactly(bn0);
    assertThat(values(net, "fc.weight")).isNotEqualTo(head0);

    task.step(batch(8, 3), 0.1);
    assertThat(((HeadWarmup) task).bodyFrozen()).isFalse();
    assertThat(values(net, "layer3.1.conv2.weight")).isNotEqualTo(body0);
    assertThat(values(net, "layer3.1.bn2.running_var")).isNotEqualTo(bn0);
  }

  @Test
  void head_warmup_phase_follows_the_restored_step_count_on_resume() {
    Net net = net();
    TrainConfig.Builder b = TrainConfig.builder();
    Optimizer opt = Optimizer.create(b.build(), net.params());
    Map<String, TensorData> state = new java.util.LinkedHashMap<>(opt.state());
    state.put("steps", TensorData.ofLongs(new long[] {5}, 1));
    opt.loadState(state);
    HeadWarmup task =
        new HeadWarmup(
            new ClassificationTask(net, opt, new Loss(0, 3), Precision.FP32, 0), net, opt, 0, 5);
    float[] body0 = values(net, "layer1.0.conv1.weight");
    task.step(batch(8, 1), 0.1);
    assertThat(task.bodyFrozen()).isFalse(); // step 6 of a 5-step warm-up: past it
    assertThat(values(net, "layer1.0.conv1.weight")).isNotEqualTo(body0);
  }

  @Test
  void adamw_counts_updates_per_parameter_so_a_body_joining_late_starts_with_a_full_step() {
    Net net = net();
    TrainConfig.Builder b = TrainConfig.builder();
    b.optimizer = "adamw";
    b.weightDecay = 0.0;
    Optimizer opt = Optimizer.create(b.build(), net.params());
    net.setFrozen(0, net.groups().size(), true);
    for (int i = 0; i < 3; i++) {
      OptimizerTest.constantGrads(net, 1f);
      try (PointerScope s = new PointerScope()) {
        opt.step(0.01);
      }
      opt.zeroGrad();
    }
    net.setFrozen(0, net.groups().size(), false);
    float body0 = values(net, "layer2.1.conv1.weight")[0];
    OptimizerTest.constantGrads(net, 1f);
    try (PointerScope s = new PointerScope()) {
      opt.step(0.01);
    }
    // its first update: bias-corrected m/sqrt(v) = 1 for a constant gradient, so lr exactly
    // (counted from the global step 4 it would be 0.01 * 0.1/(1-0.9^4) / sqrt(0.001/(1-0.999^4)))
    assertThat(values(net, "layer2.1.conv1.weight")[0] - body0).isCloseTo(-0.01f, within(1e-5f));

    Map<String, TensorData> saved = opt.state();
    assertThat(saved.get(AdamW.UPDATES).toLongs()).contains(1L, 4L);
    Optimizer again = Optimizer.create(b.build(), net.params());
    again.loadState(saved);
    assertThat(again.state().get(AdamW.UPDATES).toLongs())
        .containsExactly(saved.get(AdamW.UPDATES).toLongs());

    Map<String, TensorData> legacy = new java.util.LinkedHashMap<>(saved);
    legacy.remove(AdamW.UPDATES);
    Optimizer old = Optimizer.create(b.build(), net.params());
    old.loadState(legacy);
    assertThat(old.state().get(AdamW.UPDATES).toLongs()).containsOnly(4L);
  }

  @Test
  void only_trainable_body_tensors_count_as_body() {
    Net net = net();
    assertThat(net.inBody("conv1.weight")).isTrue();
    assertThat(net.inBody("layer3.2.bn2.bias")).isTrue();
    assertThat(net.inBody("fc.weight")).isFalse();
    assertThat(
            net.params().entries().stream()
                .filter(ParamStore.Entry::trainable)
                .filter(e -> !net.inBody(e.name()))
                .map(ParamStore.Entry::name))
        .containsExactly("fc.weight", "fc.bias");
  }
}
