#!/usr/bin/python3
"""Forward + backward time of ResNet-20 operations, NCHW vs channels-last, in PyTorch (twin of LayoutOpsBench.java). Run: /usr/bin/python3 bench/layout_ops.py"""
import torch, time, statistics, torch.nn.functional as F
torch.set_num_threads(2)
B=128; IT=30
def t(cl, bf16, shape, op):
    mf = torch.channels_last if cl else torch.contiguous_format
    x = torch.randn(shape).contiguous(memory_format=mf).requires_grad_(True)
    g=None; ms=[]
    for i in range(-5, IT):
        t0=time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16, cache_enabled=False):
            y = op(x)
        if g is None: g = torch.randn(y.shape); g = g.contiguous(memory_format=mf) if y.dim() == 4 else g
        y.backward(g.to(y.dtype))
        if i>=0: ms.append((time.perf_counter()-t0)*1000)
    return statistics.median(ms)
def row(name, shape, op):
    print("%-34s" % name + "".join(" %8.2f" % t(cl, bf, shape, op) for bf in (False, True) for cl in (False, True)), flush=True)
print("%-34s %8s %8s %8s %8s" % ("op (fwd+bwd, ms, batch 128)", "fp32", "fp32-cl", "bf16", "bf16-cl"))
for cin, cout, hw in ((1,16,28),(16,16,28),(32,32,14),(64,64,7)):
    w = (torch.randn(cout,cin,3,3)*0.1).requires_grad_(True)
    wcl = w.detach().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    row("conv3x3 %d->%d @%d (w nchw)"%(cin,cout,hw), (B,cin,hw,hw), lambda x: F.conv2d(x,w,padding=1))
    row("conv3x3 %d->%d @%d (w cl)"%(cin,cout,hw), (B,cin,hw,hw), lambda x: F.conv2d(x,wcl,padding=1))
for cin, cout, hw in ((16,32,28),(32,64,14)):
    w = (torch.randn(cout,cin,3,3)*0.1).contiguous(memory_format=torch.channels_last).requires_grad_(True)
    w1 = (torch.randn(cout,cin,1,1)*0.1).contiguous(memory_format=torch.channels_last).requires_grad_(True)
    row("conv3x3 s2 %d->%d @%d"%(cin,cout,hw), (B,cin,hw,hw), lambda x: F.conv2d(x,w,stride=2,padding=1))
    row("slice+conv1x1 %d->%d @%d"%(cin,cout,hw), (B,cin,hw,hw), lambda x: F.conv2d(x[:,:,::2,::2],w1))
    row("conv1x1 s2 %d->%d @%d"%(cin,cout,hw), (B,cin,hw,hw), lambda x: F.conv2d(x,w1,stride=2))
for ch, hw in ((16,28),(32,14),(64,7)):
    w=torch.ones(ch,requires_grad=True); b=torch.zeros(ch,requires_grad=True); rm=torch.zeros(ch); rv=torch.ones(ch)
    row("batch_norm %d @%d"%(ch,hw), (B,ch,hw,hw), lambda x: F.batch_norm(x,rm,rv,w,b,True,0.1,1e-5))
    row("relu %d @%d"%(ch,hw), (B,ch,hw,hw), lambda x: torch.relu(x))
    row("add %d @%d"%(ch,hw), (B,ch,hw,hw), lambda x: x+x)
pw=torch.randn(10,64,requires_grad=True)
row("avgpool+flatten+linear 64 @7", (B,64,7,7), lambda x: F.linear(F.adaptive_avg_pool2d(x,1).flatten(1), pw))
