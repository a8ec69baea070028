#!/usr/bin/env python3
"""Writes Tests/StreamConvPresetsTests/Fixtures/network_torch.json (and two small state dicts)
from real PyTorch: network presets (schema v2) with their inputs and torch's outputs in
float64 and float32, and every activation on special values (±0, ±Inf, NaN, subnormals, huge).

Needs torch, numpy and safetensors (pip install torch numpy safetensors); the tests never run
it, they read what it wrote. Weights and inputs are float32 values (exact in both precisions),
so the Float and Double runs start from the same numbers torch does.
    python3 scripts/make_network_fixtures.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "StreamConvPresetsTests", "Fixtures")
rng = np.random.default_rng(2026)


def f32(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)


def t(a, dtype):
    return torch.tensor(a, dtype=dtype)


def run(nodes, inputs_np, dtype):
    """Evaluates the node list (the preset's own semantics, written with torch ops)."""
    values = {"input": t(inputs_np, dtype)[None]}
    last = "input"
    for n in nodes:
        ins = [values[i] for i in n.get("inputs", [last])]
        x = ins[0]
        op = n["op"]
        if op == "conv1d":
            w = t(n["weight"], dtype)
            b = t(n["bias"], dtype) if "bias" in n else None
            mode = n.get("padding_mode", "zeros")
            pad = n.get("padding", 0)
            if mode != "zeros" and pad:
                y = F.conv1d(F.pad(x, (pad, pad), mode=mode), w, b, n.get("stride", 1), 0, n.get("dilation", 1), n.get("groups", 1))
            else:
                y = F.conv1d(x, w, b, n.get("stride", 1), pad, n.get("dilation", 1), n.get("groups", 1))
        elif op == "conv_transpose1d":
            w = t(n["weight"], dtype)
            b = t(n["bias"], dtype) if isinstance(n.get("bias"), list) else None
            y = F.conv_transpose1d(x, w, b, n.get("stride", 1), n.get("padding", 0), n.get("output_padding", 0),
                                   n.get("groups", 1), n.get("dilation", 1))
        elif op == "pad":
            mode = n.get("mode", "zeros")
            y = F.pad(x, tuple(n["padding"]), mode="constant" if mode == "zeros" else mode, value=n.get("value", 0.0)) \
                if mode == "zeros" else F.pad(x, tuple(n["padding"]), mode=mode)
        elif op in ACTIVATIONS:
            y = ACTIVATIONS[op](x, n)
        elif op == "prelu":
            y = F.prelu(x, t(n["weight"], dtype))
        elif op == "snake":
            a = t(n["alpha"], dtype).reshape(1, -1, 1)
            y = x + (1.0 / (a + 1e-9)) * torch.pow(torch.sin(x * a), 2)
        elif op == "batch_norm1d":
            y = F.batch_norm(x, t(n["running_mean"], dtype), t(n["running_var"], dtype), t(n["weight"], dtype),
                             t(n["bias"], dtype), False, 0.1, n.get("eps", 1e-5))
        elif op == "add":
            y = ins[0]
            for other in ins[1:]:
                y = y + other
        elif op == "mul":
            y = ins[0] * ins[1]
        elif op == "cat":
            y = torch.cat(ins, dim=1)
        elif op == "slice":
            y = x[:, n["start"]:n["end"]]
        elif op == "glu":
            y = F.glu(x, dim=1)
        elif op == "gain":
            y = x * n["factor"]
        elif op == "delay":
            y = F.pad(x, (n["frames"], 0))[..., :x.shape[-1]]
        else:
            raise ValueError(op)
        values[n["name"]] = y
        last = n["name"]
    return values[last][0]


ACTIVATIONS = {
    "relu": lambda x, n: torch.relu(x),
    "sigmoid": lambda x, n: torch.sigmoid(x),
    "tanh": lambda x, n: torch.tanh(x),
    "silu": lambda x, n: F.silu(x),
    "selu": lambda x, n: F.selu(x),
    "leaky_relu": lambda x, n: F.leaky_relu(x, n.get("negative_slope", 0.01)),
    "elu": lambda x, n: F.elu(x, n.get("alpha", 1.0)),
    "gelu": lambda x, n: F.gelu(x, approximate=n.get("approximate", "none")),
    "hardtanh": lambda x, n: F.hardtanh(x, n.get("min_val", -1.0), n.get("max_val", 1.0)),
}


def conv(name, cin, cout, k, scale=0.5, bias=True, **kw):
    g = kw.get("groups", 1)
    n = {"name": name, "op": "conv1d", "in_channels": cin, "out_channels": cout, "kernel_size": k,
         "weight": f32(cout, cin // g, k, scale=scale).tolist(), **kw}
    if bias:
        n["bias"] = f32(cout, scale=0.1).tolist()
    else:
        n["bias"] = False
    return n


def convt(name, cin, cout, k, scale=0.5, bias=True, **kw):
    g = kw.get("groups", 1)
    n = {"name": name, "op": "conv_transpose1d", "in_channels": cin, "out_channels": cout, "kernel_size": k,
         "weight": f32(cin, cout // g, k, scale=scale).tolist(), **kw}
    n["bias"] = f32(cout, scale=0.1).tolist() if bias else False
    return n


def clean(node):
    """The node as the preset writes it (bias False is the flag)."""
    out = dict(node)
    if out.get("bias") is False:
        out["bias"] = False
    return out


CASES = []


def case(name, in_channels, nodes, length=60, scale=1.0):
    x = f32(in_channels, length, scale=scale)
    for n in nodes:
        if n["op"] == "conv1d" and n.get("bias") is False:
            n.pop("bias")
            n["bias"] = False
    torch_nodes = [{k: v for k, v in n.items() if not (k == "bias" and v is False)} for n in nodes]
    y64 = run(torch_nodes, x, torch.float64).numpy()
    y32 = run(torch_nodes, x, torch.float32).double().numpy()
    CASES.append({"name": name, "preset": {"name": name, "in_channels": in_channels, "network": nodes},
                  "input": x.tolist(), "expected64": y64.tolist(), "expected32": y32.tolist()})


case("tcn", 1, [
    {"name": "pad0", "op": "pad", "padding": [2, 0]}, conv("conv0", 1, 4, 3), {"name": "act0", "op": "tanh"},
    {"name": "pad1", "op": "pad", "padding": [4, 0]}, conv("conv1", 4, 4, 3, dilation=2), {"name": "act1", "op": "tanh"},
    {"name": "res1", "op": "add", "inputs": ["act1", "act0"]}, conv("out", 4, 1, 1)])
case("encoder-decoder", 1, [
    conv("e0", 1, 4, 4, stride=2, padding=1), {"name": "a0", "op": "elu", "alpha": 1.0},
    conv("e1", 4, 8, 4, stride=2, padding=1), {"name": "a1", "op": "leaky_relu", "negative_slope": 0.2},
    convt("d0", 8, 4, 4, stride=2, padding=1), {"name": "s0", "op": "snake", "alpha": (np.abs(f32(4)) + 0.5).tolist()},
    convt("d1", 4, 2, 5, stride=2, padding=2, output_padding=1), {"name": "g", "op": "gelu"}], length=64)
case("transposed-dilated-groups", 4, [convt("t", 4, 6, 5, stride=3, padding=2, output_padding=1, dilation=2, groups=2)], length=23)
case("transposed-wide-stride", 2, [convt("t", 2, 3, 3, stride=5, padding=1, output_padding=3, bias=False)], length=17)
case("transposed-dilation-over-stride", 3, [convt("t", 3, 2, 4, stride=2, padding=3, output_padding=2, dilation=3)], length=19)
case("gated-residual", 2, [
    conv("c", 2, 8, 3, padding=1), {"name": "a", "op": "slice", "start": 0, "end": 4}, {"name": "ta", "op": "tanh"},
    {"name": "b", "op": "slice", "start": 4, "end": 8, "inputs": ["c"]}, {"name": "sb", "op": "sigmoid"},
    {"name": "gate", "op": "mul", "inputs": ["ta", "sb"]}, {"name": "glu", "op": "glu", "inputs": ["c"]},
    {"name": "sum", "op": "add", "inputs": ["gate", "glu", "gate"]},
    {"name": "bn", "op": "batch_norm1d", "num_features": 4, "eps": 1e-3, "weight": f32(4).tolist(), "bias": f32(4).tolist(),
     "running_mean": f32(4, scale=0.2).tolist(), "running_var": (np.abs(f32(4)) + 0.3).tolist()},
    {"name": "pr", "op": "prelu", "num_parameters": 4, "weight": f32(4, scale=0.3).tolist()},
    {"name": "cat", "op": "cat", "inputs": ["pr", "input"]},
    {"name": "p1", "op": "prelu", "weight": [0.25]}], length=50, scale=2.0)
case("activations", 3, [
    {"name": "g1", "op": "gain", "factor": 3.0}, {"name": "r", "op": "relu", "inputs": ["g1"]},
    {"name": "si", "op": "silu", "inputs": ["g1"]}, {"name": "se", "op": "selu", "inputs": ["g1"]},
    {"name": "gt", "op": "gelu", "approximate": "tanh", "inputs": ["g1"]}, {"name": "gn", "op": "gelu", "inputs": ["g1"]},
    {"name": "h", "op": "hardtanh", "min_val": -0.5, "max_val": 0.75, "inputs": ["g1"]},
    {"name": "el", "op": "elu", "alpha": 1.7, "inputs": ["g1"]}, {"name": "lr", "op": "leaky_relu", "inputs": ["g1"]},
    {"name": "sg", "op": "sigmoid", "inputs": ["g1"]}, {"name": "th", "op": "tanh", "inputs": ["g1"]},
    {"name": "all", "op": "cat", "inputs": ["r", "si", "se", "gt", "gn", "h", "el", "lr", "sg", "th"]}], length=80, scale=2.0)
case("pads-and-delays", 2, [
    {"name": "rf", "op": "pad", "padding": [3, 2], "mode": "reflect"},
    {"name": "rp", "op": "pad", "padding": [1, 4], "mode": "replicate"},
    {"name": "cr", "op": "pad", "padding": [-2, 3], "value": 0.5},
    {"name": "cr2", "op": "pad", "padding": [4, -3]},
    {"name": "d", "op": "delay", "frames": 3},
    conv("c", 2, 2, 5, padding=2, padding_mode="reflect", groups=2, bias=False),
    conv("c2", 2, 3, 3, padding=1, padding_mode="replicate", stride=2)], length=30)

# Activations on special values, float32 and float64, each op alone.
special = [float("-inf"), -1e30, -100.0, -20.0, -1.0, -1e-3, -1e-40, -0.0, 0.0, 1e-45, 1e-40, 1e-3, 1.0, 20.0, 100.0, 1e30, float("inf"), float("nan")]
SPECIAL = []
for op, params in [("relu", {}), ("sigmoid", {}), ("tanh", {}), ("silu", {}), ("selu", {}), ("leaky_relu", {"negative_slope": 0.1}),
                   ("elu", {"alpha": 1.5}), ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("hardtanh", {})]:
    row = {"op": op, "params": params}
    for name, dtype in [("float32", torch.float32), ("float64", torch.float64)]:
        y = ACTIVATIONS[op](torch.tensor(special, dtype=dtype), params)
        row[name] = [repr(float(v)) for v in y]
    SPECIAL.append(row)

# Weight norm in a state dict, both spellings, and a legacy/parametrized ConvTranspose1d.
sd = {}
m1 = torch.nn.utils.weight_norm(torch.nn.Conv1d(2, 3, 3, padding=1))
m2 = torch.nn.utils.parametrizations.weight_norm(torch.nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1))
with torch.no_grad():
    for p in list(m1.parameters()) + list(m2.parameters()):
        p.copy_(torch.tensor(f32(*p.shape, scale=0.5)))
for k, v in m1.state_dict().items():
    sd["enc." + k] = v.contiguous()
for k, v in m2.state_dict().items():
    sd["dec." + k] = v.contiguous()
save_file(sd, os.path.join(OUT, "weight_norm.safetensors"))
x = f32(2, 40)
with torch.no_grad():
    y64 = m2.double()(torch.relu(m1.double()(torch.tensor(x)[None])))[0].numpy()
state_case = {"preset": {"name": "weight-norm", "in_channels": 2, "weights": "weight_norm.safetensors", "network": [
    {"name": "enc", "op": "conv1d", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1, "weights_prefix": "enc."},
    {"name": "r", "op": "relu"},
    {"name": "dec", "op": "conv_transpose1d", "in_channels": 3, "out_channels": 2, "kernel_size": 4, "stride": 2, "padding": 1,
     "weights_prefix": "dec."}]}, "input": x.tolist(), "expected64": y64.tolist(), "names": sorted(sd.keys())}

with open(os.path.join(OUT, "network_torch.json"), "w") as f:
    json.dump({"torch": torch.__version__, "cases": CASES, "special_inputs": [repr(v) for v in special], "special": SPECIAL,
               "weight_norm": state_case}, f)
print("wrote", len(CASES), "cases,", len(SPECIAL), "special rows; torch", torch.__version__)
