#!/usr/bin/env python3
"""PyTorch's side of scripts/bench (B3, B4): CPU seconds of torch.nn.Conv1d on one thread,
the whole signal in one call and streamed the usual way (the cached context concatenated in
front of each chunk), each the median of 5 runs after a warm-up, import excluded.

Prints one JSON object. Run by scripts/bench in its throwaway virtualenv."""
import json
import sys
import time

import torch

torch.set_num_threads(1)
workload = sys.argv[1]
smoke = "--smoke" in sys.argv
runs = 1 if smoke else 5

if workload == "dense":
    conv = torch.nn.Conv1d(64, 64, 7, dilation=4)
    frames, block = (1 if smoke else 20) * 16000, 160
elif workload == "strided":
    conv = torch.nn.Conv1d(16, 33, 3, stride=2)
    frames, block = (1 if smoke else 20) * 48000, 960
else:
    sys.exit(f"unknown workload {workload}")
conv.eval()
stride = conv.stride[0]
context = conv.dilation[0] * (conv.kernel_size[0] - 1)
x = torch.rand(1, conv.in_channels, frames) - 0.5


def whole():
    return conv(x)


def streamed():
    # The cache holds the last `context` frames; with chunks a multiple of the stride, each
    # chunk's outputs start where the previous ones stopped.
    cache = x[:, :, :0]
    pieces = []
    for at in range(0, frames, block):
        window = torch.cat([cache, x[:, :, at:at + block]], dim=-1)
        if window.shape[-1] > context:
            pieces.append(conv(window))
        cache = window[:, :, window.shape[-1] - context:]
    return torch.cat(pieces, dim=-1)


def median_cpu(body):
    body()
    samples = []
    for _ in range(runs):
        start = time.process_time()
        body()
        samples.append(time.process_time() - start)
    return sorted(samples)[len(samples) // 2]


with torch.no_grad():
    # The streamed outputs are the whole call's: the two timings are of the same work.
    a, b = whole(), streamed()
    assert a.shape == b.shape and torch.allclose(a, b, atol=1e-5), "streamed output differs from whole"
    print(json.dumps({"whole": median_cpu(whole), "streamed": median_cpu(streamed),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))
