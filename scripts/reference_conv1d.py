#!/usr/bin/env python3
"""Independent reference for torch.nn.Conv1d, in numpy only, and the fixture generator.

The convolution is written straight from PyTorch's documentation:
    out[o, t] = bias[o] + sum_{i in group(o)} sum_k weight[o, i, k] * xp[i, t*stride + k*dilation]
where xp is the input padded as torch.nn.functional.pad does for each padding_mode.
Nothing here is shared with the Swift code under test.

Usage:
    scripts/reference_conv1d.py            write Tests/StreamConvTests/Fixtures/conv1d_reference.json
    scripts/reference_conv1d.py --check    self-test against scipy and numpy.pad, write nothing
"""
import json
import math
import os
import sys

import numpy as np


def resolve_padding(padding, kernel_size, dilation):
    """(left, right) as torch.nn.Conv1d pads: 'same' puts the smaller half on the left."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        total = dilation * (kernel_size - 1)
        return total // 2, total - total // 2
    return padding, padding


def pad_1d(x, left, right, mode):
    """F.pad on the last axis of a (C, L) array, index by index."""
    channels, length = x.shape
    out = np.zeros((channels, left + length + right), dtype=np.float64)
    for j in range(left + length + right):
        i = j - left
        if 0 <= i < length:
            src = i
        elif mode == "zeros":
            continue
        elif mode == "replicate":
            src = 0 if i < 0 else length - 1
        elif mode == "reflect":
            src = -i if i < 0 else 2 * (length - 1) - i
        elif mode == "circular":
            src = i % length
        else:
            raise ValueError(mode)
        out[:, j] = x[:, src]
    return out


def conv1d(x, weight, bias, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    """The Conv1d definition in float64. x: (C_in, L); weight: (C_out, C_in/groups, K)."""
    out_channels, in_per_group, kernel_size = weight.shape
    left, right = resolve_padding(padding, kernel_size, dilation)
    xp = pad_1d(np.asarray(x, dtype=np.float64), left, right, padding_mode)
    field = dilation * (kernel_size - 1) + 1
    n_out = (xp.shape[1] - field) // stride + 1
    out_per_group = out_channels // groups
    y = np.zeros((out_channels, n_out))
    scale = np.zeros((out_channels, n_out))  # sum of |terms|, for rounding-error bounds
    for o in range(out_channels):
        g = o // out_per_group
        for t in range(n_out):
            acc = 0.0 if bias is None else float(bias[o])
            mag = 0.0 if bias is None else abs(float(bias[o]))
            for il in range(in_per_group):
                for k in range(kernel_size):
                    term = float(weight[o, il, k]) * xp[g * in_per_group + il, t * stride + k * dilation]
                    acc += term
                    mag += abs(term)
            y[o, t] = acc
            scale[o, t] = mag
    return y, scale


def min_length(kernel_size, dilation, left, right, mode):
    """The shortest input torch accepts for this configuration."""
    field = dilation * (kernel_size - 1) + 1
    n = max(1, field - left - right)
    if mode == "reflect":
        n = max(n, left + 1, right + 1)
    if mode == "circular":
        n = max(n, left, right)
    return n


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def make_cases(rng):
    modes = ["zeros", "reflect", "replicate", "circular"]
    channel_layouts = [  # (in, out, groups)
        (1, 1, 1), (2, 3, 1), (3, 2, 1), (2, 2, 2), (2, 4, 2), (4, 6, 2), (3, 3, 3),
    ]
    cases = []
    index = 0
    for mode in modes:
        for padding in ["valid", "same", 0, 1, 2, 3, 5]:
            for _ in range(4):
                index += 1
                cin, cout, groups = channel_layouts[rng.integers(len(channel_layouts))]
                kernel_size = int(rng.integers(1, 6))
                dilation = int(rng.integers(1, 5))
                stride = 1 if padding == "same" else int(rng.integers(1, 5))
                bias = bool(rng.integers(2))
                left, right = resolve_padding(padding, kernel_size, dilation)
                shortest = min_length(kernel_size, dilation, left, right, mode)
                pick = index % 3
                length = shortest if pick == 0 else shortest + 1 if pick == 1 else shortest + int(rng.integers(2, 30))
                cases.append((cin, cout, kernel_size, stride, padding, dilation, groups, bias, mode, length))
    # Long signals: outputs span several of the kernel's 512-output tiles.
    cases.append((2, 2, 9, 1, "same", 1, 2, True, "reflect", 1100))
    cases.append((2, 3, 5, 2, 3, 2, 1, False, "circular", 1300))
    # Depthwise with multiplier 2, longer kernels, and stride wider than the receptive field.
    for mode in modes:
        cases.append((3, 6, 7, 1, "same", 2, 3, True, mode, 40))
        cases.append((2, 2, 2, 4, 1, 1, 1, True, mode, 25))
        cases.append((1, 2, 9, 3, 4, 1, 1, False, mode, 33))
    result = []
    for (cin, cout, k, stride, padding, dilation, groups, bias, mode, length) in cases:
        bound = 1 / math.sqrt(cin // groups * k)
        weight = f32(rng.uniform(-bound, bound, size=(cout, cin // groups, k)))
        b = f32(rng.uniform(-bound, bound, size=cout)) if bias else None
        x = f32(rng.standard_normal((cin, length)))
        y, scale = conv1d(x, weight, b, stride, padding, dilation, groups, mode)
        result.append({
            "conv1d": {
                "in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": stride,
                "padding": padding, "dilation": dilation, "groups": groups, "bias": bias,
                "padding_mode": mode,
            },
            "weight": weight.tolist(),
            "bias": None if b is None else b.tolist(),
            "input": x.tolist(),
            "expected": y.tolist(),
            "scale": scale.tolist(),
        })
    return result


def self_check():
    """Compare the loops with scipy's correlation and numpy's pad, which are independent of them."""
    from scipy.signal import correlate
    rng = np.random.default_rng(1)
    np_modes = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
    for mode, np_mode in np_modes.items():
        x = rng.standard_normal((2, 9))
        assert np.array_equal(pad_1d(x, 3, 2, mode), np.pad(x, ((0, 0), (3, 2)), mode=np_mode)), mode
    x = rng.standard_normal((2, 50))
    w = rng.standard_normal((3, 2, 5))
    b = rng.standard_normal(3)
    y, _ = conv1d(x, w, b, stride=1, padding=2)
    direct = np.stack([sum(correlate(np.pad(x[i], 2), w[o, i], mode="valid") for i in range(2)) + b[o] for o in range(3)])
    assert np.allclose(y, direct, rtol=1e-12, atol=1e-12)
    y2, _ = conv1d(x, w, b, stride=3, padding=2, dilation=2)
    ref = np.zeros_like(y2)
    wd = np.zeros((3, 2, 9))
    wd[:, :, ::2] = w
    for o in range(3):
        ref[o] = (sum(correlate(np.pad(x[i], 2), wd[o, i], mode="valid") for i in range(2)) + b[o])[::3]
    assert np.allclose(y2, ref, rtol=1e-12, atol=1e-12)
    print("reference self-check passed")


def main():
    if "--check" in sys.argv:
        self_check()
        return
    self_check()
    rng = np.random.default_rng(20261125)
    cases = make_cases(rng)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "Tests", "StreamConvTests", "Fixtures", "conv1d_reference.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generator": "scripts/reference_conv1d.py", "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, root)} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
