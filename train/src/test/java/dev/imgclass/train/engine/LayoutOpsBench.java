package dev.imgclass.train.engine;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.*;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Forward + backward time of ResNet-20's operations at batch 128, NCHW against channels-last, FP32
 * and bf16 (issue 15's layout question). A measurement, not a test: runs only with {@code
 * -Dbench.ops=true}; bench/layout_ops.py is the same table for PyTorch.
 */
@EnabledIfSystemProperty(named = "bench.ops", matches = "true")
class LayoutOpsBench {
  static final int B = 128;
  static final int ITERS = Integer.getInteger("ops.iters", 30);

  interface Op {
    Tensor run(Tensor x);
  }

  static Tensor param(long... shape) {
    Tensor t = torch.randn(shape).mul_(new Scalar(0.1));
    return t;
  }

  static double time(String name, boolean cl, boolean bf16, long[] inShape, Op op) {
    torch.MemoryFormat mf = cl ? torch.MemoryFormat.ChannelsLast : torch.MemoryFormat.Contiguous;
    Tensor x = torch.randn(inShape).contiguous(mf).requires_grad_(true);
    double[] ms = new double[ITERS];
    Tensor g = null;
    for (int i = -5; i < ITERS; i++) {
      try (PointerScope s = new PointerScope()) {
        long t0 = System.nanoTime();
        Tensor y;
        try (Engine.Scope a = Engine.autocast(bf16 ? Precision.BF16 : Precision.FP32)) {
          y = op.run(x);
        }
        if (g == null) {
          g = torch.randn(y.sizes().vec().get());
          if (y.dim() == 4) g = g.contiguous(mf);
          g.retainReference();
        }
        Tensor gg = y.scalar_type() == torch.ScalarType.Float ? g : g.to(y.scalar_type());
        y.backward(gg, new BoolOptional(), false, new TensorArrayRefOptional());
        if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms[ITERS / 2];
  }

  static void row(String name, long[] in, Op op) {
    StringBuilder sb = new StringBuilder(String.format("%-34s", name));
    for (boolean bf16 : new boolean[] {false, true})
      for (boolean cl : new boolean[] {false, true})
        sb.append(String.format(" %8.2f", time(name, cl, bf16, in, op)));
    System.out.println(sb);
  }

  static Tensor conv(Tensor x, Tensor w, int stride, int pad) {
    return torch.conv2d(
        x,
        w,
        new TensorOptional(),
        new long[] {stride, stride},
        new long[] {pad, pad},
        new long[] {1, 1},
        1);
  }

  static Tensor bn(Tensor x, Tensor w, Tensor b, Tensor rm, Tensor rv) {
    return torch.batch_norm(
        x,
        new TensorOptional(w),
        new TensorOptional(b),
        new TensorOptional(rm),
        new TensorOptional(rv),
        true,
        0.1,
        1e-5,
        true);
  }

  @Test
  void ops() {
    Engine.threads(2);
    System.out.println(
        String.format(
            "%-34s %8s %8s %8s %8s",
            "op (fwd+bwd, ms, batch 128)", "fp32", "fp32-cl", "bf16", "bf16-cl"));
    for (int[] c : new int[][] {{1, 16, 28}, {16, 16, 28}, {32, 32, 14}, {64, 64, 7}}) {
      int cin = c[0], cout = c[1], hw = c[2];
      Tensor w = param(cout, cin, 3, 3).requires_grad_(true);
      Tensor wcl = w.detach().contiguous(torch.MemoryFormat.ChannelsLast).requires_grad_(true);
      w.retainReference();
      wcl.retainReference();
      row(
          "conv3x3 " + cin + "->" + cout + " @" + hw + " (w nchw)",
          new long[] {B, cin, hw, hw},
          x -> conv(x, w, 1, 1));
      row(
          "conv3x3 " + cin + "->" + cout + " @" + hw + " (w cl)",
          new long[] {B, cin, hw, hw},
          x -> conv(x, wcl, 1, 1));
    }
    for (int[] c : new int[][] {{16, 32, 28}, {32, 64, 14}}) {
      int cin = c[0], cout = c[1], hw = c[2];
      Tensor w =
          param(cout, cin, 3, 3).contiguous(torch.MemoryFormat.ChannelsLast).requires_grad_(true);
      Tensor w1 =
          param(cout, cin, 1, 1).contiguous(torch.MemoryFormat.ChannelsLast).requires_grad_(true);
      w.retainReference();
      w1.retainReference();
      LongOptional from = new LongOptional(0), to = new LongOptional(Long.MAX_VALUE);
      row(
          "conv3x3 s2 " + cin + "->" + cout + " @" + hw,
          new long[] {B, cin, hw, hw},
          x -> conv(x, w, 2, 1));
      row(
          "slice+conv1x1 " + cin + "->" + cout + " @" + hw,
          new long[] {B, cin, hw, hw},
          x -> conv(x.slice(2, from, to, 2).slice(3, from, to, 2), w1, 1, 0));
      row(
          "conv1x1 s2 " + cin + "->" + cout + " @" + hw,
          new long[] {B, cin, hw, hw},
          x -> conv(x, w1, 2, 0));
    }
    for (int[] c : new int[][] {{16, 28}, {32, 14}, {64, 7}}) {
      int ch = c[0], hw = c[1];
      Tensor w = torch.ones(ch).requires_grad_(true), b = torch.zeros(ch).requires_grad_(true);
      Tensor rm = torch.zeros(ch), rv = torch.ones(ch);
      w.retainReference();
      b.retainReference();
      rm.retainReference();
      rv.retainReference();
      row("batch_norm " + ch + " @" + hw, new long[] {B, ch, hw, hw}, x -> bn(x, w, b, rm, rv));
      row("relu " + ch + " @" + hw, new long[] {B, ch, hw, hw}, x -> torch.relu(x));
      row("add " + ch + " @" + hw, new long[] {B, ch, hw, hw}, x -> x.add(x));
    }
    Tensor pw = torch.randn(10, 64).requires_grad_(true);
    pw.retainReference();
    row(
        "avgpool+flatten+linear 64 @7",
        new long[] {B, 64, 7, 7},
        x ->
            torch.linear(
                torch.adaptive_avg_pool2d(x, new long[] {1, 1}).flatten(1, -1),
                pw,
                new TensorOptional()));
  }
}
