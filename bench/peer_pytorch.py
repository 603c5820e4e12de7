#!/usr/bin/python3
"""PyTorch peer for the bench/ comparisons against imgclass's Java trainer.

Builds the same architecture that the Java side trains for 1x28x28 inputs and
10 classes (--model):

  resnet20               CIFAR-style ResNet-20 (He et al. 2016), ~0.27 M params;
  mobilenetv3_small_100  torchvision's mobilenet_v3_small with imgclass's
                         small-input adaptation (ModelRegistry / Net.SMALL_INPUT):
                         1 input channel and a stride-1 stem below 64 px, so
                         shapes, parameters and MACs equal imgclass's model.

and measures on the CPU:

  1. training throughput (batch 128, SGD + Nesterov, label-smoothed CE);
  2. eager inference latency/throughput for several batch sizes;

in fp32 and/or bf16 autocast. Inputs are random and pre-generated so data
cost is ~0; only the model step is timed. Output is a readable table or, with
--json, one JSON object per measurement per line.

Run with Debian's interpreter (python3-torch):
    /usr/bin/python3 bench/peer_pytorch.py --threads 2 --json
"""
import argparse
import contextlib
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

IN_CH, SIZE, CLASSES = 1, 28, 10
SMALL_INPUT = 64  # imgclass Net.SMALL_INPUT: below it, ImageNet stems run at stride 1


def allocator_env():
    """glibc malloc settings this process runs under: the peer is only fair with the same ones."""
    keys = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "LD_PRELOAD")
    set_ = [f"{k}={os.environ[k]}" for k in keys if os.environ.get(k)]
    return " ".join(set_) if set_ else "glibc defaults"


