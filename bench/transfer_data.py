#!/usr/bin/python3
"""Writes the transfer experiment's data as gray PNG image folders: Fashion-MNIST classes 0-4
(all 30,000 training and 5,000 test images) to OUT/pre, and classes 5-9 with 1 %, 10 % and 100 %
of their training images (the first N of each class, in file order) and all 5,000 of their test
images to OUT/ft1, OUT/ft10, OUT/ft100.
Usage: transfer_data.py OUT_DIR"""
import gzip
import os
import sys

import numpy as np
from PIL import Image

SRC = os.environ.get("IMGCLASS_DATA", "/usr/share/datasets/fashion-mnist")
NAMES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read(prefix, offset):
    for name in os.listdir(SRC):
        if name.startswith(prefix):
            p = os.path.join(SRC, name)
            data = gzip.open(p).read() if p.endswith(".gz") else open(p, "rb").read()
            return np.frombuffer(data, np.uint8, offset=offset)
    raise SystemExit("no " + prefix + "* in " + SRC)


def write(out, split, x, y, classes, per_class):
    taken = {c: 0 for c in classes}
    for i, c in enumerate(y):
        c = int(c)
        if c not in taken or taken[c] >= per_class:
            continue
        taken[c] += 1
        folder = os.path.join(out, split, NAMES[c])
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(x[i]).save(os.path.join(folder, "%05d.png" % i))


def main():
    out = sys.argv[1]
    tr_x = read("train-images", 16).reshape(-1, 28, 28)
    tr_y = read("train-labels", 8)
    te_x = read("t10k-images", 16).reshape(-1, 28, 28)
    te_y = read("t10k-labels", 8)
    write(os.path.join(out, "pre"), "train", tr_x, tr_y, range(5), 6000)
    write(os.path.join(out, "pre"), "test", te_x, te_y, range(5), 1000)
    for pct, n in ((1, 60), (10, 600), (100, 6000)):
        d = os.path.join(out, "ft%d" % pct)
        write(d, "train", tr_x, tr_y, range(5, 10), n)
        write(d, "test", te_x, te_y, range(5, 10), 1000)


if __name__ == "__main__":
    main()
