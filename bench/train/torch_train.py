"""The PyTorch side of bench/train: the same BERT (scripts/reference/bert_torch.py, a port of HF
modeling_bert.py), the same initial weights and rows as our trainer, trained the HF Trainer's way:
dropout on (model.train()), AdamW (decay / no-decay groups), LambdaLR with HF's linear warmup
schedule, clip_grad_norm_. The TypeScript scripts start it; run it yourself only to debug. A DistilBERT or RoBERTa folder
(bench/train/run.ts --arch) trains its port (scripts/reference/family_training.py: distilbert_torch.py,
roberta_torch.py) with HF Trainer's weight-decay groups; modes full and top2 only.

    python3 bench/train/torch_train.py bench MODEL_DIR ROWS.json OUT.json --mode full|top2|head
        --warmup W --steps N [--batch-size 16] [--threads 2] [--dropout P]
    python3 bench/train/torch_train.py finetune MODEL_DIR JOB.json OUT.json [--threads 2]

Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (the scripts do), so OpenBLAS picks its
own kernels for this CPU.

ROWS.json (bench): {"rows": [{"input_ids": [...], "labels": [... -100 ...]}, ...]}; consecutive
rows make the batches, in order (our side runs with shuffling off on the same rows).
Modes: full = every parameter; top2 = the top 2 encoder layers + the head (the rest has
requires_grad False, so backward stops at layer 2); head = the classifier only, the encoder in eval
mode under torch.no_grad() every step.
OUT.json (bench): {"step_s": [wall time of each timed optimizer step], "steps_per_s",
"peak_rss_mb", "losses": [...]}. A step is: batch tensors from the rows (padding to the longest),
forward, loss, backward, clip_grad_norm_, optimizer.step(), scheduler.step(), zero_grad.

JOB.json (finetune): {"train": [{"input_ids", "labels"}], "dev": [{"input_ids"}], "training":
{"learning_rate", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "warmup_ratio",
"max_grad_norm", "num_train_epochs", "per_device_train_batch_size", "per_device_eval_batch_size",
"seed", "no_decay"}}. Shuffling: torch.randperm with a generator seeded with `seed`, a new order
each epoch. OUT.json (finetune): {"dev_argmax": [[label id per token of each dev row]],
"losses": [loss of each step], "train_s", "peak_rss_mb"}.
"""

import json
import math
import os
import resource
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "reference"))
from bert_torch import build_model, load_config, load_safetensors, load_weights  # noqa: E402
from family_training import build_family_model, decay_parameter_names, family_of  # noqa: E402
from hf_schedules import hf_scheduler, warmup_steps_for  # noqa: E402

DEFAULT_NO_DECAY = ["bias", "LayerNorm.bias", "LayerNorm.weight"]


def load_token_classifier(model_dir, dropout=None):
    """bert_torch.load_model_folder in float32, with the dropout probabilities optionally overridden.
    A DistilBERT or RoBERTa folder loads its port (scripts/reference/family_training.py)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        arch = (json.load(f).get("architectures") or [""])[0]
    if family_of(arch):
        model, config = build_family_model(model_dir, arch, dropout)
        return model.to(torch.float32), config
    config = load_config(os.path.join(model_dir, "config.json"))
    if dropout is not None:
        config.hidden_dropout_prob = dropout
        config.attention_probs_dropout_prob = dropout
        config.classifier_dropout = dropout
    torch.manual_seed(0)  # module construction only: every weight is then loaded from the file
    model = build_model(config, "BertForTokenClassification").to(torch.float32)
    tensors, _ = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    load_weights(model, tensors, os.path.join(model_dir, "model.safetensors"))
    return model, config


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def collate(rows, with_labels=True):
    """Pads to the longest row: [PAD]=0 ids, attention 0, labels -100 (DataCollatorForTokenClassification)."""
    length = max(len(r["input_ids"]) for r in rows)
    ids = torch.zeros((len(rows), length), dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    labels = torch.full((len(rows), length), -100, dtype=torch.long)
    for i, row in enumerate(rows):
        n = len(row["input_ids"])
        ids[i, :n] = torch.tensor(row["input_ids"], dtype=torch.long)
        mask[i, :n] = 1
        if with_labels:
            labels[i, :n] = torch.tensor(row["labels"], dtype=torch.long)
    return ids, mask, torch.zeros_like(ids), labels


def active_loss(logits, labels, mask, num_labels):
    """BertForTokenClassification's loss: cross-entropy over attention-masked positions, -100 ignored."""
    active = mask.view(-1) == 1
    targets = torch.where(active, labels.view(-1), torch.tensor(-100).type_as(labels))
    return torch.nn.functional.cross_entropy(logits.view(-1, num_labels), targets, ignore_index=-100)


