#!/usr/bin/env python3
"""Writes the tensor-file fixtures of Tests/StreamConvPresetsTests/Fixtures/tensors with
writers independent of streamconv: numpy's own np.save for .npy, and the safetensors layout
(8-byte little-endian header length, JSON header, data) written here with struct and json,
as the safetensors library does. expected.json holds each tensor's values as float64, as
numpy reads them back, for the Swift tests to compare with."""
import json
import pathlib
import struct

import numpy as np

out = pathlib.Path(__file__).resolve().parent.parent / "Tests/StreamConvPresetsTests/Fixtures/tensors"
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
weight = rng.uniform(-1, 1, size=(4, 2, 3))
bias = rng.uniform(-1, 1, size=(4,))


def bf16_bytes(a):
    """float32 → bfloat16 by round-to-nearest-even on the top 16 bits (as torch does)."""
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_values(a):
    return (bf16_bytes(a).astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, array) in tensors.items():
        data = array.tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the library pads the header to 8 bytes with spaces
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


expected = {}
for dtype, convert, values in [
    ("F32", lambda a: a.astype("<f4"), lambda a: a.astype(np.float32).astype(np.float64)),
    ("F64", lambda a: a.astype("<f8"), lambda a: a.astype(np.float64)),
    ("F16", lambda a: a.astype("<f2"), lambda a: a.astype(np.float16).astype(np.float64)),
    ("BF16", lambda a: bf16_bytes(a).astype("<u2"), bf16_values),
]:
    safetensors(out / f"conv-{dtype.lower()}.safetensors", {
        "other.weight": (dtype, convert(rng.uniform(-1, 1, size=(2, 2)))),
        "encoder.conv.weight": (dtype, convert(weight)),
        "encoder.conv.bias": (dtype, convert(bias)),
    }, metadata={"format": "pt"})
    expected[dtype] = {"weight": values(weight).ravel().tolist(), "bias": values(bias).ravel().tolist()}

np.save(out / "w.npy", weight.astype("<f4"))
np.save(out / "b.npy", bias.astype("<f8"))
with open(out / "w-v2.npy", "wb") as f:
    np.lib.format.write_array(f, weight.astype("<f4"), version=(2, 0))
np.save(out / "w-fortran.npy", np.asfortranarray(weight.astype("<f4")))
np.save(out / "w-int.npy", (weight * 100).astype("<i4"))
expected["npy"] = {"weight": weight.astype(np.float32).astype(np.float64).ravel().tolist(), "bias": bias.tolist()}
(out / "expected.json").write_text(json.dumps(expected, indent=1))
print(f"wrote fixtures to {out}")
