#!/usr/bin/env python3
"""Minimum-phase reference taps for FIRDesignTests (issue 16, finding 6), made by scipy:
each design with scipy.signal.firwin (the windowed sinc streamconv's designs also are), then
scipy.signal.minimum_phase(h, method="homomorphic", half=False) (scipy >= 1.14), in time
order. Writes Tests/StreamConvPresetsTests/Fixtures/minphase/minphase.json. Needs numpy
and scipy (pip install scipy); the tests do not."""
import json
import os

import numpy as np
import scipy
from scipy import signal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "StreamConvPresetsTests", "Fixtures", "minphase", "minphase.json")

# (name, streamconv design object, kernel_size, rate, firwin arguments)
CASES = [
    ("highpass-100-blackman-511", {"type": "highpass", "cutoff_hz": 100, "window": "blackman"}, 511, 48000,
     dict(cutoff=100, window="blackman", pass_zero=False)),
    ("lowpass-4k-blackman-255", {"type": "lowpass", "cutoff_hz": 4000, "window": "blackman"}, 255, 48000,
     dict(cutoff=4000, window="blackman", pass_zero=True)),
    ("dc-blocker-hann-1023-16k", {"type": "highpass", "cutoff_hz": 10, "window": "hann"}, 1023, 16000,
     dict(cutoff=10, window="hann", pass_zero=False)),
    ("bandpass-kaiser8-255", {"type": "bandpass", "cutoff_hz": [300, 3400], "window": "kaiser", "beta": 8}, 255, 48000,
     dict(cutoff=[300, 3400], window=("kaiser", 8.0), pass_zero=False)),
]

cases = []
for name, design, taps, rate, args in CASES:
    linear = signal.firwin(taps, fs=rate, **args)
    minimum = signal.minimum_phase(linear, method="homomorphic", half=False)
    cases.append({"name": name, "design": design, "kernel_size": taps, "rate": rate,
                  "linear": [float(x) for x in linear], "minimum": [float(x) for x in minimum]})
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {OUT}: {len(cases)} cases, scipy {scipy.__version__}")
