package dev.imgclass.train.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.runtime.OnnxClassifier;
import dev.imgclass.runtime.OnnxOptions;
import dev.imgclass.train.engine.Engine;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.export.OnnxExporter;
import dev.imgclass.train.models.ChannelGroup;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import dev.imgclass.train.models.Weights;
import dev.imgclass.train.training.Loss;
import dev.imgclass.train.training.RunAssembly;
import dev.imgclass.train.training.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PruneTest {
  @TempDir Path dir;

  @BeforeAll
  static void threads() {
    Engine.threads(2);
  }

  static Stream<String> names() {
    return ModelRegistry.entries().stream().map(ModelRegistry.Entry::name);
  }

  static final List<String> CLASSES = IntStream.range(0, 10).mapToObj(i -> "c" + i).toList();
  static final List<Double> GRAY = List.of(0.3, 0.3, 0.3);

  /** 32 px, 3 channels, 10 classes: small enough for every architecture (Bottleneck included). */
  static ModelSpec spec(String name) {
    return new ModelSpec(name, CLASSES, 3, 32, GRAY, GRAY);
  }

  /**
   * A model as after training: BN running statistics from a few batches, BN scales and shifts
   * perturbed, so that every term of the surgery shows in the logits.
   */
  static Net trainedLooking(String name) {
    Net net = ModelRegistry.create(spec(name), 11);
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      torch.manual_seed(3);
      Tensor batch = torch.randn(4, 3, 32, 32);
      for (int i = 0; i < 2; i++) net.forward(batch, true);
      for (ParamStore.Entry e : net.params().entries()) {
        if (e.name().matches(".*(bn\\d|\\.1)\\.(weight|bias)"))
          e.tensor().add_(torch.rand_like(e.tensor()).sub(Tensors.scalar(0.5)));
        // MobileNetV3's head starts at N(0, 0.01): logits of ~0.01 would hide any error
        if (e.name().startsWith("classifier.") && e.name().endsWith("weight"))
          e.tensor().mul_(Tensors.scalar(30));
      }
    }
    return net;
  }

  static float[] logits(Net net, long seed) {
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      torch.manual_seed(seed);
      return Tensors.toFloats(net.forward(torch.randn(4, 3, 32, 32), false));
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  /** Every group keeps a seeded random half (at least one channel) of its channels. */
  static Pruner.Plan halfPlan(Net net, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, int[]> keep = new LinkedHashMap<>();
    for (ChannelGroup g : net.channelGroups()) {
      List<Integer> all = new ArrayList<>(IntStream.range(0, g.width()).boxed().toList());
      java.util.Collections.shuffle(all, new java.util.Random(rng.nextLong()));
      keep.put(
          g.name(),
          all.subList(0, Math.max(1, g.width() / 2)).stream().mapToInt(i -> i).sorted().toArray());
    }
    return new Pruner.Plan(keep, 0.5);
  }

  /**
   * Makes the channels {@code plan} removes exactly zero where their consumers read them: the
   * producer's filters and its norm's scale and shift are zeroed (so BN, then the activation, give
   * 0), and so is the norm of a depthwise unit in the group.
   */
  static void zeroRemoved(Net net, Pruner.Plan plan) {
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      for (ChannelGroup group : net.channelGroups()) {
        boolean[] removed = new boolean[group.width()];
        Arrays.fill(removed, true);
        for (int c : plan.keep().get(group.name())) removed[c] = false;
        for (ChannelGroup.Slice slice : group.slices()) {
          boolean output = slice.dim() == 0 && !slice.tensor().contains(".fc2.");
          boolean zeroed =
              slice.tensor().endsWith(".weight") && output
                  || slice.tensor().endsWith(".bias") && output;
          if (!zeroed || slice.tensor().endsWith("running_mean")) continue;
          Tensor t = net.params().get(slice.tensor()).orElseThrow().tensor();
          for (int c = 0; c < removed.length; c++) {
            if (removed[c]) t.select(0, c).zero_();
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"resnet20", "se_resnet20", "resnet50", "mobilenetv3_small_100"})
  void removing_channels_that_are_already_zero_leaves_the_logits_unchanged(String name) {
    Net net = trainedLooking(name);
    Pruner.Plan plan = halfPlan(net, 5);
    zeroRemoved(net, plan);
    float[] before = logits(net, 9);
    Net pruned = Pruner.apply(net, plan);
    assertThat(pruned.paramCount()).isLessThan(net.paramCount());
    assertThat(pruned.macs()).isLessThan(net.macs());
    double scale = Arrays.stream(toDoubles(before)).map(Math::abs).max().orElse(0);
    assertThat(scale).as("logits must not be trivially zero").isGreaterThan(0.1);
    assertThat(maxAbsDiff(logits(pruned, 9), before)).as(name).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void removing_channels_that_are_not_zero_changes_the_logits() {
    Net net = trainedLooking("resnet20");
    Pruner.Plan plan = halfPlan(net, 5);
    float[] before = logits(net, 9);
    assertThat(maxAbsDiff(logits(Pruner.apply(net, plan), 9), before)).isGreaterThan(1e-3);
  }

  @ParameterizedTest
  @MethodSource("names")
  void every_group_of_every_architecture_indexes_its_channels_in_every_tensor_it_names(
      String name) {
    Net net = ModelRegistry.create(spec(name), 1);
    List<ChannelGroup> groups = net.channelGroups();
    assertThat(groups).as(name + " has prunable groups").isNotEmpty();
    for (ChannelGroup g : groups) {
      for (ChannelGroup.Slice s : g.slices()) {
        Tensor t = net.params().get(s.tensor()).orElseThrow().tensor();
        assertThat(t.size(s.dim())).as(s.tensor() + " dim " + s.dim()).isEqualTo(g.width());
      }
    }
    Net pruned = Pruner.apply(net, halfPlan(net, 2));
    assertThat(logits(pruned, 1)).hasSize(40).doesNotContain(Float.NaN);
    for (ChannelGroup g : pruned.channelGroups())
      assertThat(g.width()).isEqualTo(Math.max(1, widthOf(groups, g.name()) / 2));
  }

  private static int widthOf(List<ChannelGroup> groups, String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow().width();
  }

  @Test
  void each_residual_stream_is_pruned_as_one_group_from_its_writers_to_its_readers() {
    Net net = ModelRegistry.create(spec("resnet20"), 1);
    Net pruned = Pruner.apply(net, halfPlan(net, 2));
    Map<String, Integer> w = new LinkedHashMap<>();
    for (ChannelGroup g : pruned.channelGroups()) w.put(g.name(), g.width());
    assertThat(w)
        .containsEntry("layer1", 8)
        .containsEntry("layer2", 16)
        .containsEntry("layer3", 32);
    for (ParamStore.Entry e : pruned.params().entries()) {
      long[] shape = Tensors.shape(e.tensor());
      String n = e.name();
      if (shape.length == 0) continue; // num_batches_tracked
      // everything summed into a stream (the stem for layer1) has the stream's width
      if (n.matches("(conv1|bn1)\\..*")) assertThat(shape[0]).as(n).isEqualTo(8L);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("layer(\\d)\\.\\d\\.(conv2|bn2|downsample\\.\\d)\\..*")
              .matcher(n);
      if (m.matches()) assertThat((int) shape[0]).as(n).isEqualTo(w.get("layer" + m.group(1)));
    }
    // the readers: the next stage's first block and projection, and the classifier
    assertThat(shapeOf(pruned, "layer3.0.conv1.weight")[1]).isEqualTo(16L);
    assertThat(shapeOf(pruned, "layer3.0.downsample.0.weight")[1]).isEqualTo(16L);
    assertThat(shapeOf(pruned, "layer1.0.conv1.weight")[1]).isEqualTo(8L);
    assertThat(shapeOf(pruned, "fc.weight")[1]).isEqualTo(32L);
  }

  @Test
  void a_projection_shortcut_stays_a_projection_when_pruning_makes_the_widths_equal() {
    // resnet50: stem 64 -> layer1 stream 256 through a 1x1 projection; at 64 and 64 the shapes
    // match, and the block must still be the one that was trained, with its projection
    ModelSpec s = spec("resnet50").withWidths(Map.of("conv1", 64, "layer1", 64));
    Net net = ModelRegistry.create(s, 1);
    assertThat(net.params().get("layer1.0.downsample.0.weight")).isPresent();
    assertThat(shapeOf(net, "layer1.0.downsample.0.weight")).containsExactly(64, 64, 1, 1);
    assertThat(net.channelGroups().get(0).name()).isEqualTo("conv1");
    assertThat(logits(net, 1)).doesNotContain(Float.NaN);
  }

  @Test
  void groups_no_3x3_convolution_reads_keep_the_alignment_of_their_width() {
    Net net = ModelRegistry.create(spec("mobilenetv3_small_100"), 1);
    Map<String, Integer> before = new LinkedHashMap<>();
    for (ChannelGroup g : net.channelGroups()) before.put(g.name(), g.width());
    ChannelGroup g72 = group(net, 72);
    ChannelGroup g96 = group(net, 96);
    assertThat(List.of(g72.prunedTo(50, 1), g72.prunedTo(5, 1), g72.prunedTo(72, 1)))
        .containsExactly(48, 8, 72);
    assertThat(List.of(g96.prunedTo(50, 1), g96.prunedTo(40, 1), g96.prunedTo(3, 1)))
        .containsExactly(48, 32, 16);
    Net pruned = Pruner.prune(net, 0.7, Criterion.L1).net();
    assertThat(pruned.macs()).isLessThanOrEqualTo((long) (0.7 * net.macs()));
    for (ChannelGroup g : pruned.channelGroups()) {
      int align = Math.min(16, Integer.lowestOneBit(before.get(g.name())));
      assertThat(g.width() % align).as(g.name() + " at " + g.width()).isZero();
    }
  }

  private static ChannelGroup group(Net net, int width) {
    return net.channelGroups().stream().filter(g -> g.width() == width).findFirst().orElseThrow();
  }

  private static long[] shapeOf(Net net, String name) {
    return Tensors.shape(net.params().get(name).orElseThrow().tensor());
  }

  @ParameterizedTest
  @ValueSource(strings = {"l1", "bn-gamma"})
  void resnet20_at_half_the_macs_has_at_most_half_fewer_parameters_and_reloads(String criterion) {
    Net net = trainedLooking("resnet20");
    Pruner.Result r = Pruner.prune(net, 0.5, Criterion.parse(criterion));
    Net pruned = r.net();
    // the bisection only accepts shares whose MACs are at or below the target: no tolerance
    assertThat(pruned.macs()).isLessThanOrEqualTo(net.macs() / 2).isEqualTo(r.macsAfter());
    assertThat(pruned.macs()).as("close to the target").isGreaterThan((long) (0.45 * net.macs()));
    for (ChannelGroup g : pruned.channelGroups())
      assertThat(g.allowed(g.width())).isEqualTo(g.width());
    assertThat(pruned.paramCount()).isLessThan(net.paramCount());
    assertThat(pruned.spec().widths()).containsKeys("layer1", "layer1.0.conv1");
    Path file = dir.resolve("w.safetensors");
    Weights.save(pruned, file);
    Net again = ModelRegistry.create(pruned.spec(), 0);
    Weights.load(again, file);
    for (ParamStore.Entry e : pruned.params().entries())
      assertThat(Tensors.shape(again.params().get(e.name()).orElseThrow().tensor()))
          .isEqualTo(Tensors.shape(e.tensor()));
    assertThat(maxAbsDiff(logits(again, 4), logits(pruned, 4))).isZero();
  }

  @Test
  void bn_gamma_removes_the_channels_whose_scale_is_smallest() {
    assertThat(Pruner.ranked(new float[] {0.5f, 0f, 2f, 0.5f})).containsExactly(2, 0, 3, 1);
    Net net = trainedLooking("resnet20");
    Pruner.Plan plan = halfPlan(net, 7);
    zeroRemoved(net, plan);
    float[] before = logits(net, 3);
    Pruner.Result r = Pruner.prune(net, 0.5, Criterion.BN_GAMMA);
    for (ChannelGroup g : net.channelGroups()) {
      int[] zeroKept = plan.keep().get(g.name());
      int[] kept = r.plan().keep().get(g.name());
      // at a share of about one half the kept channels are the nonzero ones, give or take one
      assertThat(Arrays.stream(kept).filter(c -> Arrays.binarySearch(zeroKept, c) < 0).count())
          .as(g.name())
          .isLessThanOrEqualTo(Math.max(0, kept.length - zeroKept.length));
    }
    assertThat(before).isNotEmpty();
  }

  @Test
  void taylor_scores_channels_that_are_all_zero_at_zero_and_prunes_them_first() {
    Net net = trainedLooking("resnet20");
    Pruner.Plan plan = halfPlan(net, 5);
    zeroRemoved(net, plan);
    float[] before = logits(net, 3);
    TrainConfig.Builder b = TrainConfig.builder();
    b.augment = "none";
    b.batchSize = 16;
    TrainConfig cfg = b.build();
    dev.imgclass.data.Dataset train =
        dev.imgclass.data.DataSources.open(
                "synthetic:80", dev.imgclass.data.DataSources.Load.of(net.spec()))
            .train();
    Map<String, float[]> scores;
    try (dev.imgclass.data.BatchLoader loader =
        RunAssembly.loader(
            cfg,
            train,
            net.spec(),
            dev.imgclass.data.augment.Augmentation.parse("none"),
            0,
            new dev.imgclass.data.DataIssues())) {
      scores = TaylorScores.of(net, loader, new Loss(0, 10), 3);
    }
    int live = 0;
    int keptTotal = 0;
    for (ChannelGroup g : net.channelGroups()) {
      float[] sc = scores.get(g.name());
      int[] kept = plan.keep().get(g.name());
      for (int c = 0; c < g.width(); c++) {
        if (Arrays.binarySearch(kept, c) >= 0) {
          // a kept channel that ReLU zeroes on every image is dead too: score 0 is right
          assertThat(sc[c]).as(g.name() + " channel " + c).isGreaterThanOrEqualTo(0f);
          live += sc[c] > 0 ? 1 : 0;
          keptTotal++;
        } else assertThat(sc[c]).as(g.name() + " channel " + c).isZero();
      }
    }
    assertThat(live).isGreaterThan(keptTotal * 3 / 4);
    // no weight changed, and no gradient is left behind
    assertThat(maxAbsDiff(logits(net, 3), before)).isZero();
    for (ParamStore.Entry e : net.params().entries()) {
      Tensor grad = e.tensor().grad();
      if (grad.defined()) assertThat(grad.abs().max().item_double()).as(e.name()).isZero();
    }
    // pruning by these scores removes the zeroed channels first
    Pruner.Result r = Pruner.prune(net, 0.5, scores, false);
    for (ChannelGroup g : net.channelGroups()) {
      int[] kept = r.plan().keep().get(g.name());
      int[] nonzero = plan.keep().get(g.name());
      long zeroKept = Arrays.stream(kept).filter(c -> Arrays.binarySearch(nonzero, c) < 0).count();
      assertThat(zeroKept).as(g.name()).isEqualTo(Math.max(0, kept.length - nonzero.length));
    }
    assertThat(r.net().macs()).isLessThanOrEqualTo(net.macs() / 2);
  }

  @Test
  void a_pruned_model_exports_to_onnx_with_logits_within_1e_4() throws Exception {
    Net net = trainedLooking("mobilenetv3_small_100");
    Net pruned = Pruner.prune(net, 0.7, Criterion.L1).net();
    Path file = dir.resolve("pruned.onnx");
    OnnxExporter.export(pruned, Map.of("seed", 11), file);
    float[] x;
    float[] expected;
    try (PointerScope s = new PointerScope();
        NoGradGuard g = new NoGradGuard()) {
      torch.manual_seed(8);
      Tensor in = torch.randn(16, 3, 32, 32);
      x = Tensors.toFloats(in);
      expected = Tensors.toFloats(pruned.forward(in, false));
    }
    try (OnnxClassifier c = OnnxClassifier.open(file, OnnxOptions.cpu(2))) {
      float[][] got = c.logits(x, 16);
      float[] flat = new float[expected.length];
      for (int i = 0; i < 16; i++) System.arraycopy(got[i], 0, flat, i * 10, 10);
      assertThat(maxAbsDiff(flat, expected)).isLessThanOrEqualTo(1e-4);
      assertThat(c.spec()).isEqualTo(pruned.spec());
      assertThat(c.spec().widths()).isNotEmpty();
    }
    assertThat(java.nio.file.Files.size(file)).isPositive();
  }

  /**
   * The engine fact behind {@link ChannelGroup#allowed}: a 3×3 FP32 convolution is right from every
   * width the pruner leaves a group that feeds one (it was wrong from 17, 24, 31, ... input
   * channels). Compared with the same convolution in double precision.
   */
  @Test
  void a_3x3_convolution_is_exact_from_every_width_the_pruner_may_leave() {
    for (int in : new int[] {1, 3, 7, 8, 12, 15, 16, 32, 48, 64, 80}) {
      try (PointerScope s = new PointerScope();
          NoGradGuard g = new NoGradGuard()) {
        torch.manual_seed(in);
        Tensor x = torch.randn(4, in, 14, 14);
        Tensor w = torch.randn(32, in, 3, 3);
        long[] one = {1, 1};
        Tensor z = torch.conv2d(x, w, new org.bytedeco.pytorch.TensorOptional(), one, one, one, 1);
        Tensor zd =
            torch.conv2d(
                x.to(torch.ScalarType.Double),
                w.to(torch.ScalarType.Double),
                new org.bytedeco.pytorch.TensorOptional(),
                one,
                one,
                one,
                1);
        double d = z.to(torch.ScalarType.Double).sub(zd).abs().max().item_double();
        assertThat(d).as(in + " input channels").isLessThan(1e-3);
      }
    }
    ChannelGroup g = ModelRegistry.create(spec("resnet20"), 1).channelGroups().get(8);
    assertThat(List.of(g.allowed(64), g.allowed(63), g.allowed(31), g.allowed(16), g.allowed(9)))
        .containsExactly(64, 48, 16, 16, 8);
  }

  @Test
  void a_model_pruned_for_training_keeps_16_channels_next_to_every_3x3_convolution() {
    Net net = ModelRegistry.create(spec("resnet20"), 1);
    Net pruned = Pruner.prune(net, 0.7, Criterion.L1, true).net();
    assertThat(pruned.macs()).isLessThanOrEqualTo((long) (0.7 * net.macs()));
    for (ChannelGroup g : pruned.channelGroups())
      assertThat(g.width()).as(g.name()).isGreaterThanOrEqualTo(16);
    Net half = Pruner.prune(net, 0.5, Criterion.L1, true).net();
    for (ChannelGroup g : half.channelGroups())
      assertThat(g.width()).as(g.name()).isGreaterThanOrEqualTo(16);
    // 0.4 needs 8-channel groups (the first stage has 16), whose gradients libtorch gets wrong
    assertThatThrownBy(() -> Pruner.prune(net, 0.4, Criterion.L1, true))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("choose a target above");
  }

  @Test
  void a_width_a_3x3_convolution_would_compute_wrongly_from_is_refused() {
    ModelSpec s = spec("resnet20").withWidths(Map.of("layer3.0.conv1", 24));
    assertThatThrownBy(() -> ModelRegistry.create(s, 0))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("layer3.0.conv1 24 channels");
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 1, 1.5, -0.5, Double.NaN})
  void a_target_outside_zero_one_is_refused(double target) {
    Net net = ModelRegistry.create(spec("resnet20"), 1);
    assertThatThrownBy(() -> Pruner.prune(net, target, Criterion.L1))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("(0, 1)");
  }

  @Test
  void a_target_below_what_one_channel_per_group_leaves_is_refused_with_the_floor() {
    Net net = ModelRegistry.create(spec("resnet20"), 1);
    assertThatThrownBy(() -> Pruner.prune(net, 0.01, Criterion.L1))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("choose a target above");
  }

  @Test
  void an_unknown_criterion_is_refused_naming_the_choices() {
    assertThatThrownBy(() -> Criterion.parse("random"))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("'random'")
        .hasMessageContaining("l1, bn-gamma, taylor");
  }

  @Test
  void a_width_for_a_layer_the_architecture_cannot_prune_is_refused_naming_it() {
    ModelSpec s = spec("resnet20").withWidths(Map.of("layer1.0.conv2", 8));
    assertThatThrownBy(() -> ModelRegistry.create(s, 0))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("layer1.0.conv2")
        .hasMessageContaining("layer1.0.conv1");
    // a MobileNetV3 block without an expand unit has no expansion group either
    ModelSpec m = spec("mobilenetv3_small_100").withWidths(Map.of("features.1.block.0", 8));
    assertThatThrownBy(() -> ModelRegistry.create(m, 0))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("features.1.block.0");
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
