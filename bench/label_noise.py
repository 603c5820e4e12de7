#!/usr/bin/env python3
"""Plants label noise in Fashion-MNIST for the label-issues benchmark (issue 14).

Writes OUT/ with the four IDX files of the Debian package, the training labels changed for 10 %
of the images: half flipped to a random other class, half between confusable pairs (T-shirt <->
Shirt, Pullover <-> Coat, Sneaker <-> Ankle boot), and OUT/flips.csv (index,true,given).
Seeded: the same flips every time. Usage: bench/label_noise.py OUT [FRACTION] [SEED]
"""
import gzip, os, random, shutil, struct, sys

SRC = "/usr/share/datasets/fashion-mnist"
PAIRS = {0: 6, 6: 0, 2: 4, 4: 2, 7: 9, 9: 7}

out = sys.argv[1]
fraction = float(sys.argv[2]) if len(sys.argv) > 2 else 0.10
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 14
os.makedirs(out, exist_ok=True)
for name in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
    shutil.copyfile(os.path.join(SRC, name), os.path.join(out, name))
with gzip.open(os.path.join(SRC, "train-labels-idx1-ubyte.gz"), "rb") as f:
    raw = f.read()
magic, n = struct.unpack(">II", raw[:8])
labels = bytearray(raw[8:])
rng = random.Random(seed)
order = list(range(n))
rng.shuffle(order)
total = round(fraction * n)
flips = {}
# half between confusable pairs, taken from images of the paired classes
paired = [i for i in order if labels[i] in PAIRS][: total // 2]
for i in paired:
    flips[i] = PAIRS[labels[i]]
# the other half to a uniformly random other class, from images not flipped yet
rest = [i for i in order if i not in flips][: total - len(paired)]
for i in rest:
    flips[i] = rng.choice([c for c in range(10) if c != labels[i]])
pair_set = set(paired)
with open(os.path.join(out, "flips.csv"), "w") as f:
    f.write("index,true,given,kind\n")
    for i in sorted(flips):
        f.write("%d,%d,%d,%s\n" % (i, labels[i], flips[i], "pair" if i in pair_set else "random"))
for i, c in flips.items():
    labels[i] = c
with gzip.open(os.path.join(out, "train-labels-idx1-ubyte.gz"), "wb") as f:
    f.write(raw[:8] + bytes(labels))
print("planted %d flips (%d pair, %d random) in %d training labels -> %s" % (len(flips), len(paired), len(rest), n, out))
