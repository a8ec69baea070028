#!/usr/bin/env python3
"""PyTorch's and cached_conv's side of scripts/bench's network rows (issue 15, item 6): CPU
seconds on one thread of the two model shapes streamconv-bench builds (BenchNetworks), 10 s
of audio at 48 kHz in 160-frame chunks, each the median of 5 runs after a warm-up, model
construction excluded:
- "whole": the model's forward on the whole signal;
- "streamed": PyTorch streamed the usual way, a concatenated cache per layer (and the
  overlap-add of each ConvTranspose1d's tail), checked equal to the whole call;
- "cached_conv": the same model from cached_conv's CachedConv1d / CachedConvTranspose1d
  (the streaming layer RAVE uses), when `import cached_conv` works.

    python3 scripts/bench_torch_networks.py tcn|encdec [--smoke]

Prints one JSON object. Run by scripts/bench in its throwaway virtualenv."""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
workload = sys.argv[1]
smoke = "--smoke" in sys.argv
runs = 1 if smoke else 5
frames, block = (1 if smoke else 10) * 48000, 160
torch.manual_seed(0)


class CausalConv(nn.Module):
    """F.pad(x, (context, 0)) then Conv1d; streamed with the last `context` frames cached."""

    def __init__(self, cin, cout, k, stride=1, dilation=1):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, stride=stride, dilation=dilation)
        self.context = dilation * (k - 1) - (stride - 1)
        self.cache = None

    def forward(self, x):
        return self.conv(F.pad(x, (self.context, 0)))

    def reset(self):
        self.cache = None

    def step(self, x):
        if self.cache is None:
            self.cache = x.new_zeros(x.shape[0], x.shape[1], self.context)
        window = torch.cat([self.cache, x], -1)
        self.cache = window[..., window.shape[-1] - self.context:]
        return self.conv(window)


class Up(nn.Module):
    """ConvTranspose1d(k=4, stride=2) cropped by 2 on the right; streamed by overlap-add."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.ConvTranspose1d(cin, cout, 4, stride=2)
        self.tail = None

    def forward(self, x):
        return self.conv(x)[..., :-2]

    def reset(self):
        self.tail = None

    def step(self, x):
        y = F.conv_transpose1d(x, self.conv.weight, None, 2)
        if self.tail is not None:
            y[..., :2] += self.tail
        self.tail = y[..., -2:].clone()
        return y[..., :-2] + self.conv.bias[:, None]


class TCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Conv1d(1, 16, 1)
        self.layers = nn.ModuleList([CausalConv(16, 16, 3, dilation=2 ** i) for i in range(8)])
        self.out = nn.Conv1d(16, 1, 1)

    def run(self, x, f):
        x = self.inp(x)
        for layer in self.layers:
            x = x + torch.tanh(f(layer, x))
        return self.out(x)


class EncDec(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.ModuleList([CausalConv(1, 16, 7), CausalConv(16, 32, 4, stride=2), CausalConv(32, 64, 4, stride=2),
                                  Up(64, 32), Up(32, 16), CausalConv(16, 1, 7)])

    def run(self, x, f):
        for i, layer in enumerate(self.seq):
            x = f(layer, x)
            if i < len(self.seq) - 1:
                x = F.elu(x)
        return x


def cached_conv_model():
    import cached_conv as cc
    if workload == "tcn":
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.inp = nn.Conv1d(1, 16, 1)
                self.layers = nn.ModuleList([cc.CachedConv1d(16, 16, 3, dilation=2 ** i, padding=(2 * 2 ** i, 0)) for i in range(8)])
                self.out = nn.Conv1d(16, 1, 1)

            def forward(self, x):
                x = self.inp(x)
                for layer in self.layers:
                    x = x + torch.tanh(layer(x))
                return self.out(x)
        return M().eval()
    return nn.Sequential(cc.CachedConv1d(1, 16, 7, padding=(6, 0)), nn.ELU(),
                         cc.CachedConv1d(16, 32, 4, stride=2, padding=(2, 0)), nn.ELU(),
                         cc.CachedConv1d(32, 64, 4, stride=2, padding=(2, 0)), nn.ELU(),
                         cc.CachedConvTranspose1d(64, 32, 4, stride=2, padding=1), nn.ELU(),
                         cc.CachedConvTranspose1d(32, 16, 4, stride=2, padding=1), nn.ELU(),
                         cc.CachedConv1d(16, 1, 7, padding=(6, 0))).eval()


if workload not in ("tcn", "encdec"):
    sys.exit(f"unknown workload {workload}")
model = (TCN() if workload == "tcn" else EncDec()).eval()
x = torch.rand(1, 1, frames) - 0.5


def whole():
    return model.run(x, lambda layer, v: layer(v))


def streamed():
    for m in model.modules():
        if hasattr(m, "step"):
            m.reset()
    return torch.cat([model.run(x[..., at:at + block], lambda layer, v: layer.step(v)) for at in range(0, frames, block)], -1)


def median_cpu(body, setup=lambda: None):
    body(setup())
    samples = []
    for _ in range(runs):
        state = setup()
        start = time.process_time()
        body(state)
        samples.append(time.process_time() - start)
    return sorted(samples)[len(samples) // 2]


with torch.no_grad():
    a, b = whole(), streamed()
    assert a.shape == b.shape and torch.allclose(a, b, atol=1e-5), "streamed output differs from whole"
    out = {"whole": median_cpu(lambda _: whole()), "streamed": median_cpu(lambda _: streamed()), "torch": torch.__version__}
    try:
        import cached_conv  # noqa: F401
        from importlib.metadata import version
        # A fresh model per run: its caches start empty, as a new stream's.
        out["cached_conv"] = median_cpu(lambda m: torch.cat([m(x[..., at:at + block]) for at in range(0, frames, block)], -1),
                                        setup=cached_conv_model)
        out["cached_conv_version"] = version("cached_conv")
    except ImportError:
        pass
    print(json.dumps(out))
