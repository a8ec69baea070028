#!/usr/bin/env python3
"""Checks the numpy reference (and so the fixtures) against real torch.nn.Conv1d.

Not part of the test suite (torch is large); run it by hand where torch is installed:
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install numpy scipy torch
    /tmp/torchenv/bin/python scripts/check_against_torch.py
It checks every fixture in float64, and that torch raises exactly where streamconv does
(the length rules of Conv1dSpec.validateInputLength).
"""
import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from reference_conv1d import conv1d, min_length, resolve_padding  # noqa: E402


def torch_conv(spec, weight, bias, x):
    conv = torch.nn.Conv1d(**spec, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(weight, dtype=torch.float64))
        if bias is not None:
            conv.bias.copy_(torch.tensor(bias, dtype=torch.float64))
        return conv(torch.tensor(x, dtype=torch.float64)).numpy()


def main():
    path = os.path.join(ROOT, "Tests", "StreamConvTests", "Fixtures", "conv1d_reference.json")
    cases = json.load(open(path))["cases"]
    worst = 0.0
    for case in cases:
        y = torch_conv(case["conv1d"], case["weight"], case["bias"], case["input"])
        expected = np.array(case["expected"])
        scale = np.array(case["scale"])
        assert y.shape == expected.shape, (case["conv1d"], y.shape, expected.shape)
        err = np.max(np.abs(y - expected) / np.maximum(scale, 1e-300))
        worst = max(worst, err)
        assert err < 1e-13, (case["conv1d"], err)
    print(f"{len(cases)} fixtures: torch {torch.__version__} agrees with the numpy reference "
          f"(worst error {worst:.2e} of the sum of |terms|)")

    rng = np.random.default_rng(5)
    checked = 0
    for mode in ["zeros", "reflect", "replicate", "circular"]:
        for k in [1, 2, 3, 4, 6]:
            for d in [1, 2, 3]:
                for padding in ["same", "valid", 0, 1, 2, 4, 7]:
                    for stride in [1, 2, 3]:
                        if padding == "same" and stride > 1:
                            continue
                        spec = dict(in_channels=2, out_channels=2, kernel_size=k, stride=stride,
                                    padding=padding, dilation=d, padding_mode=mode)
                        left, right = resolve_padding(padding, k, d)
                        shortest = min_length(k, d, left, right, mode)
                        for length in range(0, shortest + 3):
                            x = rng.standard_normal((2, length))
                            w = rng.standard_normal((2, 2, k))
                            b = rng.standard_normal(2)
                            try:
                                y = torch_conv(spec, w, b, x)
                                ok = True
                            except RuntimeError:
                                ok = False
                            if length == 0:
                                # streamconv refuses empty input; torch may return an empty or
                                # padded result, which we report rather than fail on.
                                if ok and y.shape[-1] > 0:
                                    print(f"note: torch accepts length 0 for {spec} -> {y.shape}")
                                continue
                            assert ok == (length >= shortest), (spec, length, ok)
                            if ok:
                                ref, _ = conv1d(x, w, b, stride, padding, d, 1, mode)
                                assert np.allclose(y, ref, rtol=1e-12, atol=1e-12), (spec, length)
                            checked += 1
    print(f"{checked} length/configuration pairs: torch raises exactly below the minimum length "
          "streamconv computes, and agrees with the reference above it")


if __name__ == "__main__":
    main()
