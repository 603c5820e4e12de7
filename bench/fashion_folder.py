#!/usr/bin/python3
"""Writes Fashion-MNIST as an image folder (train/ and test/, one sub-folder per class) of
RGB PNG and JPEG files, for trying imgclass's image-folder path on real pictures.
Usage: fashion_folder.py OUT_DIR [TRAIN_PER_CLASS] [TEST_PER_CLASS]   (default 300, 100)"""
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


def main():
    out = sys.argv[1]
    per = {"train": int(sys.argv[2]) if len(sys.argv) > 2 else 300,
           "test": int(sys.argv[3]) if len(sys.argv) > 3 else 100}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = read(prefix + "-images", 16).reshape(-1, 28, 28)
        y = read(prefix + "-labels", 8)
        taken = [0] * 10
        for i, c in enumerate(y):
            if taken[c] >= per[split]:
                continue
            taken[c] += 1
            folder = os.path.join(out, split, NAMES[c])
            os.makedirs(folder, exist_ok=True)
            img = Image.fromarray(x[i]).convert("RGB")
            if i % 2:
                img.save(os.path.join(folder, "img %d.png" % i))
            else:
                img.save(os.path.join(folder, "img_%d.JPG" % i), quality=95)
    print("wrote", out)


if __name__ == "__main__":
    main()
