#!/usr/bin/env python3
"""Writes the shipped presets in presets/ from scipy's FIR design.

Weights are float32 values written as their shortest decimal form, so streamconv reads them
back bit for bit. Run again after changing a design; the files are committed.
"""
import json
import os

import numpy as np
from scipy import signal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def f32_text(value):
    """Shortest decimal that reads back as the same float32."""
    text = str(np.float32(value))
    return text[:-2] if text.endswith(".0") else text


def nested(array):
    if array.ndim == 1:
        return "[" + ", ".join(f32_text(v) for v in array) + "]"
    return "[" + ", ".join(nested(a) for a in array) + "]"


def write(name, header, weight=None, bias=None, extra=None):
    """header: name/description/sample_rate/conv1d; weight as (out, in/groups, K) numpy array."""
    lines = ["{"]
    items = [f'  "{k}": {json.dumps(v)}' for k, v in header.items()]
    if extra:
        items += [f'  "{k}": {json.dumps(v)}' for k, v in extra.items()]
    if weight is not None:
        rows = ",\n    ".join(nested(w) for w in weight)
        items.append(f'  "weight": [\n    {rows}\n  ]')
    if bias is not None:
        items.append(f'  "bias": {nested(bias)}')
    lines.append(",\n".join(items))
    lines.append("}")
    path = os.path.join(ROOT, "presets", name + ".json")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", os.path.relpath(path, ROOT))


def main():
    os.makedirs(os.path.join(ROOT, "presets"), exist_ok=True)

    taps = signal.firwin(63, 4000, fs=48000, window="blackman")
    write("lowpass-4k", {
        "name": "lowpass-4k",
        "description": "Linear-phase low-pass at 4 kHz, 63 taps (Blackman), per channel, stereo 48 kHz",
        "sample_rate": 48000,
        "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 63, "stride": 1, "padding": "same",
                   "dilation": 1, "groups": 2, "bias": False, "padding_mode": "zeros"},
    }, weight=np.stack([taps[::-1], taps[::-1]])[:, None, :])

    taps = signal.firwin(31, 9000, fs=48000, window="hamming")
    write("decimate-2x", {
        "name": "decimate-2x",
        "description": "Anti-aliased 2x decimation 48 kHz -> 24 kHz, 31 taps, reflect-padded ends, stereo",
        "sample_rate": 48000,
        "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 31, "stride": 2, "padding": 15,
                   "dilation": 1, "groups": 2, "bias": False, "padding_mode": "reflect"},
    }, weight=np.stack([taps[::-1], taps[::-1]])[:, None, :])

    write("identity-stereo", {
        "name": "identity-stereo",
        "description": "Passes stereo through unchanged (kernel_size 1, weight 1): checks a pipeline end to end",
        "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 1, "groups": 2, "bias": False},
    }, weight=np.ones((2, 1, 1)))

    write("pytorch-docs-example", {
        "name": "pytorch-docs-example",
        "description": "nn.Conv1d(16, 33, 3, stride=2) from PyTorch's documentation, default init, seed 0",
        "conv1d": {"in_channels": 16, "out_channels": 33, "kernel_size": 3, "stride": 2},
    }, extra={"init": {"seed": 0}})


if __name__ == "__main__":
    main()
