"""Reference fine-tuning run: the independent PyTorch BERT (bert_torch.py) trained on fixed batches
with torch.optim.AdamW + LambdaLR(HF λ) + clip_grad_norm_, as the HF Trainer does, dropout off.
DistilBERT and RoBERTa / XLM-RoBERTa / CamemBERT folders (config.json `architectures` DistilBert…,
Roberta…) train the same way through their ports (distilbert_torch.py, roberta_torch.py) with HF's
losses of those classes (family_training.py); their batches follow the BERT head's format below
(DistilBERT: no token_type_ids), and "decay_rule": "hf-trainer" in BATCHES.json groups parameters by
HF Trainer's module-type rule (every nn.LayerNorm parameter and every bias exempt) instead of no_decay.

Usage (from the repository root):
    /usr/bin/python3 scripts/reference/train_reference.py MODEL_DIR BATCHES.json OUT_DIR [--dtype float32|float64]
    /usr/bin/python3 scripts/reference/train_reference.py example-batches MODEL_DIR OUT.json [--seed N]
        [--problem-type regression|single_label_classification|multi_label_classification]
        [--batches 4] [--batch-size 2] [--seq 8] [--schedule linear] ...   (writes a batch file to start from)

MODEL_DIR: HF layout, config.json (with `architectures`) + model.safetensors: the initial weights.
OUT_DIR receives:
    model.safetensors  final weights, HF names, tied decoder omitted (as save_pretrained), in --dtype
    config.json        copied from MODEL_DIR (so OUT_DIR is a model folder)
    log.json also has "state_dict_keys": the names save_pretrained of that class writes (tied copies left out)
    log.json           {"architecture", "dtype", "training": resolved hyperparameters incl.
                        num_training_steps and num_warmup_steps, "param_groups": {"decay": [...],
                        "no_decay": [...]}, "steps": [per optimizer step, see below],
                        "final_losses": [loss of each batch with the final weights, no update]}
    each step: {"step": 1-based optimizer step, "epoch": 0-based, "loss": mean of the micro-batch losses
                of this step, "micro_losses": [...], "learning_rate": the lr this update used
                (HF's log shows the *next* step's lr instead), "grad_norm": total L2 norm before clipping}

BATCHES.json format (all keys are HF names; nested lists, row-major):
{
  "architecture": "BertForTokenClassification",      optional; default: config.json "architectures"[0]
  "problem_type": "multi_label_classification",      optional, sequence classification only; default:
                                                     config.json problem_type, else inferred as HF does
                                                     (num_labels == 1 → regression; integer labels →
                                                     single_label; float labels → multi_label)
  "trainable": ["classifier.", "bert.encoder.layer.1."],
                                                     optional; only parameters whose name starts with one of
                                                     these prefixes are trained (the others keep
                                                     requires_grad False, get no grad, are not clipped, not in
                                                     the optimizer); default: every parameter
  "training": {                                      HF TrainingArguments names; defaults in brackets
    "learning_rate": 5e-5, "weight_decay": [0.01 — BERT Lens' default; HF's is 0.0],
    "adam_beta1": [0.9], "adam_beta2": [0.999], "adam_epsilon": [1e-8],
    "lr_scheduler_type": ["linear"] (constant, constant_with_warmup, linear, cosine,
                         cosine_with_restarts, polynomial, inverse_sqrt),
    "lr_scheduler_kwargs": {"num_cycles", "power", "lr_end", "timescale"} [{}],
    "warmup_steps": [0], "warmup_ratio": [0.0]  (steps > 0 wins, else ceil(ratio × total), as HF),
    "max_grad_norm": [1.0] (0 or null: no clipping, the norm is still logged),
    "gradient_accumulation_steps": [1], "num_train_epochs": [1] (integer),
    "no_decay": [["bias", "LayerNorm.bias", "LayerNorm.weight"]]
  },
  "batches": [                                       used in this order, every epoch (no shuffling)
    {
      "input_ids":      [batch][seq] ints ([batch][num_choices][seq] for BertForMultipleChoice),
      "attention_mask": same shape, 1 = token, 0 = padding (optional: all ones),
      "token_type_ids": same shape (optional: all zeros),
      and the head's labels:
      - BertForTokenClassification: "labels" [batch][seq] ints, -100 = ignored; positions with
        attention_mask 0 are ignored too (HF's active_loss)
      - BertForSequenceClassification: "labels" [batch] ints (single_label), [batch] floats
        (regression, num_labels 1) or [batch][num_labels] floats (regression / multi_label, 0.0 or 1.0)
      - BertForMaskedLM: "labels" [batch][seq] ints, -100 everywhere except masked positions, whose
        label is the original token id; input_ids already hold [MASK]/random/kept tokens (no RNG here)
      - BertLMHeadModel: "labels" [batch][seq] ints (shifted inside: logits[:, :-1] vs labels[:, 1:])
      - BertForQuestionAnswering: "start_positions", "end_positions" [batch] ints (out-of-range
        positions are clamped to seq_len and then ignored, as HF)
      - BertForNextSentencePrediction / BertForMultipleChoice: "labels" [batch] ints
      - BertForPreTraining: "labels" [batch][seq] (MLM) and "next_sentence_label" [batch]
    }
  ]
}
Each optimizer step consumes gradient_accumulation_steps consecutive batches (so len(batches) must be a
multiple of it); the loss of each micro-batch is divided by gradient_accumulation_steps before backward,
as the HF Trainer does for models without loss kwargs. Then: clip_grad_norm_ over the trainable
parameters, optimizer.step(), scheduler.step(), zero_grad.

Details that a re-implementation must match:
- parameter groups: a parameter whose name contains any no_decay string (`any(nd in n for nd in
  no_decay)`, the HF examples' form) gets weight_decay 0. For BERT this equals the HF Trainer's own rule
  (not inside a LayerNorm module and "bias" not in the name).
- the tied MLM decoder is the word-embedding tensor: one parameter, named
  bert.embeddings.word_embeddings.weight, its gradient the sum of both uses; cls.predictions.bias is the
  decoder bias.
- nn.Embedding(padding_idx=pad_token_id): the word-embedding row pad_token_id gets no gradient from the
  embedding lookup (the tied decoder still contributes to it).
- dropout is off (hidden, attention and classifier dropout set to 0).
"""

