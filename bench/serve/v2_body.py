"""Writes a V2 infer request body with N Fashion-MNIST test images (28x28, normalised as the
model's metadata says) from the Debian package's IDX file: python3 v2_body.py N MEAN STD OUT."""
import gzip, json, sys

n, mean, std, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
    raw = f.read()
pixels = raw[16:16 + n * 784]
data = [round((p / 255.0 - mean) / std, 6) for p in pixels]
body = {"inputs": [{"name": "input", "shape": [n, 1, 28, 28], "datatype": "FP32", "data": data}]}
with open(out, "w") as f:
    json.dump(body, f, separators=(",", ":"))
