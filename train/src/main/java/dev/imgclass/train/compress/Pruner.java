package dev.imgclass.train.compress;

import dev.imgclass.core.ImgclassException;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.train.engine.Tensors;
import dev.imgclass.train.models.ChannelGroup;
import dev.imgclass.train.models.ModelRegistry;
import dev.imgclass.train.models.Net;
import dev.imgclass.train.models.ParamStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Structured (channel) pruning, one shot: scores every channel of every {@link ChannelGroup} by a
 * {@link Criterion}, keeps the same share of each group — the largest share whose model still has
 * at most the target's multiply-accumulates, found by bisection, then topped up group by group
 * where rounding to safe widths left MACs unspent — and builds a smaller model of the same
 * architecture with those channels' weights copied in. Channels of a residual stream are coupled
 * across the blocks of a stage and are pruned as one group (see {@link ChannelGroup}); every group
 * keeps at least one channel.
 */
public final class Pruner {
  private Pruner() {}

  /** Bisection steps over the kept share: 2^-20 is far below one channel of any group. */
  private static final int STEPS = 20;

  /**
   * Which channels each group keeps.
   *
   * @param keep per group name, the kept channel indices in ascending order
   * @param share the share of each group's channels that is kept (before rounding)
   */
  public record Plan(Map<String, int[]> keep, double share) {}

  /** The pruned model and how it was made. */
  public record Result(Net net, Plan plan, long macsBefore, long macsAfter) {}

  /**
   * Prunes {@code net} to at most {@code target} (in (0, 1)) of its MACs; {@code net} is left as it
   * was.
   */
  public static Result prune(Net net, double target, Criterion criterion) {
    return prune(net, target, criterion, false);
  }

  /**
   * As {@link #prune(Net, double, Criterion)}; {@code forTraining}: the result will be trained, so
   * groups next to a 3×3 convolution keep at least {@value ChannelGroup#SAFE_SMALL} channels (see
   * {@link ChannelGroup#allowed(int, int)}).
   */
  public static Result prune(Net net, double target, Criterion criterion, boolean forTraining) {
    Map<String, float[]> scores = new LinkedHashMap<>();
    for (ChannelGroup g : net.channelGroups()) scores.put(g.name(), criterion.scores(net, g));
    return prune(net, target, scores, forTraining);
  }

