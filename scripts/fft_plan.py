#!/usr/bin/env python3
"""The FFT engine's partition plan for a filter, computed independently of the Swift code
from the rules in Sources/StreamConv/FFTEngine/FFTPartitionPlan.swift and the constants in
FFTCostModel.swift (copied here by hand; update both together).

Usage: scripts/fft_plan.py TAPS[,IN,OUT,IN_PER_GROUP] ...   e.g. scripts/fft_plan.py 65536,2,2,1
Prints the layout the cost model chooses, as `streamconv info` shows it."""
import sys

# FFTCostModel.measured
TRANSFORM_PAIR = [0, 0, 0, 0, 0, 0, 380, 487, 845, 1498, 2476, 5378, 11409, 26286, 57701, 111362]
TRANSFORM_SCALE, BIN_PRODUCT, HEAD_TAP, CLASS_FRAME = 0.895, 1.0, 0.054, 3.42
LARGEST, FIRST_BLOCKS, GROWTHS = 16384, [32, 64, 128, 256], [2, 4, 8]


def plan(field, first, growth):
    """[(size, offset, count)]: class 0 one block in, each later class two of its blocks in."""
    classes, offset, size = [], first, first
    while offset < field:
        nxt = min(growth * size, LARGEST)
        end = min(field, 2 * nxt) if nxt > size else field
        count = (end - offset + size - 1) // size
        classes.append((size, offset, count))
        offset += count * size
        size = nxt
    return classes


def cost(field, first, growth, cin, cout, per_group):
    pairs = cout * per_group
    total = pairs * first * HEAD_TAP
    for size, _, count in plan(field, first, growth):
        log2 = (2 * size - 1).bit_length()
        transforms = (cin + cout) * TRANSFORM_SCALE * TRANSFORM_PAIR[min(log2, 15)] / 2
        total += (transforms + pairs * count * (size + 1) * BIN_PRODUCT) / size + (cin + cout) * CLASS_FRAME
    return total


def best(field, cin=1, cout=1, per_group=1):
    """Least cost; ties to the larger first block, then the larger growth."""
    chosen = None
    for first in reversed(FIRST_BLOCKS):
        if first >= field:
            continue
        for growth in reversed(GROWTHS):
            c = cost(field, first, growth, cin, cout, per_group)
            if chosen is None or c < chosen[0]:
                chosen = (c, first, growth)
    _, first, growth = chosen
    return f"head {first} + " + " + ".join(f"{n}×{s}" for s, _, n in plan(field, first, growth))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        print(arg, best(*[int(v) for v in arg.split(",")]))
