#!/usr/bin/python3
"""PyTorch reference recipe for time to accuracy on Fashion-MNIST (issue 15's peer).

ResNet-20 (the same network as bench/peer_pytorch.py and imgclass's resnet20), trained on
all 60,000 training images and scored on the 10,000 test images:

  SGD, momentum 0.9, Nesterov, weight decay 5e-4 (not on BN and biases), batch 128,
  OneCycleLR(max_lr 0.1) over all steps (PyTorch's defaults: 30 % warm-up, cosine),
  label smoothing 0.1, random horizontal flips, FP32, mean/std normalisation.

Run under the same allocator settings as imgclass (bench/ANCHORS "The allocator"):
    MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=67108864 \
        /usr/bin/python3 bench/peer_recipe.py --epochs 5 --threads 2 --json
Prints one line per epoch and a final JSON line (with --json).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_pytorch import ResNet20, allocator_env  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--nchw", action="store_true", help="NCHW instead of channels-last")
    ap.add_argument("--limit", type=int, default=0, help="first N training images (smoke runs)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    fmt = torch.contiguous_format if args.nchw else torch.channels_last

    xtr = torch.from_numpy(idx("train-images-idx3-ubyte.gz").copy()).float().div_(255).unsqueeze(1)
    ytr = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz").copy()).float().div_(255).unsqueeze(1)
    yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    if args.limit:
        xtr, ytr = xtr[: args.limit], ytr[: args.limit]
    mean, std = xtr.mean().item(), xtr.std().item()
    xtr = (xtr - mean) / std
    xte = (xte - mean) / std

    model = ResNet20().to(memory_format=fmt)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}],
        lr=0.1,
        momentum=0.9,
        nesterov=True,
    )
    batch = 128
    steps = (len(xtr) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.1, epochs=args.epochs, steps_per_epoch=steps
    )
    g = torch.Generator().manual_seed(args.seed)
    train_seconds = 0.0
    wall0 = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        order = torch.randperm(len(xtr), generator=g)
        seen = correct = 0
        for i in range(steps):
            idx_b = order[i * batch : (i + 1) * batch]
            x = xtr[idx_b]
            flip = torch.rand(len(idx_b), generator=g) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x)
            x = x.contiguous(memory_format=fmt)
            y = ytr[idx_b]
            out = model(x)
            loss = F.cross_entropy(out, y, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            seen += len(y)
            correct += (out.argmax(1) == y).sum().item()
        secs = time.perf_counter() - t0
        train_seconds += secs
        acc = evaluate(model, xte, yte, fmt)
        print(
            f"epoch {epoch + 1}/{args.epochs} train acc {100 * correct / seen:.2f}% "
            f"test acc {100 * acc:.2f}% {seen / secs:.0f} img/s {secs:.1f} s",
            flush=True,
        )
    result = {
        "peer": "pytorch-reference-recipe",
        "torch": torch.__version__,
        "threads": args.threads,
        "layout": "nchw" if args.nchw else "channels_last",
        "allocator": allocator_env(),
        "epochs": args.epochs,
        "test_top1": acc,
        "train_seconds": train_seconds,
        "wall_seconds": time.perf_counter() - wall0,
    }
    print(json.dumps(result) if args.json else result)


def evaluate(model, x, y, fmt):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 500):
            out = model(x[i : i + 500].contiguous(memory_format=fmt))
            correct += (out.argmax(1) == y[i : i + 500]).sum().item()
    return correct / len(x)


if __name__ == "__main__":
    main()
