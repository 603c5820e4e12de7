"""Writes a reproducible folder of 224x224 RGB JPEGs (quality 90) for bench/data_pipeline.sh.

Each image is a Fashion-MNIST picture upscaled from 28x28 (bicubic) and colourised: the garment is
tinted with one colour and laid on a diagonal two-colour gradient, and Gaussian noise is added so
that the JPEGs carry photo-like entropy (upscaled 28x28 pictures alone compress to a few KB and
decode unrealistically fast). One sub-folder per class; the same seed gives the same bytes with
the same Pillow and NumPy.

    python3 bench/data_pipeline_images.py OUT_DIR [COUNT] [--seed S]
"""
import argparse
import gzip
import os
import struct

import numpy as np
from PIL import Image

CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]
SIZE = 224


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("count", nargs="?", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--mnist", default="/usr/share/datasets/fashion-mnist")
    a = ap.parse_args()
    images = idx(os.path.join(a.mnist, "train-images-idx3-ubyte.gz"))
    labels = idx(os.path.join(a.mnist, "train-labels-idx1-ubyte.gz"))
    rng = np.random.RandomState(a.seed)
    for c in CLASSES:
        os.makedirs(os.path.join(a.out, c), exist_ok=True)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / (SIZE - 1)
    total = 0
    for i in range(a.count):
        big = Image.fromarray(images[i]).resize((SIZE, SIZE), Image.BICUBIC)
        mask = np.asarray(big, dtype=np.float32)[..., None] / 255.0       # (H, W, 1)
        fg = rng.uniform(40, 255, size=3).astype(np.float32)               # garment colour
        c0, c1 = rng.uniform(0, 255, size=(2, 3)).astype(np.float32)       # background ends
        t = (0.5 * (xx + yy))[..., None]                                   # diagonal ramp
        bg = c0 * (1 - t) + c1 * t
        px = bg * (1 - mask) + fg * mask
        px += rng.normal(0, 10, size=px.shape).astype(np.float32)          # sensor-like noise
        rgb = np.clip(px, 0, 255).astype(np.uint8)
        path = os.path.join(a.out, CLASSES[labels[i]], f"{i:05d}.jpg")
        Image.fromarray(rgb, "RGB").save(path, "JPEG", quality=90)
        total += os.path.getsize(path)
    print(f"wrote {a.count} JPEGs of {SIZE}x{SIZE} to {a.out}: {total / a.count / 1024:.1f} KiB each on average")


if __name__ == "__main__":
    main()
