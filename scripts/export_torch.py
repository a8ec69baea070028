#!/usr/bin/env python3
"""Exports a PyTorch model to a streamconv network preset (schema v2) and its state dict.

Needs torch, numpy and safetensors; nothing else in streamconv does. The model is traced with
torch.fx and each node mapped to a network op: nn.Conv1d, nn.ConvTranspose1d (plain, legacy
or parametrized weight norm), the activations (ReLU, LeakyReLU, ELU, SELU, GELU, SiLU,
Sigmoid, Tanh, Hardtanh, PReLU, GLU, a module named Snake with `alpha`), BatchNorm1d in eval,
F.pad, torch.cat on channels, channel slices, `+`, `*` and scaling by a number. Anything else
is refused, naming the node and the line of the model's source it came from.

The export checks itself: PyTorch runs the example input, and the expected output is written
next to the preset for `streamconv verify --input … --expect …`.

    import torch, sys; sys.path.insert(0, "scripts"); from export_torch import export
    export(model, torch.randn(1, 1, 48000), "out/model")        # out/model.json, .safetensors, …

or from the command line, for a module built by a Python expression:

    scripts/export_torch.py --module "mymodels.Tcn()" --state tcn.pt --channels 1 --frames 48000 --output out/tcn
"""
import argparse
import json
import operator
import os
import sys

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F


class Refused(Exception):
    pass


def where(node):
    trace = node.meta.get("stack_trace") or getattr(node, "stack_trace", None) or ""
    # The model's own line: the last frame outside torch and this script.
    lines = [l.strip() for l in trace.strip().splitlines()
             if l.strip().startswith("File") and "/torch/" not in l and "/export_torch.py\"" not in l]
    return f" ({lines[-1]})" if lines else ""


def refuse(node, why):
    raise Refused(f"node '{node.name}' ({node.op} {getattr(node.target, '__name__', node.target)}): {why}{where(node)}")


ACTIVATION_MODULES = {
    nn.ReLU: lambda m: {"op": "relu"},
    nn.Sigmoid: lambda m: {"op": "sigmoid"},
    nn.Tanh: lambda m: {"op": "tanh"},
    nn.SiLU: lambda m: {"op": "silu"},
    nn.SELU: lambda m: {"op": "selu"},
    nn.LeakyReLU: lambda m: {"op": "leaky_relu", "negative_slope": m.negative_slope},
    nn.ELU: lambda m: {"op": "elu", "alpha": m.alpha},
    nn.GELU: lambda m: {"op": "gelu", "approximate": m.approximate},
    nn.Hardtanh: lambda m: {"op": "hardtanh", "min_val": m.min_val, "max_val": m.max_val},
    nn.Identity: None,
}
ACTIVATION_FUNCTIONS = {
    torch.relu: "relu", F.relu: "relu", torch.sigmoid: "sigmoid", torch.tanh: "tanh", F.silu: "silu",
    F.selu: "selu", F.gelu: "gelu", F.elu: "elu", F.leaky_relu: "leaky_relu", F.hardtanh: "hardtanh",
}


def padding_of(conv, node):
    if isinstance(conv.padding, str):
        return conv.padding
    if len(set(conv.padding)) != 1:
        refuse(node, f"asymmetric padding {conv.padding}")
    return conv.padding[0]


def one(value, name, node):
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(value) != 1:
        refuse(node, f"{name} {value} is not 1-D")
    return value[0]


