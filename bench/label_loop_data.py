#!/usr/bin/python3
"""Writes a CSV-manifest dataset of Fashion-MNIST image files with planted label noise, for
running docs/LABELS.md's whole loop (label-issues, review, apply-corrections, train, compare) on
image files as a user would.

OUT/images/train-NNNNN.png and test-NNNNN.png (grey PNG, 28x28), OUT/labels.csv
(path,label,split: the first TRAIN training images with 10 % of their labels changed, half
between confusable pairs, half to a random other class, seeded, plus 20 near-duplicate copies of
correctly labelled ones filed under another class; the first TEST test images with their real
labels) and OUT/flips.csv (path,true,given,kind).
Usage: label_loop_data.py OUT [TRAIN] [TEST]   (default 10000, 10000)"""
import gzip
import os
import random
import sys

import numpy as np
from PIL import Image

SRC = os.environ.get("IMGCLASS_DATA", "/usr/share/datasets/fashion-mnist")
NAMES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
PAIRS = {0: 6, 6: 0, 2: 4, 4: 2, 7: 9, 9: 7}


def read(name, offset):
    data = gzip.open(os.path.join(SRC, name)).read()
    return np.frombuffer(data, np.uint8, offset=offset)


def main():
    out = sys.argv[1]
    n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    rng = random.Random(14)
    rows = ["path,label,split"]
    flips = ["path,true,given,kind"]
    for split, images, labels, n in (
        ("train", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", n_train),
        ("test", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", n_test),
    ):
        px = read(images, 16).reshape(-1, 28, 28)[:n]
        lab = read(labels, 8)[:n].tolist()
        given = list(lab)
        if split == "train":
            order = list(range(n))
            rng.shuffle(order)
            total = n // 10
            paired = [i for i in order if lab[i] in PAIRS][: total // 2]
            taken = set(paired)
            rest = [i for i in order if i not in taken][: total - len(paired)]
            for i in paired:
                given[i] = PAIRS[lab[i]]
            for i in rest:
                given[i] = rng.choice([c for c in range(10) if c != lab[i]])
            kinds = {**{i: "pair" for i in paired}, **{i: "random" for i in rest}}
        for i in range(n):
            path = "images/%s-%05d.png" % (split, i)
            Image.fromarray(px[i], "L").save(os.path.join(out, path))
            rows.append("%s,%s,%s" % (path, NAMES[given[i]], split))
            if split == "train" and given[i] != lab[i]:
                flips.append("%s,%s,%s,%s" % (path, NAMES[lab[i]], NAMES[given[i]], kinds[i]))
        if split == "train":
            # near-duplicates with another label: 10 JPEG re-encodings (quality 80) and 10
            # brightened copies (+25) of correctly labelled images, filed under another class
            clean = [i for i in order if given[i] == lab[i]][:20]
            for k, i in enumerate(clean):
                other = rng.choice([c for c in range(10) if c != lab[i]])
                if k < 10:
                    path = "images/copy-%05d.jpg" % i
                    Image.fromarray(px[i], "L").save(os.path.join(out, path), quality=80)
                else:
                    path = "images/copy-%05d.png" % i
                    bright = np.minimum(px[i].astype(np.int32) + 25, 255).astype(np.uint8)
                    Image.fromarray(bright, "L").save(os.path.join(out, path))
                rows.append("%s,%s,%s" % (path, NAMES[other], split))
                flips.append("%s,%s,%s,%s" % (path, NAMES[lab[i]], NAMES[other], "duplicate"))
    with open(os.path.join(out, "labels.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    with open(os.path.join(out, "flips.csv"), "w") as f:
        f.write("\n".join(flips) + "\n")
    print("wrote %d training images (%d labels changed, 20 of them near-duplicate copies) and %d test images to %s"
          % (n_train + 20, len(flips) - 1, n_test, out))


if __name__ == "__main__":
    main()
