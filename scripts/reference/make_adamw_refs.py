"""Reference AdamW + clip_grad_norm_ trajectory from real torch.optim.AdamW, LambdaLR (HF λ) and
torch.nn.utils.clip_grad_norm_, for test/unit/train/adamw.test.ts.

Regenerate (from the repository root):
    /usr/bin/python3 scripts/reference/make_adamw_refs.py test/fixtures/train/adamw.json

Float32 tensors are stored as base64 of their little-endian bytes, so the fixture is exact.
Parameters carry HF names; the groups follow the HF examples:
    no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
    decay group: weight_decay = WEIGHT_DECAY, no-decay group: 0.0
Each step: grads are set (a parameter listed in "skip" gets grad None that step, which torch skips),
clip_grad_norm_(all params, MAX_GRAD_NORM) returns the pre-clip norm, optimizer.step(), scheduler.step().
"""

import base64
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_schedules import hf_scheduler  # noqa: E402

NO_DECAY = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
SHAPES = {
    "bert.embeddings.word_embeddings.weight": (20, 8),
    "bert.embeddings.LayerNorm.weight": (8,),
    "bert.embeddings.LayerNorm.bias": (8,),
    "bert.encoder.layer.0.attention.self.query.weight": (8, 8),
    "bert.encoder.layer.0.attention.self.query.bias": (8,),
    "bert.encoder.layer.0.intermediate.dense.weight": (13, 8),
    "bert.encoder.layer.0.intermediate.dense.bias": (13,),
    "classifier.weight": (3, 8),
    "classifier.bias": (3,),
    "bert.pooler.dense.weight": (131,),
}
STEPS = 20
LR = 1e-2
WEIGHT_DECAY = 0.1
MAX_GRAD_NORM = 1.0
BETAS = (0.9, 0.999)
EPS = 1e-8
SCHEDULE = {"name": "linear", "num_warmup_steps": 3, "num_training_steps": STEPS}
# grad None for these (step, name) pairs: torch skips the parameter, its step counter included.
SKIP = {(4, "classifier.bias"), (5, "classifier.bias"), (9, "bert.pooler.dense.weight")}


def b64(tensor):
    return base64.b64encode(tensor.detach().numpy().astype("<f4").tobytes()).decode("ascii")


def norm_check_values(n):
    """Deterministic float32 data that TypeScript rebuilds exactly: fround(((i * 7919) % 1000 - 500) / 337)."""
    i = np.arange(n, dtype=np.int64)
    return torch.from_numpy((((i * 7919) % 1000 - 500) / 337.0).astype(np.float32))


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT.json")
    gen = torch.Generator().manual_seed(1234)
    params = {n: torch.nn.Parameter(torch.randn(s, generator=gen) * 0.5) for n, s in SHAPES.items()}
    initial = {n: b64(p) for n, p in params.items()}
    groups = [
        {"params": [p for n, p in params.items() if not any(nd in n for nd in NO_DECAY)], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in params.items() if any(nd in n for nd in NO_DECAY)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS)
    scheduler = hf_scheduler(optimizer, SCHEDULE["name"], num_warmup_steps=SCHEDULE["num_warmup_steps"],
                             num_training_steps=SCHEDULE["num_training_steps"])
    steps = []
    midway = None
    for step in range(STEPS):
        # Growing scale: the first steps are not clipped, the later ones are.
        scale = 0.02 * (1.2 ** step)
        grads = {}
        for n, p in params.items():
            if (step, n) in SKIP:
                p.grad = None
                continue
            p.grad = torch.randn(p.shape, generator=gen) * scale
            grads[n] = b64(p.grad)
        lr = optimizer.param_groups[0]["lr"]
        norm = torch.nn.utils.clip_grad_norm_([p for p in params.values() if p.grad is not None], MAX_GRAD_NORM)
        optimizer.step()
        scheduler.step()
        steps.append({"lr": lr, "grads": grads, "grad_norm": float(norm)})
        if step == STEPS // 2 - 1:
            midway = {n: b64(p) for n, p in params.items()}
    state = {n: optimizer.state[p] for n, p in params.items()}
    out = {
        "generator": "scripts/reference/make_adamw_refs.py",
        "torch": torch.__version__,
        "shapes": {n: list(s) for n, s in SHAPES.items()},
        "lr": LR, "weight_decay": WEIGHT_DECAY, "betas": list(BETAS), "eps": EPS, "max_grad_norm": MAX_GRAD_NORM,
        "no_decay": NO_DECAY, "schedule": SCHEDULE,
        "initial": initial,
        "steps": steps,
        "params_after_half": midway,
        "final": {n: b64(p) for n, p in params.items()},
        "exp_avg": {n: b64(s["exp_avg"]) for n, s in state.items()},
        "exp_avg_sq": {n: b64(s["exp_avg_sq"]) for n, s in state.items()},
        "step_counts": {n: int(s["step"].item()) for n, s in state.items()},
        # torch.norm of long float32 vectors (float32 lane accumulation shows beyond ~1e3 values).
        "norm_checks": [{"n": n, "norm": float(torch.norm(norm_check_values(n)))} for n in (1, 7, 8, 9, 1000, 100003)],
    }
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[1])), exist_ok=True)
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