  /**
   * As {@link #prune(Net, double, Criterion, boolean)}, with every group's channel scores given
   * (higher is kept first), by group name: for criteria measured on data ({@link
   * Criterion#TAYLOR}).
   */
  public static Result prune(
      Net net, double target, Map<String, float[]> scores, boolean forTraining) {
    int least = forTraining ? ChannelGroup.SAFE_SMALL : ChannelGroup.SAFE_MIN;
    if (!(target > 0 && target < 1))
      throw new ImgclassException(
          "the target must be a fraction of the MACs in (0, 1), e.g. 0.5, got " + target);
    List<ChannelGroup> groups = net.channelGroups();
    if (groups.isEmpty())
      throw new ImgclassException(
          net.spec().architecture() + " has no channel groups that can be pruned");
    Map<String, int[]> order = new LinkedHashMap<>();
    for (ChannelGroup g : groups) {
      float[] sc = scores.get(g.name());
      if (sc == null || sc.length != g.width())
        throw new IllegalStateException(
            "no scores for the " + g.width() + " channels of " + g.name());
      order.put(g.name(), ranked(sc));
    }
    long before = net.macs();
    long goal = (long) Math.floor(target * before);
    Macs macs = new Macs(net, groups);
    long floor = macs.atShare(0, least);
    if (floor > goal)
      throw new ImgclassException(
          String.format(
              "%s cannot be pruned to %.3g of its MACs: with one channel left in every prunable"
                  + " group it still has %.3f (the stem's input, the head's output and the squeeze-excite widths are not pruned);"
                  + " choose a target above %.3f",
              net.spec().architecture(), target, floor / (double) before, floor / (double) before));
    double lo = 0;
    double hi = 1;
    for (int i = 0; i < STEPS; i++) {
      double mid = (lo + hi) / 2;
      if (macs.atShare(mid, least) <= goal) lo = mid;
      else hi = mid;
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (ChannelGroup g : groups) counts.put(g.name(), kept(g, lo, least));
    topUp(macs, groups, counts, goal);
    Map<String, int[]> keep = new LinkedHashMap<>();
    for (ChannelGroup g : groups) {
      int[] kept = Arrays.copyOf(order.get(g.name()), counts.get(g.name()));
      Arrays.sort(kept);
      keep.put(g.name(), kept);
    }
    Plan plan = new Plan(keep, lo);
    Net pruned = apply(net, plan);
    return new Result(pruned, plan, before, pruned.macs());
  }

  /**
   * Channels group {@code g} keeps at {@code share}: rounded, at least one, and down to a width its
   * consumer computes correctly and quickly from ({@link ChannelGroup#prunedTo}); never more as the
   * share falls, so the bisection is over a monotone function.
   */
  static int kept(ChannelGroup g, double share, int least) {
    double n = share * g.width();
    int below = g.prunedTo(Math.max(1, Math.min(g.width(), (int) Math.floor(n))), least);
    int above = below + g.step();
    if (above > g.width() || g.prunedTo(above, least) != above) return below;
    return above - n < n - below ? above : below;
  }

  /** Channel indices from the highest score to the lowest (ties: the lower index first). */
  static int[] ranked(float[] scores) {
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(Comparator.<Integer>comparingDouble(c -> -scores[c]).thenComparing(c -> c))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * MACs of {@code net} at other group widths, each distinct set of widths counted once: counting
   * builds a shell model, and the bisection's steps mostly land on widths already seen.
   */
  private static final class Macs {
    private final Net net;
    private final List<ChannelGroup> groups;
    private final Map<Map<String, Integer>, Long> seen = new java.util.HashMap<>();

    Macs(Net net, List<ChannelGroup> groups) {
      this.net = net;
      this.groups = groups;
    }

    /** With every group at {@code share} of its channels. */
    long atShare(double share, int least) {
      Map<String, Integer> w = new LinkedHashMap<>();
      for (ChannelGroup g : groups) w.put(g.name(), kept(g, share, least));
      return of(w);
    }

    /** With the groups at {@code counts} channels. */
    long of(Map<String, Integer> counts) {
      return seen.computeIfAbsent(
          Map.copyOf(counts), c -> shell(net.spec(), widths(net.spec(), groups, c)).macs());
    }
  }

  /**
   * Spends what the uniform share left below the goal: widths come in steps of up to 16 channels
   * ({@link ChannelGroup#step}), so rounding down can leave a lot unused. Each pass gives every
   * group, deepest first, its next safe width while the model stays within {@code goal}.
   */
  private static void topUp(
      Macs macs, List<ChannelGroup> groups, Map<String, Integer> counts, long goal) {
    boolean grew = true;
    for (int pass = 0; pass < 4 && grew; pass++) {
      grew = false;
      for (int i = groups.size() - 1; i >= 0; i--) {
        ChannelGroup g = groups.get(i);
        int now = counts.get(g.name());
        int next = now < g.step() ? g.prunedTo(g.step(), 1) : now + g.step();
        if (next <= now || next > g.width() || g.prunedTo(next, 1) != next) continue;
        counts.put(g.name(), next);
        if (macs.of(counts) <= goal) grew = true;
        else counts.put(g.name(), now);
      }
    }
  }

  /**
   * A model of the spec's architecture at {@code widths}, its weights not yet meaningful: only its
   * shapes and MACs are used, or it is filled in by {@link #apply}.
   */
  private static Net shell(ModelSpec spec, Map<String, Integer> widths) {
    return ModelRegistry.create(spec.withWidths(widths), 0);
  }

  /** The spec's widths updated with {@code now}, leaving out groups at their present width. */
  private static Map<String, Integer> widths(
      ModelSpec spec, List<ChannelGroup> groups, Map<String, Integer> now) {
    Map<String, Integer> w = new LinkedHashMap<>(spec.widths());
    for (ChannelGroup g : groups) {
      int n = now.get(g.name());
      if (n != g.width()) w.put(g.name(), n);
    }
    return w;
  }

  /**
   * The surgery: a model with {@code plan}'s widths whose every tensor is the original's with the
   * removed channels dropped along each dimension a group indexes (filters, norm entries, depthwise
   * filters, squeeze-excite channels, consumers' input channels); all other tensors are copied
   * whole.
   */
  public static Net apply(Net net, Plan plan) {
    List<ChannelGroup> groups = net.channelGroups();
    Map<String, Integer> now = new LinkedHashMap<>();
    Map<String, List<long[]>> cuts = new LinkedHashMap<>(); // tensor -> (dim, group index)
    List<long[]> indices = new ArrayList<>();
    for (ChannelGroup g : groups) {
      int[] kept = plan.keep().get(g.name());
      if (kept == null) kept = IntStream.range(0, g.width()).toArray();
      check(g, kept);
      now.put(g.name(), kept.length);
      indices.add(Arrays.stream(kept).asLongStream().toArray());
      for (ChannelGroup.Slice s : g.slices())
        cuts.computeIfAbsent(s.tensor(), k -> new ArrayList<>())
            .add(new long[] {s.dim(), indices.size() - 1});
    }
    Net out = shell(net.spec(), widths(net.spec(), groups, now));
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      for (ParamStore.Entry e : out.params().entries()) {
        Tensor t =
            net.params()
                .get(e.name())
                .orElseThrow(() -> new IllegalStateException("no tensor " + e.name()))
                .tensor();
        for (long[] cut : cuts.getOrDefault(e.name(), List.of())) {
          long[] idx = indices.get((int) cut[1]);
          t = t.index_select(cut[0], Tensors.longs(idx, idx.length));
        }
        if (!Arrays.equals(Tensors.shape(t), Tensors.shape(e.tensor())))
          throw new IllegalStateException(
              "pruning "
                  + e.name()
                  + " gave "
                  + Arrays.toString(Tensors.shape(t))
                  + ", the pruned model needs "
                  + Arrays.toString(Tensors.shape(e.tensor())));
        e.tensor().copy_(t);
      }
    }
    return out;
  }

  private static void check(ChannelGroup g, int[] kept) {
    boolean ascending = kept.length >= 1;
    for (int i = 0; i < kept.length; i++) {
      if (kept[i] < 0 || kept[i] >= g.width() || (i > 0 && kept[i] <= kept[i - 1]))
        ascending = false;
    }
    if (!ascending)
      throw new IllegalArgumentException(
          "group " + g.name() + " must keep 1.." + g.width() + " distinct channels in order");
  }
}