def to_nodes(model, traced):
    modules = dict(traced.named_modules())
    nodes, names, inline = [], {}, {}

    def ref(arg, node):
        if not isinstance(arg, torch.fx.Node):
            refuse(node, f"an input that is not a tensor of the graph ({arg!r})")
        return names[arg.name]

    for node in traced.graph.nodes:
        out = None
        if node.op == "placeholder":
            if names:
                refuse(node, "a second model input; a network has one")
            names[node.name] = "input"
            continue
        if node.op == "output":
            result = node.args[0]
            if not isinstance(result, torch.fx.Node):
                refuse(node, "an output that is not one tensor")
            return nodes, names[result.name]
        if node.op == "get_attr":
            refuse(node, "a tensor read from the module inside forward (use it through a supported module)")
        inputs = [ref(a, node) for a in node.args if isinstance(a, torch.fx.Node)]
        if node.op == "call_module":
            m = modules[node.target]
            prefix = node.target + "."
            if isinstance(m, nn.Conv1d):
                out = {"op": "conv1d", "in_channels": m.in_channels, "out_channels": m.out_channels,
                       "kernel_size": one(m.kernel_size, "kernel_size", node), "stride": one(m.stride, "stride", node),
                       "padding": padding_of(m, node), "dilation": one(m.dilation, "dilation", node), "groups": m.groups,
                       "bias": m.bias is not None, "padding_mode": m.padding_mode, "weights_prefix": prefix}
            elif isinstance(m, nn.ConvTranspose1d):
                out = {"op": "conv_transpose1d", "in_channels": m.in_channels, "out_channels": m.out_channels,
                       "kernel_size": one(m.kernel_size, "kernel_size", node), "stride": one(m.stride, "stride", node),
                       "padding": one(m.padding, "padding", node), "output_padding": one(m.output_padding, "output_padding", node),
                       "groups": m.groups, "bias": m.bias is not None, "dilation": one(m.dilation, "dilation", node),
                       "weights_prefix": prefix}
            elif isinstance(m, nn.PReLU):
                out = {"op": "prelu", "num_parameters": m.num_parameters, "weights_prefix": prefix}
            elif isinstance(m, nn.BatchNorm1d):
                if m.training:
                    refuse(node, "BatchNorm1d in training mode; call model.eval() first")
                if not m.affine or not m.track_running_stats:
                    refuse(node, "BatchNorm1d without affine parameters or running statistics")
                out = {"op": "batch_norm1d", "num_features": m.num_features, "eps": m.eps, "weights_prefix": prefix}
            elif isinstance(m, nn.GLU):
                if m.dim not in (1, -2):
                    refuse(node, f"GLU over dim {m.dim}; only channels (dim=1)")
                out = {"op": "glu"}
            elif type(m).__name__.lower() == "snake" and hasattr(m, "alpha"):
                alpha = m.alpha.detach()
                if getattr(m, "alpha_logscale", False):
                    alpha = torch.exp(alpha)
                out = {"op": "snake", "alpha": alpha.reshape(-1).double().tolist()}
            elif type(m) in ACTIVATION_MODULES:
                make = ACTIVATION_MODULES[type(m)]
                if make is None:
                    names[node.name] = inputs[0]
                    continue
                out = make(m)
            else:
                refuse(node, f"module {type(m).__name__} is not supported")
        elif node.op == "call_function":
            f = node.target
            if f in ACTIVATION_FUNCTIONS:
                out = {"op": ACTIVATION_FUNCTIONS[f]}
                kw = dict(node.kwargs)
                if f is F.leaky_relu:
                    out["negative_slope"] = kw.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01)
                if f is F.elu:
                    out["alpha"] = kw.get("alpha", node.args[1] if len(node.args) > 1 else 1.0)
                if f is F.gelu:
                    out["approximate"] = kw.get("approximate", "none")
                if f is F.hardtanh:
                    out["min_val"] = kw.get("min_val", node.args[1] if len(node.args) > 1 else -1.0)
                    out["max_val"] = kw.get("max_val", node.args[2] if len(node.args) > 2 else 1.0)
            elif f is F.pad:
                pad = node.args[1] if len(node.args) > 1 else node.kwargs["pad"]
                mode = node.kwargs.get("mode", node.args[2] if len(node.args) > 2 else "constant")
                value = node.kwargs.get("value", node.args[3] if len(node.args) > 3 else None) or 0.0
                if len(pad) != 2:
                    refuse(node, f"F.pad of {len(pad)} amounts; only the time axis (left, right)")
                if mode not in ("constant", "reflect", "replicate"):
                    refuse(node, f"F.pad mode {mode}")
                out = {"op": "pad", "padding": list(pad), "mode": "zeros" if mode == "constant" else mode}
                if value:
                    out["value"] = value
            elif f is torch.cat:
                tensors = node.args[0]
                dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
                if dim not in (1, -2):
                    refuse(node, f"torch.cat over dim {dim}; only channels (dim=1)")
                inputs = [ref(a, node) for a in tensors]
                out = {"op": "cat"}
            elif f in (operator.add, torch.add, operator.mul, torch.mul):
                a, b = node.args[0], node.args[1]
                is_add = f in (operator.add, torch.add)
                if isinstance(a, torch.fx.Node) and isinstance(b, torch.fx.Node):
                    out = {"op": "add" if is_add else "mul"}
                    inputs = [ref(a, node), ref(b, node)]
                elif not is_add and isinstance(a, (int, float)) != isinstance(b, (int, float)):
                    factor = a if isinstance(a, (int, float)) else b
                    out = {"op": "gain", "factor": float(factor)}
                    inputs = [ref(a if isinstance(b, (int, float)) else b, node)]
                else:
                    refuse(node, "adding a constant (only tensors of the graph are added)")
            elif f is operator.getitem:
                index = node.args[1]
                if not (isinstance(index, tuple) and len(index) >= 2 and index[0] == slice(None)
                        and isinstance(index[1], slice) and index[1].step in (None, 1)
                        and all(i == slice(None) for i in index[2:])):
                    refuse(node, f"indexing {index!r}; only channel slices x[:, a:b]")
                start = index[1].start or 0
                end = index[1].stop
                if end is None or start < 0 or end < 0:
                    refuse(node, "a channel slice needs explicit non-negative start and end")
                out = {"op": "slice", "start": start, "end": end}
            else:
                refuse(node, f"function {getattr(f, '__name__', f)} is not supported")
        elif node.op == "call_method":
            method = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu"}.get(node.target)
            if method is None:
                refuse(node, f"method .{node.target}() is not supported")
            out = {"op": method}
        name = node.name
        out = {"name": name, **out}
        if inputs:
            out["inputs"] = inputs
        nodes.append(out)
        names[node.name] = name
    raise Refused("the graph has no output")


