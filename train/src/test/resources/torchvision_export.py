"""Writes a randomly initialised torchvision model, an input and its eval-mode logits.

Usage: /usr/bin/python3 torchvision_export.py MODEL SIZE CLASSES OUT_DIR [f16|bf16] [no-int-buffers]
Writes OUT_DIR/weights.safetensors (the state_dict, torchvision names), OUT_DIR/input.safetensors
("input", 2 x 3 x SIZE x SIZE) and OUT_DIR/logits.safetensors ("logits"). BN running statistics
are set to random values so that eval-mode batch norm is exercised, and the last linear layer is
scaled so that the largest logit is 5. With f16 or bf16 the floating-point tensors are written in
that dtype and the logits come from the model run on the same rounded weights (in F32); with
no-int-buffers the integer buffers (num_batches_tracked) are left out, as many published
checkpoints do. The safetensors format is written by hand (8-byte little-endian header length, JSON header, raw bytes): no pip packages.
"""
import json
import struct
import sys

import torch
import torchvision

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        # numpy has no bfloat16: write its bits through a same-sized integer view
        data = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {
            "dtype": DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
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
    name, size, classes, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    options = set(sys.argv[5:])
    half = torch.float16 if "f16" in options else torch.bfloat16 if "bf16" in options else None
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = getattr(torchvision.models, name)(num_classes=classes)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.num_batches_tracked.fill_(7)
    model.eval()
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        # scale the last linear layer so the largest logit is 5: large enough for a 1e-4
        # comparison to mean something, small enough that float rounding stays below it
        last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
        last.bias.uniform_(-0.5, 0.5)
        scale = 5.0 / model(x).abs().max().item()
        last.weight.mul_(scale)
        last.bias.mul_(scale)
        state = model.state_dict()
        if half is not None:
            # round every float tensor in place; the model then runs on the rounded values
            for t in state.values():
                if t.is_floating_point():
                    t.copy_(t.to(half).float())
        logits = model(x)
    if half is not None:
        state = {k: t.to(half) if t.is_floating_point() else t for k, t in state.items()}
    if "no-int-buffers" in options:
        state = {k: t for k, t in state.items() if t.is_floating_point()}
    write_safetensors(out + "/weights.safetensors", state)
    write_safetensors(out + "/input.safetensors", {"input": x})
    write_safetensors(out + "/logits.safetensors", {"logits": logits})
    print("max |logit| %.3f" % logits.abs().max().item())


if __name__ == "__main__":
    main()
