#!/usr/bin/python3
"""Writes long-tailed Fashion-MNIST as IDX files: class c keeps its first
round(6000 * ratio ** (-c / 9)) training images (6,000 down to 60 for ratio 100);
the test set is copied untouched. Deterministic (file order), so every run sees the same data.
Usage: longtail_data.py OUT_DIR [RATIO]"""
import gzip, os, struct, sys

src = os.environ.get("IMGCLASS_DATA", "/usr/share/datasets/fashion-mnist")
out = sys.argv[1]
ratio = float(sys.argv[2]) if len(sys.argv) > 2 else 100.0
os.makedirs(out, exist_ok=True)


def read(name):
    for n in (name, name + ".gz"):
        p = os.path.join(src, n)
        if os.path.exists(p):
            return gzip.open(p).read() if p.endswith(".gz") else open(p, "rb").read()
    raise SystemExit("missing " + name + " in " + src)


images = read("train-images-idx3-ubyte")
labels = read("train-labels-idx1-ubyte")
n, rows, cols = struct.unpack(">III", images[4:16])
keep_per_class = [round(6000 * ratio ** (-c / 9)) for c in range(10)]
taken = [0] * 10
img_out, lab_out = [], []
for i in range(n):
    c = labels[8 + i]
    if taken[c] < keep_per_class[c]:
        taken[c] += 1
        img_out.append(images[16 + i * rows * cols : 16 + (i + 1) * rows * cols])
        lab_out.append(bytes([c]))
m = len(lab_out)
with open(os.path.join(out, "train-images-idx3-ubyte"), "wb") as f:
    f.write(struct.pack(">IIII", 0x803, m, rows, cols) + b"".join(img_out))
with open(os.path.join(out, "train-labels-idx1-ubyte"), "wb") as f:
    f.write(struct.pack(">II", 0x801, m) + b"".join(lab_out))
for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
    with open(os.path.join(out, name), "wb") as f:
        f.write(read(name))
print("train images per class:", taken, "total", m)