import json
import math
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import (  # noqa: E402
    architecture_of,
    build_model,
    load_config,
    load_safetensors,
    load_weights,
    save_safetensors,
    storable_state_dict,
)
from family_training import bert_equivalent, build_family_model, decay_parameter_names, family_of, family_state_dict  # noqa: E402
from hf_schedules import hf_scheduler, warmup_steps_for  # noqa: E402

DEFAULT_NO_DECAY = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
TRAINING_DEFAULTS = {
    "learning_rate": 5e-5,
    "weight_decay": 0.01,
    "adam_beta1": 0.9,
    "adam_beta2": 0.999,
    "adam_epsilon": 1e-8,
    "lr_scheduler_type": "linear",
    "lr_scheduler_kwargs": {},
    "warmup_steps": 0,
    "warmup_ratio": 0.0,
    "max_grad_norm": 1.0,
    "gradient_accumulation_steps": 1,
    "num_train_epochs": 1,
    "no_decay": DEFAULT_NO_DECAY,
}
LABEL_KEYS = {
    "BertModel": [],
    "BertForTokenClassification": ["labels"],
    "BertForSequenceClassification": ["labels"],
    "BertForQuestionAnswering": ["start_positions", "end_positions"],
    "BertForMaskedLM": ["labels"],
    "BertLMHeadModel": ["labels"],
    "BertForNextSentencePrediction": ["labels"],
    "BertForPreTraining": ["labels", "next_sentence_label"],
    "BertForMultipleChoice": ["labels"],
}


