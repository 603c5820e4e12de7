"""Writes timm_names.json: the state_dict names and shapes of timm's resnet18 and
mobilenetv3_large_100 (1000 classes), for WeightsTimmTest.

timm is not installed here: the layout is rebuilt from timm's source (timm/models/resnet.py,
mobilenetv3.py `_gen_mobilenet_v3`, _efficientnet_builder.py `_decode_block_str`/`round_channels`,
_efficientnet_blocks.py `DepthwiseSeparableConv`, `InvertedResidual`, `SqueezeExcite`, `ConvBnAct`;
huggingface/pytorch-image-models at aa4b5850). Every BatchNorm2d (timm's BatchNormAct2d is one)
holds weight, bias, running_mean, running_var and a 0-d num_batches_tracked, as state_dict() gives
them. The mobilenetv3_large_100 parameters agree with a published listing of that model's 174
parameter tensors (5,483,032 parameters). Pure Python: /usr/bin/python3 timm_names.py > timm_names.json
"""
import json
import sys


def make_divisible(v, divisor=8, round_limit=0.9):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


class Layout:
    def __init__(self):
        self.tensors = []

    def add(self, name, shape):
        self.tensors.append([name, list(shape)])

    def conv(self, name, cin, cout, k, groups=1, bias=False):
        self.add(name + ".weight", (cout, cin // groups, k, k))
        if bias:
            self.add(name + ".bias", (cout,))

    def bn(self, name, c):
        for leaf in ("weight", "bias", "running_mean", "running_var"):
            self.add(name + "." + leaf, (c,))
        self.add(name + ".num_batches_tracked", ())


def resnet18():
    t = Layout()
    t.conv("conv1", 3, 64, 7)
    t.bn("bn1", 64)
    cin = 64
    for s, w in enumerate((64, 128, 256, 512)):
        for b in range(2):
            p = "layer%d.%d" % (s + 1, b)
            stride = 2 if b == 0 and s > 0 else 1
            t.conv(p + ".conv1", cin, w, 3)
            t.bn(p + ".bn1", w)
            t.conv(p + ".conv2", w, w, 3)
            t.bn(p + ".bn2", w)
            if stride != 1 or cin != w:
                t.conv(p + ".downsample.0", cin, w, 1)
                t.bn(p + ".downsample.1", w)
            cin = w
    t.add("fc.weight", (1000, 512))
    t.add("fc.bias", (1000,))
    return t.tensors


# _gen_mobilenet_v3('mobilenetv3_large_100'): arch_def, as in timm
LARGE = [
    ["ds_r1_k3_s1_e1_c16_nre"],
    ["ir_r1_k3_s2_e4_c24_nre", "ir_r1_k3_s1_e3_c24_nre"],
    ["ir_r3_k5_s2_e3_c40_se0.25_nre"],
    ["ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"],
    ["ir_r2_k3_s1_e6_c112_se0.25"],
    ["ir_r3_k5_s2_e6_c160_se0.25"],
    ["cn_r1_k1_s1_c960"],
]


def decode(block):
    ops = block.split("_")
    a = {"type": ops[0], "e": 1.0, "se": None}
    for op in ops[1:]:
        if op.startswith("se"):
            a["se"] = float(op[2:])
        elif op[0] in "rksc":
            a[op[0]] = int(op[1:])
        elif op[0] == "e":
            a["e"] = float(op[1:])
    return a


def mobilenetv3_large_100():
    t = Layout()
    stem = make_divisible(16)
    t.conv("conv_stem", 3, stem, 3)
    t.bn("bn1", stem)
    cin = stem
    for s, stage in enumerate(LARGE):
        i = 0
        for block in stage:
            a = decode(block)
            for _ in range(a["r"]):
                p = "blocks.%d.%d" % (s, i)
                cout = make_divisible(a["c"])
                if a["type"] == "ds":
                    t.conv(p + ".conv_dw", cin, cin, a["k"], groups=cin)
                    t.bn(p + ".bn1", cin)
                    if a["se"]:
                        rd = make_divisible(cin * a["se"])
                        t.conv(p + ".se.conv_reduce", cin, rd, 1, bias=True)
                        t.conv(p + ".se.conv_expand", rd, cin, 1, bias=True)
                    t.conv(p + ".conv_pw", cin, cout, 1)
                    t.bn(p + ".bn2", cout)
                elif a["type"] == "ir":
                    mid = make_divisible(cin * a["e"])
                    t.conv(p + ".conv_pw", cin, mid, 1)
                    t.bn(p + ".bn1", mid)
                    t.conv(p + ".conv_dw", mid, mid, a["k"], groups=mid)
                    t.bn(p + ".bn2", mid)
                    if a["se"]:
                        rd = make_divisible(mid * a["se"])  # se_from_exp: from mid_chs
                        t.conv(p + ".se.conv_reduce", mid, rd, 1, bias=True)
                        t.conv(p + ".se.conv_expand", rd, mid, 1, bias=True)
                    t.conv(p + ".conv_pwl", mid, cout, 1)
                    t.bn(p + ".bn3", cout)
                else:  # cn: ConvBnAct
                    t.conv(p + ".conv", cin, cout, a["k"])
                    t.bn(p + ".bn1", cout)
                cin = cout
                i += 1
    t.conv("conv_head", cin, 1280, 1, bias=True)  # head_bias=True, no norm
    t.add("classifier.weight", (1000, 1280))
    t.add("classifier.bias", (1000,))
    return t.tensors


def main():
    models = {"resnet18": resnet18(), "mobilenetv3_large_100": mobilenetv3_large_100()}
    for name, tensors in models.items():
        params = [(n, s) for n, s in tensors if not n.endswith(("running_mean", "running_var",
                                                               "num_batches_tracked"))]
        count = 0
        for _, s in params:
            n = 1
            for d in s:
                n *= d
            count += n
        print("%s: %d tensors, %d parameter tensors, %d parameters"
              % (name, len(tensors), len(params), count), file=sys.stderr)
    doc = {
        "_how": "state_dict names and shapes of timm's resnet18 and mobilenetv3_large_100, "
                "rebuilt from timm's source by train/src/test/resources/timm_names.py (timm is not "
                "installed); see that script's docstring",
        "models": models,
    }
    json.dump(doc, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
