"""Writes a V2 infer request body with N Fashion-MNIST test images (28x28, normalised as the
model's metadata says) from the Debian package's IDX file: python3 v2_body.py N MEAN STD OUT
[binary]. With "binary" the body uses the binary tensor data extension (a JSON header, then the
values as little-endian FP32) and the header's length, for Inference-Header-Content-Length, is
printed."""
import gzip, json, struct, sys

n, mean, std, out = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
binary = len(sys.argv) > 5 and sys.argv[5] == "binary"
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
    raw = f.read()
pixels = raw[16:16 + n * 784]
if binary:
    values = [(p / 255.0 - mean) / std for p in pixels]
    tensor = {"name": "input", "shape": [n, 1, 28, 28], "datatype": "FP32",
              "parameters": {"binary_data_size": 4 * len(values)}}
    header = json.dumps({"inputs": [tensor]}, separators=(",", ":")).encode()
    with open(out, "wb") as f:
        f.write(header)
        f.write(struct.pack("<%df" % len(values), *values))
    print(len(header))
    sys.exit(0)
data = [round((p / 255.0 - mean) / std, 6) for p in pixels]
body = {"inputs": [{"name": "input", "shape": [n, 1, 28, 28], "datatype": "FP32", "data": data}]}
with open(out, "w") as f:
    json.dump(body, f, separators=(",", ":"))
