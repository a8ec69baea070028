#!/usr/bin/env python3
"""Exports five model shapes with scripts/export_torch.py and checks each with streamconv:
`verify --input/--expect` (PyTorch's own output, float32 and float64) and random chunkings.

Needs torch, numpy and safetensors; exits 77 (skipped) with a reason when torch is missing.
    scripts/check_export_torch.py [STREAMCONV]
"""
import os
import subprocess
import sys
import tempfile

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    print("skipped: torch is not installed (pip install torch numpy safetensors)")
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from export_torch import Refused, export  # noqa: E402

wn = torch.nn.utils.parametrizations.weight_norm


class Tcn(nn.Module):
    """Causal dilated TCN with tanh and residual adds (guitar-amp models)."""
    def __init__(self, channels=16, layers=8):
        super().__init__()
        self.inp = nn.Conv1d(1, channels, 1)
        self.convs = nn.ModuleList(nn.Conv1d(channels, channels, 3, dilation=2 ** i) for i in range(layers))
        self.out = nn.Conv1d(channels, 1, 1)

    def forward(self, x):
        x = self.inp(x)
        for i, conv in enumerate(self.convs):
            x = x + torch.tanh(conv(F.pad(x, (2 * 2 ** i, 0))))
        return self.out(x)


class EncoderDecoder(nn.Module):
    """SEANet/EnCodec-like: strided ELU encoder, weight-normed ConvTranspose1d decoder."""
    def __init__(self):
        super().__init__()
        self.e0 = wn(nn.Conv1d(1, 8, 7, padding=3))
        self.e1 = wn(nn.Conv1d(8, 16, 4, stride=2, padding=1))
        self.e2 = nn.Conv1d(16, 32, 8, stride=4, padding=2)
        self.d2 = wn(nn.ConvTranspose1d(32, 16, 8, stride=4, padding=2))
        self.d1 = torch.nn.utils.weight_norm(nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1))
        self.out = nn.Conv1d(8, 1, 7, padding=3)
        self.act = nn.ELU()

    def forward(self, x):
        x = self.act(self.e0(x))
        x = self.act(self.e1(x))
        x = self.act(self.e2(x))
        x = self.act(self.d2(x))
        x = self.act(self.d1(x))
        return torch.tanh(self.out(x))


class Snake(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.alpha = nn.Parameter(torch.rand(1, channels, 1) + 0.5)

    def forward(self, x):
        return x + (1.0 / (self.alpha + 1e-9)) * torch.pow(torch.sin(x * self.alpha), 2)


class HifiGan(nn.Module):
    """HiFi-GAN/BigVGAN-like: LeakyReLU, a weight-normed upsampler, a residual block, snake."""
    def __init__(self):
        super().__init__()
        self.pre = wn(nn.Conv1d(4, 16, 7, padding=3))
        self.up = wn(nn.ConvTranspose1d(16, 8, 16, stride=8, padding=4))
        self.res1 = wn(nn.Conv1d(8, 8, 3, padding=1, dilation=1))
        self.res2 = wn(nn.Conv1d(8, 8, 3, padding=3, dilation=3))
        self.snake = Snake(8)
        self.post = nn.Conv1d(8, 1, 7, padding=3)

    def forward(self, x):
        x = self.pre(x)
        x = self.up(F.leaky_relu(x, 0.1))
        x = x + self.res2(F.leaky_relu(self.res1(F.leaky_relu(x, 0.1)), 0.1))
        return torch.tanh(self.post(self.snake(x)))


class WaveNet(nn.Module):
    """Gated tanh·sigmoid units with residual and skip sums."""
    def __init__(self, channels=8, layers=4):
        super().__init__()
        self.inp = nn.Conv1d(1, channels, 1)
        self.dilated = nn.ModuleList(nn.Conv1d(channels, 2 * channels, 2, dilation=2 ** i) for i in range(layers))
        self.res = nn.ModuleList(nn.Conv1d(channels, channels, 1) for _ in range(layers))
        self.skip = nn.ModuleList(nn.Conv1d(channels, channels, 1) for _ in range(layers))
        self.out = nn.Conv1d(channels, 1, 1)
        self.c = channels

    def forward(self, x):
        x = self.inp(x)
        skips = None
        for i in range(len(self.dilated)):
            h = self.dilated[i](F.pad(x, (2 ** i, 0)))
            z = torch.tanh(h[:, 0:self.c]) * torch.sigmoid(h[:, self.c:2 * self.c])
            s = self.skip[i](z)
            skips = s if skips is None else skips + s
            x = x + self.res[i](z)
        return self.out(F.relu(skips))


class BnPrelu(nn.Module):
    """BatchNorm/PReLU blocks with a GLU and a concatenation."""
    def __init__(self):
        super().__init__()
        self.c0 = nn.Conv1d(2, 8, 5, padding=2)
        self.bn = nn.BatchNorm1d(8)
        self.pr = nn.PReLU(8)
        self.c1 = nn.Conv1d(8, 8, 3, padding=1, padding_mode="reflect")
        self.glu = nn.GLU(dim=1)
        self.out = nn.Conv1d(6, 2, 1)

    def forward(self, x):
        h = self.pr(self.bn(self.c0(x)))
        g = self.glu(self.c1(h))
        return self.out(torch.cat([g, x], dim=1)) * 0.5


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 4)

    def forward(self, x):
        return self.lstm(x)[0]


def main():
    streamconv = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "streamconv")
    torch.manual_seed(3)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        models = [("tcn", Tcn(), 1), ("encoder-decoder", EncoderDecoder(), 1), ("hifigan", HifiGan(), 4),
                  ("wavenet", WaveNet(), 1), ("bn-prelu", BnPrelu(), 2)]
        for name, model, channels in models:
            if name == "bn-prelu":
                with torch.no_grad():
                    model.bn.running_mean.uniform_(-0.2, 0.2)
                    model.bn.running_var.uniform_(0.5, 2)
            path = os.path.join(tmp, name)
            export(model, torch.randn(1, channels, 4000), path, sample_rate=48000)
            for precision in ["float", "double"]:
                if precision == "double":
                    import numpy as np
                    with torch.no_grad():
                        x = torch.tensor(np.load(path + ".input.npy"), dtype=torch.float64)[None]
                        np.save(path + ".expected64.npy", model.double()(x)[0].numpy())
                        model.float()
                expect = path + (".expected64.npy" if precision == "double" else ".expected.npy")
                run = subprocess.run([streamconv, "verify", "--preset", path + ".json", "--input", path + ".input.npy",
                                      "--expect", expect, "--precision", precision], capture_output=True, text=True)
                print(run.stdout.strip() or run.stderr.strip())
                failures += run.returncode != 0
            run = subprocess.run([streamconv, "verify", "--preset", path + ".json", "--trials", "10"], capture_output=True, text=True)
            print(run.stdout.strip() or run.stderr.strip())
            failures += run.returncode != 0
        try:
            export(Unsupported(), torch.randn(1, 4, 10), os.path.join(tmp, "lstm"))
            print("the LSTM was not refused")
            failures += 1
        except Refused as e:
            print("refused as it should be:", e)
            failures += "lstm" not in str(e)
        except Exception as e:  # torch.fx may fail on it first
            print("refused as it should be (by torch.fx):", type(e).__name__)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
