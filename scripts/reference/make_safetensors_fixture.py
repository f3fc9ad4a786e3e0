"""Writes test/fixtures/runtime/torch_tensors.safetensors and torch_tensors.expected.json.

An independent reference for src/core/runtime/safetensors.ts: the tensors come from PyTorch
(every dtype the reader supports, with half/bfloat16 edge values), their bytes are PyTorch's own
little-endian storage, and the expected values are what PyTorch's `.tolist()` / `.float()` give.
The `safetensors` Python package is not available here, so the file is written by hand following
the format spec (https://github.com/huggingface/safetensors#format): an 8-byte little-endian
header length, the JSON header padded with spaces to a multiple of 8, then the data. Tensors are
laid out in name order (not the Rust crate's alignment order) on purpose: some then start at
offsets that are not a multiple of their element size, which the reader must handle.

Regenerate (not needed by `npm test`):
    /usr/bin/python3 scripts/reference/make_safetensors_fixture.py
"""
import json
import math
import os
import struct

import torch

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "runtime")

DTYPE_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def tensor_bytes(t: torch.Tensor) -> bytes:
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        # numpy has no bfloat16: reinterpret the 16-bit patterns instead.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    array = t.numpy()
    return array.astype(array.dtype.newbyteorder("<")).tobytes()


def json_value(x):
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def main() -> None:
    g = torch.Generator().manual_seed(1234)
    half_edges = [1.0, -2.5, 65504.0, -65504.0, 6.0e-8, 3.0e-5, 0.0, -0.0, float("inf"), float("-inf"), float("nan")]
    # Name order = file order; the 3-byte bool first puts the following tensors off alignment.
    tensors = {
        "a.bool": torch.tensor([True, False, True]),
        "b.f32": torch.randn(2, 3, generator=g),
        "c.f16": torch.cat([torch.tensor(half_edges), torch.randn(5, generator=g)]).to(torch.float16),
        "d.bf16": torch.cat([torch.tensor([1.0, -3.0e38, 1.0e-39, float("inf")]), torch.randn(4, generator=g)]).to(torch.bfloat16).reshape(2, 4),
        "e.f64": torch.randn(3, generator=g, dtype=torch.float64),
        "f.position_ids": torch.arange(7, dtype=torch.int64).reshape(1, 7),
        "g.i32": torch.tensor([-2147483648, 0, 2147483647], dtype=torch.int32),
        "h.i8": torch.tensor([-128, 5, 127], dtype=torch.int8),
        "i.u8": torch.tensor([0, 255], dtype=torch.uint8),
        "j.scalar": torch.tensor(0.5),
        "k.empty": torch.zeros(0, 4),
    }
    header = {"__metadata__": {"format": "pt", "source": "make_safetensors_fixture.py"}}
    data = bytearray()
    expected = {"metadata": header["__metadata__"], "tensors": {}}
    for name in sorted(tensors):
        t = tensors[name]
        raw = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
        values = t.float() if t.is_floating_point() else t
        flat = values.reshape(-1).tolist()
        expected["tensors"][name] = {
            "dtype": DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "values": [json_value(v) for v in flat] if t.dtype != torch.bool else [bool(v) for v in flat],
        }
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "torch_tensors.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.write(bytes(data))
    with open(os.path.join(OUT_DIR, "torch_tensors.expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {len(tensors)} tensors, {8 + len(header_bytes) + len(data)} bytes")


if __name__ == "__main__":
    main()
