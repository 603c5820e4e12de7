#!/usr/bin/env python3
"""A planted latency regression: the same model with a slow branch whose result is multiplied by
zero and added to the logits, so every answer is the original's and only the latency differs.

    slow_model.py IN.onnx OUT.onnx [LAYERS] [WIDTH]

LAYERS (default 8) matrix products of WIDTH x WIDTH (default 2048) per image. The imgclass
metadata is kept, so `imgclass store add` takes it as a version of the same model."""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

src, dst = sys.argv[1], sys.argv[2]
layers = int(sys.argv[3]) if len(sys.argv) > 3 else 8
width = int(sys.argv[4]) if len(sys.argv) > 4 else 2048
m = onnx.load(src)
g = m.graph
out = g.output[0].name
inp = g.input[0].name
# the original logits under a new name
for node in g.node:
    for i, o in enumerate(node.output):
        if o == out:
            node.output[i] = "fast_logits"
rng = np.random.default_rng(1)
shape = [d.dim_value for d in g.input[0].type.tensor_type.shape.dim[1:]]
flat = int(np.prod(shape))
g.initializer.append(numpy_helper.from_array(
    (rng.standard_normal((flat, width)) * 0.01).astype(np.float32), "slow_w0"))
g.node.append(helper.make_node("Flatten", [inp], ["slow_flat"], name="slow_flat"))
g.node.append(helper.make_node("MatMul", ["slow_flat", "slow_w0"], ["slow_h0"], name="slow_h0"))
prev = "slow_h0"
for k in range(1, layers + 1):
    g.initializer.append(numpy_helper.from_array(
        (rng.standard_normal((width, width)) * 0.01).astype(np.float32), f"slow_w{k}"))
    g.node.append(helper.make_node("MatMul", [prev, f"slow_w{k}"], [f"slow_h{k}"], name=f"slow_h{k}"))
    prev = f"slow_h{k}"
g.initializer.append(numpy_helper.from_array(np.zeros((1,), np.float32), "slow_zero"))
g.node.append(helper.make_node("ReduceSum", [prev], ["slow_sum"], name="slow_sum", keepdims=1))
g.node.append(helper.make_node("Mul", ["slow_sum", "slow_zero"], ["slow_nothing"], name="slow_mul"))
g.node.append(helper.make_node("Add", ["fast_logits", "slow_nothing"], [out], name="slow_add"))
onnx.checker.check_model(m)
onnx.save(m, dst)
print(f"wrote {dst}: {layers} x {width}x{width} extra matrix products per image")
