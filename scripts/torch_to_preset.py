#!/usr/bin/env python3
"""Writes a streamconv preset for a torch.nn.Conv1d saved as safetensors.

Pure Python (no torch, no numpy): the tensor shapes are read from the safetensors header.
In PyTorch:

    from safetensors.torch import save_file
    save_file(conv.state_dict(), "conv.safetensors")          # or a whole model's state_dict

then:

    scripts/torch_to_preset.py conv.safetensors --stride 2 --padding 1 > conv.json
    streamconv run --preset conv.json --in in.wav --out out.wav

The hyper-parameters the weights do not carry (stride, padding, dilation, groups,
padding_mode) are options; a weight alone cannot say whether a layer is an nn.ConvTranspose1d
(it has the same three dimensions), so --transposed says it (scripts/export_torch.py, which
sees the module, needs no such option). A bias can: a Conv1d's has weight.shape[0] values, a
ConvTranspose1d's weight.shape[1]·groups, so a state dict that cannot be a Conv1d is refused
without --transposed (and one whose bias does not fit --groups with it). Weight norm (weight_g/weight_v, or
parametrizations.weight.original0/1) is written as a network preset whose node streamconv
folds as PyTorch computes it; in_channels = weight.shape[1] · groups, out_channels and
kernel_size come from the weight, bias from whether the file holds one.
"""
import argparse
import json
import os
import struct
import sys


def header(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("safetensors")
    p.add_argument("--prefix", default="", help='the layer\'s prefix in a larger state_dict, e.g. "encoder.conv."')
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--padding", default="0", help='an integer, "same" or "valid"')
    p.add_argument("--dilation", type=int, default=1)
    p.add_argument("--groups", type=int, default=1)
    p.add_argument("--padding-mode", default="zeros", choices=["zeros", "reflect", "replicate", "circular"])
    p.add_argument("--transposed", action="store_true",
                   help="the layer is an nn.ConvTranspose1d (its weight [in][out/groups][K] looks like a Conv1d's: a state dict cannot tell)")
    p.add_argument("--output-padding", type=int, default=0, help="output_padding of a --transposed layer")
    p.add_argument("--sample-rate", type=int, help="the rate the layer was trained at, if it matters")
    p.add_argument("--name")
    p.add_argument("--description", default="")
    p.add_argument("--output", help="where the preset goes (default stdout); weights paths are made relative to it")
    a = p.parse_args()

    tensors = header(a.safetensors)
    weight = tensors.get(a.prefix + "weight")
    # Weight norm: the weight is g·v/‖v‖, which streamconv folds from a network preset's node.
    norm = None
    for g, v in [("weight_g", "weight_v"), ("parametrizations.weight.original0", "parametrizations.weight.original1")]:
        if weight is None and a.prefix + g in tensors and a.prefix + v in tensors:
            norm = v
            weight = tensors[a.prefix + v]
    if weight is None:
        names = ", ".join(sorted(k for k in tensors if k != "__metadata__"))
        sys.exit(f"{a.safetensors}: no tensor {a.prefix}weight (it holds {names}); give --prefix")
    if len(weight["shape"]) != 3:
        sys.exit(f"{a.prefix}weight has shape {weight['shape']}; a Conv1d weight has 3 dimensions (out, in/groups, kernel)")
    out_channels, per_group, kernel = weight["shape"]
    # The bias tells the two layers apart where it can: a Conv1d's has weight.shape[0] values
    # (out_channels), a ConvTranspose1d's weight.shape[1]·groups.
    bias = tensors.get(a.prefix + "bias")
    if bias is not None and not a.transposed and list(bias["shape"]) != [out_channels]:
        sys.exit(f"{a.prefix}bias has shape {bias['shape']} but {a.prefix}weight {weight['shape']}: not a Conv1d "
                 f"(whose bias has weight.shape[0] = {out_channels} values); a ConvTranspose1d's has "
                 f"weight.shape[1]·groups: give --transposed (and --groups)")
    if bias is not None and a.transposed and list(bias["shape"]) != [per_group * a.groups]:
        sys.exit(f"{a.prefix}bias has shape {bias['shape']}; a ConvTranspose1d with weight {weight['shape']} and "
                 f"--groups {a.groups} has {per_group * a.groups} output channels: check --groups (or drop --transposed)")
    padding = a.padding if a.padding in ("same", "valid") else int(a.padding)
    folder = os.path.dirname(os.path.abspath(a.output)) if a.output else os.getcwd()
    preset = {
        "name": a.name or os.path.splitext(os.path.basename(a.safetensors))[0],
        "description": a.description or f"{'ConvTranspose1d' if a.transposed else 'Conv1d'} from {os.path.basename(a.safetensors)}",
    }
    if a.sample_rate:
        preset["sample_rate"] = a.sample_rate
    weights = os.path.relpath(os.path.abspath(a.safetensors), folder)
    # Conv1d's fields, the same in a version 1 preset and in a network node.
    conv = {"in_channels": per_group * a.groups, "out_channels": out_channels, "kernel_size": kernel,
            "stride": a.stride, "padding": padding, "dilation": a.dilation, "groups": a.groups,
            "bias": bias is not None, "padding_mode": a.padding_mode}
    if a.transposed:
        # A network preset of one node: it carries conv_transpose1d (and folds weight norm).
        in_channels, per_group_out, kernel = weight["shape"]
        node = {"name": "layer", "op": "conv_transpose1d", "in_channels": in_channels,
                "out_channels": per_group_out * a.groups, "kernel_size": kernel, "stride": a.stride,
                "padding": int(padding) if not isinstance(padding, str) else sys.exit("--transposed takes an integer --padding"),
                "output_padding": a.output_padding, "groups": a.groups, "dilation": a.dilation,
                "bias": bias is not None, "weights_prefix": a.prefix}
    elif norm:
        # A network preset of one node, which folds weight norm.
        node = {"name": "layer", "op": "conv1d", **conv, "weights_prefix": a.prefix}
    else:
        node = None
    if node is not None:
        preset["in_channels"] = node["in_channels"]
        preset["weights"] = weights
        preset["network"] = [node]
    else:
        preset["conv1d"] = conv
        preset["weights"] = weights
        if a.prefix:
            preset["weights_prefix"] = a.prefix
    text = json.dumps(preset, indent=2) + "\n"
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