# ---------------------------------------------------------------- model ----
def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:  # projection shortcut (1x1 conv + BN)
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet20(nn.Module):
    def __init__(self, in_ch=1, num_classes=10, widths=(16, 32, 64), blocks=3):
        super().__init__()
        self.conv1 = conv3x3(in_ch, widths[0])
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        cin = widths[0]
        for i, w in enumerate(widths):  # layer1, layer2, layer3
            stride = 1 if i == 0 else 2
            layers = [BasicBlock(cin, w, stride)]
            layers += [BasicBlock(w, w) for _ in range(blocks - 1)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
            cin = w
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            # nn.Linear keeps PyTorch's default init.

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def mobilenet_v3_small(in_ch=IN_CH, num_classes=CLASSES, size=SIZE):
    """torchvision's MobileNetV3-Small x1.0 with imgclass's stem: in_ch channels, and stride 1
    when the input is below SMALL_INPUT px (MobileNetV3.java); everything else is torchvision's
    (block table, SE widths, BN eps 0.001, 576 -> 1024 -> classes head)."""
    model = torchvision.models.mobilenet_v3_small(num_classes=num_classes)
    stem = model.features[0][0]
    stride = 1 if size < SMALL_INPUT else 2
    model.features[0][0] = nn.Conv2d(in_ch, stem.out_channels, stem.kernel_size, stride=stride,
                                     padding=stem.padding, bias=False)
    return model


MODELS = {"resnet20": lambda: ResNet20(in_ch=IN_CH, num_classes=CLASSES),
          "mobilenetv3_small_100": mobilenet_v3_small}


# ------------------------------------------------------------- helpers ----
def autocast_ctx(precision):
    if precision == "bf16":
        return torch.autocast(device_type="cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def percentile(xs, q):
    """Nearest-rank percentile (q in [0, 100]) of a list of floats."""
    s = sorted(xs)
    return s[min(len(s), max(1, math.ceil(q / 100 * len(s)))) - 1]


def make_model(args):
    model = MODELS[args.model]()
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def to_fmt(x, args):
    return x.contiguous(memory_format=torch.channels_last) if args.channels_last else x


def load_run(model, run):
    """Loads an imgclass run's weights.safetensors (torchvision names) into model, strictly."""
    import numpy as np
    raw = open(f"{run}/weights.safetensors", "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header, base = json.loads(raw[8:8 + n]), 8 + n
    dtypes = {"F32": np.float32, "I64": np.int64}
    state = {k: torch.from_numpy(np.frombuffer(raw[base + v["data_offsets"][0]:base + v["data_offsets"][1]],
                                               dtype=dtypes[v["dtype"]]).reshape(v["shape"]).copy())
             for k, v in header.items() if k != "__metadata__"}
    model.load_state_dict(state, strict=True)
    return model


def verify(args):
    """Top-3 probabilities of the run's own weights in this architecture on one gray image, to
    set beside `imgclass predict --model RUN IMAGE`: equal numbers mean equal architectures."""
    from PIL import Image
    import numpy as np
    run, image = args.verify
    spec = json.load(open(f"{run}/model.json"))["spec"]
    model = load_run(MODELS[args.model](), run).eval()
    pixels = np.asarray(Image.open(image).convert("L").resize((SIZE, SIZE), Image.BILINEAR), dtype=np.float32)
    x = torch.from_numpy((pixels / 255 - spec["mean"][0]) / spec["std"][0]).reshape(1, IN_CH, SIZE, SIZE)
    with torch.inference_mode():
        probs = torch.softmax(model(x), 1)[0]
    top = torch.topk(probs, 3)
    print(", ".join(f"{spec['classes'][int(i)]} {float(v):.6f}" for v, i in zip(top.values, top.indices)))


# ---------------------------------------------------------- benchmarks ----
def bench_train(args, precision, batch=128, n_batches=4):
    torch.manual_seed(0)
    model = make_model(args).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9,
                          nesterov=True, weight_decay=5e-4)
    data = [(to_fmt(torch.randn(batch, IN_CH, SIZE, SIZE), args),
             torch.randint(0, 10, (batch,))) for _ in range(n_batches)]

    def step(i):
        x, y = data[i % n_batches]
        with autocast_ctx(precision):  # autocast covers the forward only
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y, label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(args.warmup_steps):
        step(i)
    times = []
    t0 = time.perf_counter()
    for i in range(args.train_steps):
        ts = time.perf_counter()
        step(i)
        times.append(time.perf_counter() - ts)
    total = time.perf_counter() - t0
    return {"kind": "train", "batch": batch, "precision": precision,
            "img_per_s": args.train_steps * batch / total,
            "median_ms": statistics.median(times) * 1e3,
            "steps": args.train_steps}


def bench_infer(args, precision, batch, warmup=10):
    torch.manual_seed(0)
    model = make_model(args).eval()
    x = to_fmt(torch.randn(batch, IN_CH, SIZE, SIZE), args)
    times = []
    with torch.inference_mode(), autocast_ctx(precision):
        for _ in range(warmup):
            model(x)
        for _ in range(args.infer_iters):
            ts = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - ts)
    med = statistics.median(times)
    return {"kind": "infer", "batch": batch, "precision": precision,
            "img_per_s": batch / med, "median_ms": med * 1e3,
            "p99_ms": percentile(times, 99) * 1e3, "iters": args.infer_iters}


# ---------------------------------------------------------------- main ----
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(MODELS), default="resnet20")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", choices=["fp32", "bf16", "both"], default="both")
    ap.add_argument("--train-steps", type=int, default=60)
    ap.add_argument("--warmup-steps", type=int, default=10)
    ap.add_argument("--infer-batches", default="1,8,64")
    ap.add_argument("--infer-iters", type=int, default=50)
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--no-train", action="store_true", help="inference measurements only")
    ap.add_argument("--verify", nargs=2, metavar=("RUN", "IMAGE"),
                    help="load RUN's weights, print top-3 on a 28x28 gray IMAGE, and exit")
    args = ap.parse_args()
    if args.verify:
        verify(args)
        return

    torch.set_num_threads(args.threads)
    precisions = ["fp32", "bf16"] if args.precision == "both" else [args.precision]
    batches = [int(b) for b in args.infer_batches.split(",") if b.strip()]
    n_params = sum(t.numel() for t in MODELS[args.model]().parameters())
    if not args.json:
        print(f"{args.model}: {n_params:,} params ({n_params / 1e6:.2f} M), torch "
              f"{torch.__version__}, threads {torch.get_num_threads()}, "
              f"channels_last {args.channels_last}")
        print(f"allocator: {allocator_env()}")
        print(f"{'kind':<6}{'prec':<6}{'batch':>6}{'img/s':>10}{'median ms':>11}{'p99 ms':>9}")

    jobs = [] if args.no_train else [(bench_train, (prec,)) for prec in precisions]
    jobs += [(bench_infer, (prec, b)) for prec in precisions for b in batches]
    for fn, fargs in jobs:
        r = fn(args, *fargs)
        if args.json:
            rec = {"system": "pytorch", "model": args.model, "torch_version": torch.__version__,
                   "threads": torch.get_num_threads(), "params": n_params,
                   "channels_last": args.channels_last, "allocator": allocator_env(), **r}
            print(json.dumps(rec), flush=True)
        else:
            p99 = f"{r['p99_ms']:9.2f}" if "p99_ms" in r else f"{'-':>9}"
            print(f"{r['kind']:<6}{r['precision']:<6}{r['batch']:>6}"
                  f"{r['img_per_s']:>10.1f}{r['median_ms']:>11.2f}{p99}", flush=True)


if __name__ == "__main__":
    main()