class BatchError(ValueError):
    pass


def resolve_training(raw):
    unknown = sorted(set(raw) - set(TRAINING_DEFAULTS))
    if unknown:
        raise BatchError(f"training: unknown keys {unknown} (known: {sorted(TRAINING_DEFAULTS)})")
    training = dict(TRAINING_DEFAULTS)
    training.update(raw)
    accum = training["gradient_accumulation_steps"]
    if not isinstance(accum, int) or accum < 1:
        raise BatchError(f"training.gradient_accumulation_steps must be an integer ≥ 1, got {accum!r}")
    epochs = training["num_train_epochs"]
    if not isinstance(epochs, int) or epochs < 1:
        raise BatchError(f"training.num_train_epochs must be an integer ≥ 1, got {epochs!r}")
    return training


def to_tensor(value, dtype, where):
    try:
        return torch.tensor(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise BatchError(f"{where}: not a rectangular array of numbers ({error})") from None


def check_labels(labels, key, arch, config, input_ids, where):
    batch = input_ids.size(0)
    per_token = key == "labels" and arch in (
        "BertForTokenClassification", "BertForMaskedLM", "BertLMHeadModel", "BertForPreTraining")
    if per_token:
        if labels.shape != input_ids.shape:
            raise BatchError(f"{where}.{key}: shape {list(labels.shape)}, must equal input_ids {list(input_ids.shape)}")
        limit = config.num_labels if arch == "BertForTokenClassification" else config.vocab_size
        bad = (labels != -100) & ((labels < 0) | (labels >= limit))
        if bad.any():
            raise BatchError(f"{where}.{key}: values must be -100 or in [0, {limit})")
    elif arch == "BertForSequenceClassification":
        if labels.dim() == 0 or labels.size(0) != batch or labels.dim() > 2 or (
                labels.dim() == 2 and labels.size(1) != config.num_labels):
            raise BatchError(f"{where}.{key}: shape {list(labels.shape)}, expected [{batch}] or "
                             f"[{batch}, {config.num_labels}]")
    elif labels.dim() == 0 or labels.size(0) != batch or labels.numel() != batch:
        raise BatchError(f"{where}.{key}: shape {list(labels.shape)}, expected [{batch}]")


def batch_tensors(batch, index, arch, config, float_dtype):
    where = f"batches[{index}]"
    if "input_ids" not in batch:
        raise BatchError(f"{where}: input_ids is missing")
    input_ids = to_tensor(batch["input_ids"], torch.long, f"{where}.input_ids")
    want_dims = 3 if arch == "BertForMultipleChoice" else 2
    if input_ids.dim() != want_dims:
        raise BatchError(f"{where}.input_ids: {input_ids.dim()} dimensions, {arch} needs {want_dims}")
    if input_ids.min() < 0 or input_ids.max() >= config.vocab_size:
        raise BatchError(f"{where}.input_ids: ids must be in [0, {config.vocab_size})")
    if input_ids.size(-1) > config.max_position_embeddings:
        raise BatchError(f"{where}: sequence length {input_ids.size(-1)} > max_position_embeddings")
    tensors = {"input_ids": input_ids}
    for key in ("attention_mask", "token_type_ids"):
        if key in batch:
            tensor = to_tensor(batch[key], torch.long, f"{where}.{key}")
            if tensor.shape != input_ids.shape:
                raise BatchError(f"{where}.{key}: shape {list(tensor.shape)}, input_ids {list(input_ids.shape)}")
            tensors[key] = tensor
    for key in LABEL_KEYS[arch]:
        if key not in batch:
            raise BatchError(f"{where}: {key} is missing ({arch} needs {', '.join(LABEL_KEYS[arch])})")
        probe = to_tensor(batch[key], None, f"{where}.{key}")
        tensors[key] = probe.to(float_dtype) if probe.is_floating_point() else probe.to(torch.long)
        check_labels(tensors[key], key, arch, config, input_ids, where)
    extra = sorted(set(batch) - {"input_ids", "attention_mask", "token_type_ids", *LABEL_KEYS[arch]})
    if extra:
        raise BatchError(f"{where}: unexpected keys {extra} for {arch}")
    return tensors


def family_architecture(model_dir, override):
    """The architecture of a DistilBERT / RoBERTa / ELECTRA folder (family_training.py), else None."""
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    arch = override or (raw.get("architectures") or [None])[0]
    return arch if arch and family_of(arch) else None


def train(model_dir, batches_path, out_dir, dtype=torch.float32):
    with open(batches_path) as f:
        spec = json.load(f)
    family_arch = family_architecture(model_dir, spec.get("architecture"))
    if family_arch:
        # DistilBERT / RoBERTa / ELECTRA: the ports with HF's losses; batches are checked as those of the BERT head.
        model, config = build_family_model(model_dir, family_arch)
        arch = bert_equivalent(family_arch)
    else:
        config = load_config(os.path.join(model_dir, "config.json"))
        arch = architecture_of(config, spec.get("architecture"))
    if not LABEL_KEYS[arch]:
        raise BatchError(f"{arch} has no loss: train one of the heads")
    if "problem_type" in spec:
        config.problem_type = spec["problem_type"]
    # Dropout off: the reference must not depend on an RNG stream.
    config.hidden_dropout_prob = 0.0
    config.attention_probs_dropout_prob = 0.0
    config.classifier_dropout = 0.0
    training = resolve_training(spec.get("training", {}))
    raw_batches = spec.get("batches") or []
    if not raw_batches:
        raise BatchError(f"{batches_path}: no batches")
    batches = [batch_tensors(b, i, arch, config, dtype) for i, b in enumerate(raw_batches)]
    accum = training["gradient_accumulation_steps"]
    if len(batches) % accum != 0:
        raise BatchError(f"{len(batches)} batches is not a multiple of gradient_accumulation_steps {accum}")

    if family_arch:
        model = model.to(dtype)
    else:
        torch.manual_seed(0)  # only for module construction; every weight is then loaded from the file
        model = build_model(config, arch).to(dtype)
        tensors, _ = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        load_weights(model, tensors, os.path.join(model_dir, "model.safetensors"))
    model.train()

    trainable_prefixes = spec.get("trainable")
    named = list(model.named_parameters())  # the tied decoder appears once, as the word embeddings
    never = {n for n, p in named if not p.requires_grad}  # HF's own requires_grad False (sinusoidal positions)
    for name, param in named:
        param.requires_grad_(name not in never and (trainable_prefixes is None or name.startswith(tuple(trainable_prefixes))))
    trainable = [(n, p) for n, p in named if p.requires_grad]
    if not trainable:
        raise BatchError(f"trainable {trainable_prefixes} matches no parameter")
    no_decay = training["no_decay"]
    if spec.get("decay_rule") == "hf-trainer":
        # HF Trainer's own rule, by module type (family_training.decay_parameter_names).
        decaying = set(decay_parameter_names(model))
        decay_names = [n for n, _ in trainable if n in decaying]
        no_decay_names = [n for n, _ in trainable if n not in decaying]
    else:
        decay_names = [n for n, _ in trainable if not any(nd in n for nd in no_decay)]
        no_decay_names = [n for n, _ in trainable if any(nd in n for nd in no_decay)]
    groups = [
        {"params": [p for n, p in trainable if n in decay_names], "weight_decay": training["weight_decay"]},
        {"params": [p for n, p in trainable if n in no_decay_names], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=training["learning_rate"],
                                  betas=(training["adam_beta1"], training["adam_beta2"]),
                                  eps=training["adam_epsilon"])
    steps_per_epoch = len(batches) // accum
    num_training_steps = steps_per_epoch * training["num_train_epochs"]
    num_warmup_steps = warmup_steps_for(num_training_steps, training["warmup_steps"], training["warmup_ratio"])
    scheduler = hf_scheduler(optimizer, training["lr_scheduler_type"], num_warmup_steps=num_warmup_steps,
                             num_training_steps=num_training_steps, **training["lr_scheduler_kwargs"])
    max_grad_norm = training["max_grad_norm"] or math.inf
    params = [p for _, p in trainable]

    steps = []
    resolved_problem_type = config.problem_type
    for epoch in range(training["num_train_epochs"]):
        for step_in_epoch in range(steps_per_epoch):
            micro_losses = []
            for micro in range(accum):
                out = model(**batches[step_in_epoch * accum + micro])
                loss = out["loss"]
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"step {len(steps) + 1}: loss is {loss.item()}")
                micro_losses.append(loss.item())
                resolved_problem_type = out.get("problem_type", resolved_problem_type)
                (loss / accum).backward()
            learning_rate = optimizer.param_groups[0]["lr"]
            grad_norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            steps.append({"step": len(steps) + 1, "epoch": epoch, "loss": sum(micro_losses) / accum,
                          "micro_losses": micro_losses, "learning_rate": learning_rate,
                          "grad_norm": grad_norm.item()})

    with torch.no_grad():
        final_losses = [model(**batch)["loss"].item() for batch in batches]

    os.makedirs(out_dir, exist_ok=True)
    state = family_state_dict(model) if family_arch else storable_state_dict(model)
    save_safetensors(os.path.join(out_dir, "model.safetensors"), state, {"format": "pt"})
    shutil.copyfile(os.path.join(model_dir, "config.json"), os.path.join(out_dir, "config.json"))
    log = {
        "generator": "scripts/reference/train_reference.py",
        "torch": torch.__version__,
        "architecture": family_arch or arch,
        "dtype": str(dtype).replace("torch.", ""),
        # The names save_pretrained writes for this class (tied copies left out).
        "state_dict_keys": sorted(state),
        "problem_type": resolved_problem_type,
        "training": dict(training, num_training_steps=num_training_steps, num_warmup_steps=num_warmup_steps),
        "param_groups": {"decay": decay_names, "no_decay": no_decay_names},
        "steps": steps,
        "final_losses": final_losses,
    }
    tmp = os.path.join(out_dir, f"log.json.tmp-{os.getpid()}")
    with open(tmp, "w") as f:
        json.dump(log, f, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(out_dir, "log.json"))
    return log


# ----------------------------------------------------------------------------------------------
# Example batch files, so that a conformance fixture can start from a valid file.


def example_batches(model_dir, seed=0, problem_type=None, num_batches=4, batch_size=2, seq=8,
                    schedule="linear", num_choices=3):
    config = load_config(os.path.join(model_dir, "config.json"))
    arch = architecture_of(config)
    gen = torch.Generator().manual_seed(seed)
    shape = (batch_size, num_choices, seq) if arch == "BertForMultipleChoice" else (batch_size, seq)
    batches = []
    for _ in range(num_batches):
        input_ids = torch.randint(5, config.vocab_size, shape, generator=gen)
        attention_mask = torch.ones(shape, dtype=torch.long)
        attention_mask[-1, ..., seq - 2:] = 0  # the last row is padded
        input_ids[attention_mask == 0] = config.pad_token_id
        token_type_ids = torch.zeros(shape, dtype=torch.long)
        token_type_ids[..., seq // 2:] = 1
        token_type_ids[attention_mask == 0] = 0
        batch = {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(),
                 "token_type_ids": token_type_ids.tolist()}
        if arch == "BertForTokenClassification":
            labels = torch.randint(0, config.num_labels, shape, generator=gen)
            labels[:, 0] = -100  # [CLS]
            labels[:, 2] = -100  # a continuation word piece
            labels[attention_mask == 0] = -100
            batch["labels"] = labels.tolist()
        elif arch == "BertForSequenceClassification":
            kind = problem_type or config.problem_type or (
                "regression" if config.num_labels == 1 else "single_label_classification")
            if kind == "single_label_classification":
                batch["labels"] = torch.randint(0, config.num_labels, (batch_size,), generator=gen).tolist()
            elif kind == "regression":
                values = torch.randn((batch_size, config.num_labels), generator=gen, dtype=torch.float64)
                batch["labels"] = (values.squeeze(-1) if config.num_labels == 1 else values).tolist()
            else:
                batch["labels"] = torch.randint(0, 2, (batch_size, config.num_labels), generator=gen).double().tolist()
        elif arch in ("BertForMaskedLM", "BertForPreTraining"):
            labels = torch.full(shape, -100, dtype=torch.long)
            for row in range(batch_size):
                for pos in (1, 3) if row % 2 == 0 else (2,):
                    labels[row, pos] = input_ids[row, pos]
                    input_ids[row, pos] = 3  # stands for [MASK]
            batch["input_ids"] = input_ids.tolist()
            batch["labels"] = labels.tolist()
            if arch == "BertForPreTraining":
                batch["next_sentence_label"] = torch.randint(0, 2, (batch_size,), generator=gen).tolist()
        elif arch == "BertLMHeadModel":
            labels = input_ids.clone()
            labels[attention_mask == 0] = -100
            batch["labels"] = labels.tolist()
        elif arch == "BertForQuestionAnswering":
            start = torch.randint(1, seq - 3, (batch_size,), generator=gen)
            batch["start_positions"] = start.tolist()
            batch["end_positions"] = (start + 1).tolist()
            batch["end_positions"][0] = seq + 5  # out of range: clamped, then ignored
        elif arch in ("BertForNextSentencePrediction",):
            batch["labels"] = torch.randint(0, 2, (batch_size,), generator=gen).tolist()
        elif arch == "BertForMultipleChoice":
            batch["labels"] = torch.randint(0, num_choices, (batch_size,), generator=gen).tolist()
        batches.append(batch)
    spec = {
        "architecture": arch,
        "training": {"learning_rate": 1e-3, "weight_decay": 0.01, "lr_scheduler_type": schedule,
                     "warmup_steps": 1, "max_grad_norm": 1.0, "num_train_epochs": 2},
        "batches": batches,
    }
    if problem_type:
        spec["problem_type"] = problem_type
    return spec


def main(argv):
    args = list(argv)
    if args and args[0] == "example-batches":
        if len(args) < 3:
            sys.exit(__doc__)
        model_dir, out_path = args[1], args[2]
        options = {}
        rest = args[3:]
        names = {"--seed": ("seed", int), "--problem-type": ("problem_type", str), "--batches": ("num_batches", int),
                 "--batch-size": ("batch_size", int), "--seq": ("seq", int), "--schedule": ("schedule", str)}
        while rest:
            flag = rest.pop(0)
            if flag not in names or not rest:
                sys.exit(f"unknown option or missing value: {flag}")
            key, kind = names[flag]
            options[key] = kind(rest.pop(0))
        with open(out_path, "w") as f:
            json.dump(example_batches(model_dir, **options), f)
            f.write("\n")
        return
    dtype = torch.float32
    if "--dtype" in args:
        i = args.index("--dtype")
        if i + 1 >= len(args) or args[i + 1] not in ("float32", "float64"):
            sys.exit("--dtype must be float32 or float64")
        dtype = torch.float64 if args[i + 1] == "float64" else torch.float32
        del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    try:
        log = train(*args, dtype=dtype)
    except (ValueError, FloatingPointError, OSError) as error:
        sys.exit(f"train_reference: {error}")
    last = log["steps"][-1]
    print(f"{log['architecture']}: {len(log['steps'])} steps, loss {log['steps'][0]['loss']:.6f} → {last['loss']:.6f}, "
          f"final losses {[round(x, 6) for x in log['final_losses']]}")


if __name__ == "__main__":
    main(sys.argv[1:])
