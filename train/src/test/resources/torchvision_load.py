"""Loads an imgclass safetensors export into torchvision and writes its eval-mode logits.

Usage: /usr/bin/python3 torchvision_load.py WEIGHTS INPUT OUT
Builds the model with the call the file's metadata names ("imgclass.torchvision", e.g.
"torchvision.models.resnet18(num_classes=10)"), applies "imgclass.torchvision_patch" when the
file has one (our small-input stem), checks that the metadata says format "pt" and that every
tensor has the dtype torchvision's own state_dict has (load_state_dict would silently convert),
loads with strict=True, and writes the logits of INPUT's "input" to OUT as "logits".
Safetensors is read and written by hand (8-byte little-endian header length, JSON header, raw
bytes): no pip packages.
"""
import json
import struct
import sys

import numpy
import torch
import torchvision

DTYPES = {"F32": (numpy.float32, torch.float32), "I64": (numpy.int64, torch.int64)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        np_type, _ = DTYPES[t["dtype"]]
        raw = data[8 + n + begin : 8 + n + end]
        array = numpy.frombuffer(raw, dtype=np_type).reshape(t["shape"]).copy()
        tensors[name] = torch.from_numpy(array)
    return tensors, meta


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def main():
    weights, inputs, out = sys.argv[1], sys.argv[2], sys.argv[3]
    torch.set_num_threads(2)
    state, meta = read_safetensors(weights)
    if meta.get("format") != "pt":
        sys.exit("metadata format is %r, not 'pt'" % meta.get("format"))
    call = meta["imgclass.torchvision"]
    model = eval(call, {"__builtins__": {}, "torchvision": torchvision})
    if "imgclass.torchvision_patch" in meta:
        exec(meta["imgclass.torchvision_patch"], {"__builtins__": {}, "torch": torch, "model": model})
    own = model.state_dict()
    wrong = [
        "%s is %s, torchvision has %s" % (k, v.dtype, own[k].dtype)
        for k, v in state.items()
        if k in own and v.dtype != own[k].dtype
    ]
    if wrong:
        sys.exit("dtypes differ: " + "; ".join(wrong[:3]))
    model.load_state_dict(state, strict=True)
    model.eval()
    x = read_safetensors(inputs)[0]["input"]
    with torch.no_grad():
        logits = model(x)
    write_safetensors(out, {"logits": logits})
    print("%s: %d tensors loaded strictly, max |logit| %.3f" % (call, len(state), logits.abs().max().item()))


if __name__ == "__main__":
    main()