class Stepper:
    """One optimizer step of a mode, as the HF Trainer takes it."""

    def __init__(self, model, config, mode, training, total_steps):
        self.model = model
        self.config = config
        self.mode = mode
        model.train()
        family = family_of(getattr(model, "arch", ""))
        if mode == "head" and family:
            sys.exit("--mode head is BERT's only (the family ports have no separate encoder call here)")
        if mode == "head":
            # The frozen encoder runs in eval mode (no dropout), as our cached features are computed.
            model.bert.eval()
        count = config.n_layers if family == "distilbert" else config.num_hidden_layers
        first = count - 2
        base = f"{family}." if family else "bert."
        layers = {"distilbert": "distilbert.transformer.layer.", "roberta": "roberta.encoder.layer."}.get(family, "bert.encoder.layer.")
        for name, param in model.named_parameters():
            if mode == "full":
                trainable = True
            elif mode == "top2":
                trainable = not name.startswith(base) or name.startswith("bert.pooler.") or any(
                    name.startswith(f"{layers}{i}.") for i in range(first, count))
            else:
                trainable = not name.startswith("bert.")
            param.requires_grad_(trainable)
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        no_decay = training.get("no_decay", DEFAULT_NO_DECAY)
        if family:
            # HF Trainer's rule by module type (DistilBERT's sa_layer_norm is a LayerNorm), as our trainer applies it.
            decaying = set(decay_parameter_names(model))
            groups = [
                {"params": [p for n, p in named if n in decaying], "weight_decay": training["weight_decay"]},
                {"params": [p for n, p in named if n not in decaying], "weight_decay": 0.0},
            ]
        else:
            groups = [
                {"params": [p for n, p in named if not any(nd in n for nd in no_decay)], "weight_decay": training["weight_decay"]},
                {"params": [p for n, p in named if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
            ]
        self.params = [p for _, p in named]
        self.optimizer = torch.optim.AdamW(groups, lr=training["learning_rate"],
                                           betas=(training["adam_beta1"], training["adam_beta2"]),
                                           eps=training["adam_epsilon"])
        warmup = warmup_steps_for(total_steps, 0, training["warmup_ratio"])
        self.scheduler = hf_scheduler(self.optimizer, "linear", num_warmup_steps=warmup, num_training_steps=total_steps)
        self.max_grad_norm = training["max_grad_norm"] or math.inf

    def step(self, rows):
        ids, mask, types, labels = collate(rows)
        if self.mode == "head":
            with torch.no_grad():
                sequence_output, _ = self.model.bert(ids, mask, types)
            logits = self.model.classifier(self.model.dropout(sequence_output))
            loss = active_loss(logits, labels, mask, self.config.num_labels)
        else:
            loss = self.model(ids, mask, types, labels=labels)["loss"]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.max_grad_norm)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return loss.item()


def write_json(path, value):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def training_defaults(raw):
    training = {"learning_rate": 5e-5, "weight_decay": 0.01, "adam_beta1": 0.9, "adam_beta2": 0.999,
                "adam_epsilon": 1e-8, "warmup_ratio": 0.0, "max_grad_norm": 1.0, "num_train_epochs": 1,
                "per_device_train_batch_size": 16, "per_device_eval_batch_size": 32, "seed": 42,
                "no_decay": DEFAULT_NO_DECAY}
    training.update(raw)
    return training


def bench(model_dir, rows_path, out_path, mode, warmup, steps, batch_size, dropout):
    with open(rows_path) as f:
        rows = json.load(f)["rows"]
    needed = (warmup + steps) * batch_size
    if len(rows) < needed:
        sys.exit(f"{rows_path}: {len(rows)} rows, {needed} needed")
    model, config = load_token_classifier(model_dir, dropout)
    torch.manual_seed(0)
    stepper = Stepper(model, config, mode, training_defaults({}), warmup + steps)
    times, losses = [], []
    for i in range(warmup + steps):
        batch = rows[i * batch_size:(i + 1) * batch_size]
        started = time.perf_counter()
        losses.append(stepper.step(batch))
        if i >= warmup:
            times.append(time.perf_counter() - started)
    write_json(out_path, {"step_s": times, "steps_per_s": len(times) / sum(times), "peak_rss_mb": peak_rss_mb(),
                          "losses": losses, "torch": torch.__version__, "threads": torch.get_num_threads()})


def finetune(model_dir, job_path, out_path):
    with open(job_path) as f:
        job = json.load(f)
    training = training_defaults(job.get("training", {}))
    model, config = load_token_classifier(model_dir)
    torch.manual_seed(training["seed"])
    train_rows, dev_rows = job["train"], job["dev"]
    batch_size = training["per_device_train_batch_size"]
    epochs = int(training["num_train_epochs"])
    steps_per_epoch = math.ceil(len(train_rows) / batch_size)
    stepper = Stepper(model, config, "full", training, steps_per_epoch * epochs)
    generator = torch.Generator().manual_seed(training["seed"])
    losses = []
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(train_rows), generator=generator).tolist()
        for b in range(steps_per_epoch):
            losses.append(stepper.step([train_rows[i] for i in order[b * batch_size:(b + 1) * batch_size]]))
    train_s = time.perf_counter() - started
    model.eval()
    dev_argmax = []
    eval_size = training["per_device_eval_batch_size"]
    with torch.no_grad():
        for at in range(0, len(dev_rows), eval_size):
            rows = dev_rows[at:at + eval_size]
            ids, mask, types, _ = collate(rows, with_labels=False)
            predicted = model(ids, mask, types)["logits"].argmax(-1)
            dev_argmax.extend(predicted[i, :len(r["input_ids"])].tolist() for i, r in enumerate(rows))
    write_json(out_path, {"dev_argmax": dev_argmax, "losses": losses, "train_s": train_s, "peak_rss_mb": peak_rss_mb(),
                          "torch": torch.__version__, "threads": torch.get_num_threads()})


def main(argv):
    args = list(argv)
    options = {"--mode": "full", "--warmup": "3", "--steps": "20", "--batch-size": "16", "--threads": "2", "--dropout": None}
    positional = []
    while args:
        item = args.pop(0)
        if item in options:
            if not args:
                sys.exit(f"{item} needs a value")
            options[item] = args.pop(0)
        elif item.startswith("--"):
            sys.exit(f"unknown option {item}")
        else:
            positional.append(item)
    torch.set_num_threads(int(options["--threads"]))
    if len(positional) != 4 or positional[0] not in ("bench", "finetune"):
        sys.exit(__doc__)
    command, model_dir, data_path, out_path = positional
    if command == "bench":
        if options["--mode"] not in ("full", "top2", "head"):
            sys.exit(f"--mode must be full, top2 or head, got {options['--mode']}")
        bench(model_dir, data_path, out_path, options["--mode"], int(options["--warmup"]), int(options["--steps"]),
              int(options["--batch-size"]), None if options["--dropout"] is None else float(options["--dropout"]))
    else:
        finetune(model_dir, data_path, out_path)


if __name__ == "__main__":
    main(sys.argv[1:])
