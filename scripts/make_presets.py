#!/usr/bin/env python3
"""Writes the shipped presets in presets/ from scipy's FIR design (and room-small.wav).

Weights are float32 values written as their shortest decimal form, so streamconv reads them
back bit for bit. Run again after changing a design; the files are committed.
"""
import json
import os

import numpy as np
from scipy import signal
from scipy.io import wavfile

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

    # Designed at load time, at the input's rate, for any channel count (single-channel filters
    # are applied to each channel alone).
    def design(name, description, conv1d, spec, rate=None):
        header = {"name": name, "description": description}
        if rate:
            header["sample_rate"] = rate
        header["conv1d"] = dict({"in_channels": 1, "out_channels": 1, "bias": False}, **conv1d)
        write(name, header, extra={"design": spec})

    design("lowpass", "Low-pass at 4 kHz, 255 taps (Blackman), designed at the input's rate, any channel count",
           {"kernel_size": 255, "padding": "same"}, {"type": "lowpass", "cutoff_hz": 4000, "window": "blackman"})
    design("highpass-100", "Rumble filter: high-pass at 100 Hz, 2047 taps (Blackman), any rate and channel count",
           {"kernel_size": 2047, "padding": "same"}, {"type": "highpass", "cutoff_hz": 100, "window": "blackman"})
    design("speech-band", "Telephone speech band-pass 300-3400 Hz, 1023 taps (Kaiser, 80 dB), any rate and channel count",
           {"kernel_size": 1023, "padding": "same"},
           {"type": "bandpass", "cutoff_hz": [300, 3400], "window": "kaiser", "attenuation_db": 80})
    design("lowpass-kaiser", "Low-pass at 4 kHz, Kaiser 80 dB over a 500 Hz transition: the length follows the rate (483 taps at 48 kHz)",
           {"padding": "same"},
           {"type": "lowpass", "cutoff_hz": 4000, "window": "kaiser", "attenuation_db": 80, "transition_hz": 500})
    design("dc-blocker", "DC blocker: high-pass at 10 Hz, 4095 taps (Hann), any rate and channel count",
           {"kernel_size": 4095, "padding": "same"}, {"type": "highpass", "cutoff_hz": 10, "window": "hann"})
    design("decimate-3x", "3x decimation (anti-alias low-pass at 7 kHz, stride 3): 48 kHz -> 16 kHz, any channel count",
           {"kernel_size": 127, "stride": 3, "padding": 63}, {"type": "lowpass", "cutoff_hz": 7000, "window": "blackman"})
    design("smooth-replicate", "Moving average of 15 samples for sensor data; the ends repeat the edge values (replicate)",
           {"kernel_size": 15, "padding": 7, "padding_mode": "replicate"}, {"type": "moving_average"})
    design("periodic-lowpass", "Low-pass for periodic signals (one period per file): circular padding wraps the ends",
           {"kernel_size": 31, "padding": 15, "padding_mode": "circular"},
           {"type": "lowpass", "cutoff_hz": 2000, "window": "hamming"})

    # Gaussian smoother (sigma 2 samples) with reflect padding: the ends mirror the signal
    # instead of pulling it toward zero.
    gauss = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    gauss /= gauss.sum()
    write("smooth-reflect", {
        "name": "smooth-reflect",
        "description": "Gaussian smoother (sigma 2 samples, 13 taps) with reflect padding: edges are not pulled to zero",
        "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 13, "padding": 6,
                   "bias": False, "padding_mode": "reflect"},
    }, weight=gauss[None, None, :])

    # A dilated comb: y[t] = x[t] + 0.5 x[t - 12000] (a 250 ms echo at 48 kHz); the padding
    # of 12000 keeps the echo's tail.
    write("echo-250ms", {
        "name": "echo-250ms",
        "description": "Echo: the signal plus itself 250 ms later at -6 dB (dilated comb, kernel 2, dilation 12000)",
        "sample_rate": 48000,
        "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "dilation": 12000, "padding": 12000,
                   "bias": False},
    }, weight=np.array([[[0.5, 1.0]]]))

    write("mid-side", {
        "name": "mid-side",
        "description": "Mid/side encoder: M = (L+R)/2, S = (L-R)/2 (a 1x1 convolution, 2 -> 2)",
        "conv1d": {"in_channels": 2, "out_channels": 2, "kernel_size": 1, "bias": False},
    }, weight=np.array([[[0.5], [0.5]], [[0.5], [-0.5]]]))

    write("stereo-to-mono", {
        "name": "stereo-to-mono",
        "description": "Stereo to mono downmix: (L+R)/2 (a 1x1 convolution, 2 -> 1)",
        "conv1d": {"in_channels": 2, "out_channels": 1, "kernel_size": 1, "bias": False},
    }, weight=np.array([[[0.5], [0.5]]]))

    # Mono to stereo widener: left is the signal delayed to match, right its Hilbert transform
    # (90 degrees shifted), 127 taps, Kaiser beta 8.
    k = np.arange(127) - 63
    hilbert = np.where(k % 2 != 0, 2 / (np.pi * np.where(k == 0, 1, k)), 0.0) * np.kaiser(127, 8)
    delay = (k == 0).astype(float)
    write("hilbert-widener", {
        "name": "hilbert-widener",
        "description": "Mono to stereo widener: left the signal, right its Hilbert transform (90 degrees), 127 taps (1 -> 2)",
        "conv1d": {"in_channels": 1, "out_channels": 2, "kernel_size": 127, "padding": 63, "bias": False},
    }, weight=np.stack([delay[::-1], hilbert[::-1]])[:, None, :])

    # A synthetic small room, 0.2 s at 48 kHz: the direct sound, three early reflections and
    # a diffuse tail decaying 60 dB in 0.2 s, scaled to unit energy. Mono, so it filters
    # every channel of any input alike.
    rng = np.random.default_rng(7)
    n = 9600
    t = np.arange(n) / 48000
    h = rng.standard_normal(n) * 0.15 * np.exp(-t * np.log(1000) / 0.2) * (t >= 0.02)
    h[0] = 1
    for delay_ms, gain in [(7, 0.5), (11, -0.4), (17, 0.3)]:
        h[int(delay_ms * 48)] += gain
    h /= np.sqrt(np.sum(h * h))
    wavfile.write(os.path.join(ROOT, "presets", "room-small.wav"), 48000, h.astype(np.float32))
    write("room-small", {
        "name": "room-small",
        "description": "Small-room reverb: a 0.2 s impulse response (room-small.wav), convolved, tail kept, any channel count",
    }, extra={"impulse_response": "room-small.wav"})

    # A true-stereo small hall, 0.3 s at 48 kHz, four paths (left→left, left→right,
    # right→left, right→right): each its own diffuse tail; the direct paths start at once, the
    # crossed ones 0.6 ms later and 6 dB lower, as two speakers heard by two spaced microphones.
    rng = np.random.default_rng(11)
    n = 14400
    t = np.arange(n) / 48000
    paths = []
    for direct in [True, False, False, True]:
        h = rng.standard_normal(n) * 0.1 * np.exp(-t * np.log(1000) / 0.3) * (t >= 0.015)
        onset = 0 if direct else int(0.6 * 48)
        h[onset] += 1 if direct else 0.5
        paths.append(h)
    paths = np.stack(paths, axis=1)
    paths /= np.sqrt(np.sum(paths[:, 0] ** 2))
    wavfile.write(os.path.join(ROOT, "presets", "hall-true-stereo.wav"), 48000, paths.astype(np.float32))
    write("hall-true-stereo", {
        "name": "hall-true-stereo",
        "description": "True-stereo small hall: a 0.3 s four-path impulse response (L->L, L->R, R->L, R->R), stereo in and out, tail kept",
    }, extra={"impulse_response": "hall-true-stereo.wav", "routing": "true_stereo"})


if __name__ == "__main__":
    main()
