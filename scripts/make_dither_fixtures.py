#!/usr/bin/env python3
"""Noise spectra of sox's dither for RunOptionTests.shapedDitherMatchesSox (issue 16,
finding 3): a -90 dBFS 1 kHz sine, 65536 samples at 44.1 kHz (float WAV), through
`sox in.wav -b 16 out.wav dither -f lipshitz` and plain `dither` (TPDF); the error
out - in, in 16-bit LSBs, as mean |X[k]|^2 / N over bands of one 65536-point DFT, in dB.
Writes Tests/streamconvTests/Fixtures/dither/sox_noise.json. Needs sox, numpy, scipy."""
import json
import os
import subprocess
import tempfile

import numpy as np
from scipy.io import wavfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "streamconvTests", "Fixtures", "dither", "sox_noise.json")
N, RATE = 65536, 44100
BANDS = [[100, 800], [1500, 5000], [5000, 10000], [10000, 15000], [15000, 19000], [19000, 22000]]

n = np.arange(N)
x = (10 ** (-90 / 20) * np.sin(2 * np.pi * 1000 * n / RATE)).astype(np.float32)


def bands(noise):
    power = np.abs(np.fft.rfft(noise)) ** 2 / N
    f = np.arange(N // 2 + 1) * RATE / N
    return [float(10 * np.log10(power[(f >= lo) & (f < hi)].mean())) for lo, hi in BANDS]


result = {"sox": subprocess.run(["sox", "--version"], capture_output=True, text=True).stdout.strip(), "bands_hz": BANDS}
with tempfile.TemporaryDirectory() as d:
    src = os.path.join(d, "in.wav")
    wavfile.write(src, RATE, x)
    for key, effect in [("lipshitz", ["dither", "-f", "lipshitz"]), ("tpdf", ["dither"])]:
        dst = os.path.join(d, key + ".wav")
        subprocess.run(["sox", src, "-b", "16", dst] + effect, check=True)
        _, y = wavfile.read(dst)
        result[key + "_db"] = bands(y.astype(np.float64) - x.astype(np.float64) * 32768)
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(result, f, indent=1)
print(json.dumps(result))