class Tracer(torch.fx.Tracer):
    """torch.fx's tracer, with snake activations kept whole (they are one op here) and each
    node's source line recorded for refusals."""
    def __init__(self):
        super().__init__()
        self.record_stack_traces = True

    def is_leaf_module(self, m, qualname):
        return type(m).__name__.lower() == "snake" or super().is_leaf_module(m, qualname)


def export(model, example, path, sample_rate=None, name=None, description=""):
    """Writes path.json (the preset), path.safetensors (the state dict), path.input.npy and
    path.expected.npy (the example and PyTorch's output for it). Returns the preset."""
    from safetensors.torch import save_file
    model = model.eval()
    traced = torch.fx.GraphModule(model, Tracer().trace(model))
    nodes, output = to_nodes(model, traced)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    base = os.path.basename(path)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items() if v.is_floating_point()}
    save_file(state, path + ".safetensors")
    preset = {"name": name or base, "description": description, "in_channels": int(example.shape[1]),
              "weights": base + ".safetensors", "network": nodes, "output": output}
    if sample_rate:
        preset["sample_rate"] = sample_rate
    with open(path + ".json", "w") as f:
        json.dump(preset, f, indent=1)
    with torch.no_grad():
        expected = model(example)
    np.save(path + ".input.npy", example[0].detach().float().numpy())
    np.save(path + ".expected.npy", expected[0].detach().float().numpy())
    print(f"wrote {path}.json ({len(nodes)} nodes), {path}.safetensors; check it with:\n"
          f"  streamconv verify --preset {path}.json --input {path}.input.npy --expect {path}.expected.npy")
    return preset


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--module", required=True, help="a Python expression that builds the nn.Module (its modules importable)")
    p.add_argument("--state", help="a state dict (torch.save) to load into it")
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--frames", type=int, default=48000)
    p.add_argument("--sample-rate", type=int)
    p.add_argument("--output", required=True, help="path without extension")
    a = p.parse_args()
    sys.path.insert(0, os.getcwd())
    model = eval(a.module)  # noqa: S307 (the user's own expression)
    if a.state:
        model.load_state_dict(torch.load(a.state, map_location="cpu"))
    try:
        export(model, torch.randn(1, a.channels, a.frames), a.output, a.sample_rate)
    except Refused as e:
        sys.exit(f"export_torch.py: {e}")


if __name__ == "__main__":
    main()
