#!/usr/bin/env python3
"""Writes the fixtures for impulse-response presets and `run --precision double`, with
numpy/scipy as the independent reference (nothing here is shared with the Swift code).

Tests/streamconvTests/Fixtures/ir/
    x.wav               stereo float32 signal, 1000 frames at 48 kHz (scipy.io.wavfile)
    ir-stereo.wav       stereo float32 impulse response, 300 taps (a decaying noise burst)
    ir-mono.wav         mono 32-bit PCM impulse response, 200 taps (read as int / 2^31)
    stereo.json, mono.json, mono-notail.json    the presets
    full-stereo.npy     scipy.signal.fftconvolve(x[c], h[c]) per channel, float64 (2, 1299)
    full-mono.npy       the same with the mono IR on both channels (2, 1199)
    abs-stereo.npy, abs-mono.npy   numpy.convolve(|x|, |h|): Σ|terms| per output, for the bound

Tests/streamconvTests/Fixtures/double/
    x.wav               3-channel float64 signal, 400 frames, values not representable in float32
    preset.json         Conv1d(3, 2, 5, padding=2, padding_mode='reflect') with float64 weights
    y.npy               the numpy reference convolution in float64 (2, 400)
    abs.npy             Σ|terms| per output (|bias| + Σ|w·x|), for the bound

Usage: scripts/make_io_fixtures.py
"""
import json
import os
import sys

import numpy as np
import scipy.io.wavfile as wavfile
import scipy.signal as signal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_conv1d import conv1d  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "streamconvTests", "Fixtures")


def npy(path, array):
    np.save(path, np.ascontiguousarray(array, dtype="<f8"))


def impulse_responses(rng):
    folder = os.path.join(ROOT, "ir")
    os.makedirs(folder, exist_ok=True)
    x = (rng.standard_normal((1000, 2)) * 0.25).astype(np.float32)
    wavfile.write(os.path.join(folder, "x.wav"), 48000, x)
    decay = np.exp(-np.arange(300) / 60.0)
    h = (rng.standard_normal((300, 2)) * decay[:, None] * 0.3).astype(np.float32)
    h[0] = [0.9, -0.7]
    wavfile.write(os.path.join(folder, "ir-stereo.wav"), 48000, h)
    hm = (rng.standard_normal(200) * np.exp(-np.arange(200) / 40.0) * 0.4 * 2**31).astype(np.int32)
    hm[0] = 2**30
    wavfile.write(os.path.join(folder, "ir-mono.wav"), 48000, hm)

    xs = x.astype(np.float64).T
    hs = h.astype(np.float64).T
    hmono = hm.astype(np.float64) / 2**31
    npy(os.path.join(folder, "full-stereo.npy"), np.stack([signal.fftconvolve(xs[c], hs[c]) for c in range(2)]))
    npy(os.path.join(folder, "abs-stereo.npy"), np.stack([np.convolve(abs(xs[c]), abs(hs[c])) for c in range(2)]))
    npy(os.path.join(folder, "full-mono.npy"), np.stack([signal.fftconvolve(xs[c], hmono) for c in range(2)]))
    npy(os.path.join(folder, "abs-mono.npy"), np.stack([np.convolve(abs(xs[c]), abs(hmono)) for c in range(2)]))
    presets = {
        "stereo.json": {"description": "stereo IR", "impulse_response": "ir-stereo.wav"},
        "mono.json": {"description": "mono IR for any channel count", "impulse_response": "ir-mono.wav"},
        "mono-notail.json": {"impulse_response": "ir-mono.wav", "tail": False},
    }
    for name, preset in presets.items():
        with open(os.path.join(folder, name), "w") as f:
            json.dump(preset, f, indent=1)
            f.write("\n")


def double_precision(rng):
    folder = os.path.join(ROOT, "double")
    os.makedirs(folder, exist_ok=True)
    x = rng.uniform(-1, 1, (3, 400))
    # Not float32 values: a pipeline that rounds to float on the way in is 1e-8 off, not 1e-16.
    assert (x.astype(np.float32).astype(np.float64) != x).mean() > 0.99
    wavfile.write(os.path.join(folder, "x.wav"), 48000, x.T.astype("<f8"))
    weight = rng.uniform(-0.5, 0.5, (2, 3, 5))
    bias = rng.uniform(-0.1, 0.1, 2)
    spec = {"in_channels": 3, "out_channels": 2, "kernel_size": 5, "padding": 2, "padding_mode": "reflect"}
    # json writes a float64 as its shortest round-tripping decimal: parsed as Double, the same bits.
    preset = {"description": "float64 weights", "conv1d": spec, "weight": weight.tolist(), "bias": bias.tolist()}
    with open(os.path.join(folder, "preset.json"), "w") as f:
        json.dump(preset, f)
        f.write("\n")
    y, sums = conv1d(x, weight, bias, padding=2, padding_mode="reflect")
    npy(os.path.join(folder, "y.npy"), y)
    npy(os.path.join(folder, "abs.npy"), sums)


def main():
    rng = np.random.default_rng(20261126)
    impulse_responses(rng)
    double_precision(rng)


if __name__ == "__main__":
    main()
