"""HF learning-rate λ functions, ported verbatim from transformers/src/transformers/optimization.py.

Used by make_schedule_refs.py and train_reference.py with torch.optim.lr_scheduler.LambdaLR, so the
learning rate of optimizer step i (0-based) is base_lr * λ(i), exactly as the HF Trainer does.
"""

import math
from functools import partial

from torch.optim.lr_scheduler import LambdaLR


def _get_constant_lambda(_=None):
    return 1


def _get_constant_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _get_linear_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps, num_training_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _get_cosine_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps, num_training_steps, num_cycles):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda(
    current_step, *, num_warmup_steps, num_training_steps, num_cycles
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def _get_polynomial_decay_schedule_with_warmup_lr_lambda(
    current_step, *, num_warmup_steps, num_training_steps, lr_end, power, lr_init
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def _get_inverse_sqrt_schedule_lr_lambda(current_step, *, num_warmup_steps, timescale=None):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def hf_lambda(name, *, lr_init, num_warmup_steps=0, num_training_steps=None, num_cycles=None,
              power=1.0, lr_end=1e-7, timescale=None):
    """The λ that HF `get_scheduler(name, ...)` wraps in LambdaLR (with HF's defaults)."""
    if name == "constant":
        return _get_constant_lambda
    if name == "constant_with_warmup":
        return partial(_get_constant_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps)
    if name == "linear":
        return partial(_get_linear_schedule_with_warmup_lr_lambda,
                       num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps)
    if name == "cosine":
        return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps,
                       num_training_steps=num_training_steps,
                       num_cycles=0.5 if num_cycles is None else num_cycles)
    if name == "cosine_with_restarts":
        return partial(_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda,
                       num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                       num_cycles=1 if num_cycles is None else num_cycles)
    if name == "polynomial":
        if not (lr_init > lr_end):
            raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
        return partial(_get_polynomial_decay_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps,
                       num_training_steps=num_training_steps, lr_end=lr_end, power=power, lr_init=lr_init)
    if name == "inverse_sqrt":
        if timescale is None:
            timescale = num_warmup_steps or 10_000
        return partial(_get_inverse_sqrt_schedule_lr_lambda, num_warmup_steps=num_warmup_steps,
                       timescale=timescale)
    raise ValueError(f"unknown scheduler type {name}")


def hf_scheduler(optimizer, name, **kwargs):
    """LambdaLR over `optimizer` with HF's λ; lr_init is the optimizer's default lr, as HF reads it."""
    return LambdaLR(optimizer, hf_lambda(name, lr_init=optimizer.defaults["lr"], **kwargs))


def warmup_steps_for(num_training_steps, warmup_steps=0, warmup_ratio=0.0):
    """HF TrainingArguments.get_warmup_steps."""
    return warmup_steps if warmup_steps > 0 else math.ceil(num_training_steps * warmup_ratio)
