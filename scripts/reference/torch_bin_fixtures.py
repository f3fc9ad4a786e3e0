"""Writes the pytorch_model.bin fixtures of test/unit/runtime/weights/ with Debian's python3-torch.

Run: /usr/bin/python3 scripts/reference/torch_bin_fixtures.py test/fixtures/pytorch
Each fixture has a JSON twin listing every tensor's dtype, shape and values (flattened, row-major,
as torch sees them), so the tests compare our reader with torch's own view of the file.
legacy.bin differs byte-wise on every run (its storage keys are memory addresses); the rest is deterministic.
"""
import json
import os
import pickle
import sys
import zipfile

import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


def values(t):
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t.contiguous().reshape(-1).tolist()


def save(name, state, **kwargs):
    path = os.path.join(out, name)
    torch.save(state, path, **kwargs)
    loaded = torch.load(path)
    twin = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "values": values(v)} for k, v in loaded.items()}
    with open(path + ".json", "w") as f:
        json.dump(twin, f)


base = torch.randn(4, 6)
embeddings = torch.nn.Parameter(torch.randn(5, 3))
state = {
    "f32": torch.randn(2, 3),
    # tied weights: two names, one storage (as cls.predictions.decoder.weight / word_embeddings)
    "tied.a": embeddings,
    "tied.b": embeddings,
    # a view with a storage offset, and a transposed (non-contiguous) view of the same storage
    "offset": base[1:3],
    "transposed": base.t(),
    "strided": base[:, ::2],
    "f16": torch.randn(3, 2).half(),
    "bf16": torch.randn(2, 2).bfloat16(),
    "i64": torch.arange(7, dtype=torch.int64).reshape(1, 7),
    "scalar": torch.tensor(1.5),
}
save("mixed.bin", state)
save("legacy.bin", {"f32": torch.randn(3, 2), "offset": base[2:], "i64": torch.arange(4)}, _use_new_zipfile_serialization=False)

# A tensor whose size exceeds its storage: patch the pickled size of a normal file.
small = {"w": torch.randn(2, 2)}
torch.save(small, os.path.join(out, "oversized.bin.tmp"))
with zipfile.ZipFile(os.path.join(out, "oversized.bin.tmp")) as src, zipfile.ZipFile(os.path.join(out, "oversized.bin"), "w", zipfile.ZIP_STORED) as dst:
    for item in src.infolist():
        data = src.read(item)
        if item.filename.endswith("data.pkl"):
            # shape (2, 2) is pickled as K\x02K\x02 inside a TUPLE2; make it (2, 9)
            assert data.count(b"K\x02K\x02\x86") == 1, data
            data = data.replace(b"K\x02K\x02\x86", b"K\x02K\x09\x86")
        dst.writestr(item, data)
os.remove(os.path.join(out, "oversized.bin.tmp"))


class Payload:
    """Unpickling this would create the file named by the environment's marker path."""

    def __reduce__(self):
        return (os.system, ("touch \"$BERT_LENS_PICKLE_MARKER\"",))


class EvalPayload:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("open(__import__('os').environ['BERT_LENS_PICKLE_MARKER'], 'w').close()",))


torch.save({"w": torch.zeros(1), "evil": Payload()}, os.path.join(out, "malicious_os_system.bin"))
torch.save({"evil": EvalPayload(), "w": torch.zeros(1)}, os.path.join(out, "malicious_eval.bin"))


def read_safetensors(path):
    """The safetensors package is not installed here; the format is an 8-byte length, JSON, data."""
    import struct
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        data = bytearray(raw[8 + n + begin:8 + n + end])
        state[name] = torch.frombuffer(data, dtype=dtypes[info["dtype"]]).reshape(info["shape"]).clone()
    return state


# The masked-lm fixture model as a hub .bin checkpoint: decoder tied to the word embeddings (one
# storage, as BertForMaskedLM.state_dict() saves it), whole and as two shards with an index.
here = os.path.dirname(os.path.abspath(__file__))
bert = read_safetensors(os.path.join(here, "..", "..", "test", "fixtures", "models", "masked-lm", "model.safetensors"))
if "cls.predictions.decoder.weight" in bert:
    bert["cls.predictions.decoder.weight"] = bert["bert.embeddings.word_embeddings.weight"]
bert_dir = os.path.join(out, "masked-lm")
os.makedirs(bert_dir, exist_ok=True)
torch.save(bert, os.path.join(bert_dir, "pytorch_model.bin"))
names = sorted(bert)
halves = [names[: len(names) // 2], names[len(names) // 2:]]
weight_map = {}
for i, part in enumerate(halves):
    shard = f"pytorch_model-0000{i + 1}-of-00002.bin"
    torch.save({k: bert[k] for k in part}, os.path.join(bert_dir, shard))
    weight_map.update({k: shard for k in part})
with open(os.path.join(bert_dir, "pytorch_model.bin.index.json"), "w") as f:
    json.dump({"metadata": {"total_size": sum(t.numel() * 4 for t in bert.values())}, "weight_map": weight_map}, f, indent=1)
