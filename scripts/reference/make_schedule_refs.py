"""Reference learning rates from torch.optim.lr_scheduler.LambdaLR with HF's λ functions.

Regenerate (from the repository root):
    /usr/bin/python3 scripts/reference/make_schedule_refs.py test/fixtures/train/schedules.json

Each case records the learning rate that the optimizer actually used at steps 0..steps-1 (read from
optimizer.param_groups[0]["lr"] before each optimizer.step(), with scheduler.step() in between), which is what
test/unit/train/schedules.test.ts compares src/core/train/schedules.ts against.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_schedules import hf_scheduler, warmup_steps_for  # noqa: E402

# (type, lr, steps, options) — options use the CLI's names (warmup_steps / warmup_ratio, ...).
CASES = [
    ("constant", 5e-5, 10, {}),
    ("constant_with_warmup", 5e-5, 12, {"warmup_steps": 4}),
    ("constant_with_warmup", 1e-3, 5, {"warmup_steps": 5}),
    ("linear", 5e-5, 20, {}),
    ("linear", 5e-5, 20, {"warmup_steps": 5}),
    ("linear", 3e-5, 50, {"warmup_ratio": 0.14}),  # 50 * 0.14 = 7.000000000000001, so ceil gives 8
    ("linear", 2e-5, 1, {}),
    ("linear", 2e-5, 1, {"warmup_steps": 1}),
    ("linear", 1e-4, 8, {"warmup_steps": 8}),
    ("linear", 1e-4, 6, {"warmup_steps": 10}),
    ("linear", 1e-4, 37, {"warmup_ratio": 0.1}),
    ("cosine", 5e-5, 25, {}),
    ("cosine", 5e-5, 25, {"warmup_steps": 5}),
    ("cosine", 1e-3, 30, {"warmup_ratio": 0.06, "num_cycles": 2.0}),
    ("cosine", 1e-3, 16, {"warmup_steps": 3, "num_cycles": 0.25}),
    ("cosine", 1e-3, 1, {}),
    ("cosine", 1e-3, 4, {"warmup_steps": 4}),
    ("cosine_with_restarts", 5e-5, 30, {}),
    ("cosine_with_restarts", 5e-5, 30, {"warmup_steps": 6, "num_cycles": 3}),
    ("cosine_with_restarts", 1e-3, 17, {"warmup_ratio": 0.2, "num_cycles": 4}),
    ("cosine_with_restarts", 1e-3, 1, {"num_cycles": 2}),
    ("polynomial", 5e-5, 20, {}),
    ("polynomial", 5e-5, 20, {"warmup_steps": 4, "power": 2.0}),
    ("polynomial", 1e-3, 15, {"warmup_ratio": 0.1, "power": 0.5, "lr_end": 1e-4}),
    ("polynomial", 1e-3, 12, {"warmup_steps": 2, "power": 3.0, "lr_end": 0.0}),
    ("polynomial", 1e-3, 1, {}),
    ("polynomial", 1e-3, 3, {"warmup_steps": 3}),
    ("inverse_sqrt", 1e-3, 20, {}),
    ("inverse_sqrt", 1e-3, 20, {"warmup_steps": 5}),
    ("inverse_sqrt", 1e-3, 20, {"warmup_steps": 5, "timescale": 2}),
    ("inverse_sqrt", 1e-3, 12, {"timescale": 3}),
    ("inverse_sqrt", 1e-3, 1, {}),
]


def run_case(name, lr, steps, options):
    warmup = warmup_steps_for(steps, options.get("warmup_steps", 0), options.get("warmup_ratio", 0.0))
    kwargs = {"num_warmup_steps": warmup, "num_training_steps": steps}
    for key in ("num_cycles", "power", "lr_end", "timescale"):
        if key in options:
            kwargs[key] = options[key]
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = hf_scheduler(optimizer, name, **kwargs)
    lrs = []
    for step in range(steps):
        if step > 0:
            # Stepping after the last optimizer step would evaluate λ(steps), which HF's polynomial λ
            # cannot do when warmup == steps (ZeroDivisionError); the trainer never uses that rate.
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
    return {"type": name, "lr": lr, "steps": steps, "options": options, "num_warmup_steps": warmup, "lrs": lrs}


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT.json")
    cases = [run_case(*case) for case in CASES]
    os.makedirs(os.path.dirname(os.path.abspath(sys.argv[1])), exist_ok=True)
    with open(sys.argv[1], "w") as f:
        json.dump({"generator": "scripts/reference/make_schedule_refs.py", "torch": torch.__version__,
                   "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
