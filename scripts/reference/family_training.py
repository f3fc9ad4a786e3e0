"""The BERT family's heads for the training reference (train_reference.py): DistilBERT, RoBERTa /
XLM-RoBERTa / CamemBERT and ELECTRA from the ports distilbert_torch.py, roberta_torch.py and
electra_torch.py, with the losses of HF transformers 4.x modeling_distilbert.py / modeling_roberta.py /
modeling_electra.py, which differ from BERT's:

- ...ForTokenClassification: CrossEntropyLoss(logits.view(-1, num_labels), labels.view(-1)); no
  `active_loss` (padding counts only through its -100 labels).
- ...ForQuestionAnswering: start/end positions clamped to [0, seq_len], seq_len ignored, (start + end) / 2.
- ...ForSequenceClassification: the problem_type logic of BertForSequenceClassification (regression,
  single_label, multi_label), on RobertaClassificationHead's / ElectraClassificationHead's /
  pre_classifier's logits.
- ElectraForTokenClassification's loss is the same view(-1) CrossEntropyLoss; ElectraForMaskedLM's
  the vocabulary CrossEntropyLoss with generator_lm_head tied to the word embeddings.
- DistilBERT takes no token_type_ids; its sinusoidal position table has requires_grad False.
- ModernBERT (modernbert_torch.py, modeling_modernbert.py 4.48.0): ModernBertForTokenClassification's
  loss is the same view(-1) CrossEntropyLoss; ModernBertForSequenceClassification's the problem_type
  logic on head(pooled) → classifier (cls or mean pooling); ModernBertForMaskedLM's loss_function the
  vocabulary CrossEntropyLoss (-100 ignored) with the decoder tied to tok_embeddings. No token_type_ids.
  Its LayerNorms (norm_bias False: no bias) count as nn.LayerNorm for the decay rule, as torch >= 2.1's
  nn.LayerNorm(bias=False) does in HF.
- DeBERTa-v2 / v3 (deberta_v2_torch.py, modeling_deberta_v2.py): DebertaV2ForTokenClassification's loss
  is the same view(-1) CrossEntropyLoss; DebertaV2ForQuestionAnswering's the clamped mean;
  DebertaV2ForSequenceClassification's single-label CrossEntropyLoss on the ContextPooler's logits
  (the cases here use long labels and num_labels > 1, where its own label_index gathering equals it).

HF Trainer's weight-decay rule (get_decay_parameter_names) is by module type: every parameter of an
nn.LayerNorm and every name containing "bias" is exempt; decay_parameter_names() gives that list.
"""

import json
import os
import sys

import torch
from torch import nn
from torch.nn import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deberta_v2_torch  # noqa: E402
import distilbert_torch  # noqa: E402
import electra_torch  # noqa: E402
import modernbert_torch  # noqa: E402
import roberta_torch  # noqa: E402
from bert_torch import load_safetensors  # noqa: E402

ROBERTA_PREFIXES = ("XLMRoberta", "Camembert", "Roberta")


def family_of(arch):
    if arch.startswith("DistilBert"):
        return "distilbert"
    if arch.startswith(ROBERTA_PREFIXES):
        return "roberta"
    if arch.startswith("Electra"):
        return "electra"
    if arch.startswith("DebertaV2"):
        return "deberta-v2"
    if arch.startswith("ModernBert"):
        return "modernbert"
    return None


def bert_equivalent(arch):
    """The BERT class with the same head (the batch format and label checks are the same)."""
    for prefix in ("DistilBert", *ROBERTA_PREFIXES, "Electra", "DebertaV2", "ModernBert"):
        if arch.startswith(prefix):
            return "Bert" + arch[len(prefix):]
    return arch


class FamilyModel(nn.Module):
    """A port's head with HF's loss; parameters keep HF's state_dict names (the port is `self.inner`'s
    contents, registered directly so that named_parameters() has no extra prefix)."""

    def __init__(self, arch, config, inner):
        super().__init__()
        self.arch = arch
        self.family = family_of(arch)
        self.config = config
        for name, module in inner.named_children():
            self.add_module(name, module)
        self._forward = type(inner).forward

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None, start_positions=None, end_positions=None):
        if self.family == "distilbert":
            out = self._forward(self, input_ids, attention_mask)
        else:
            out = self._forward(self, input_ids, attention_mask, token_type_ids)
        if start_positions is not None:
            # ...ForQuestionAnswering: positions clamped to [0, seq_len], seq_len ignored, the mean of both losses.
            ignored = out["start_logits"].size(1)
            loss_fct = CrossEntropyLoss(ignore_index=ignored)
            start_loss = loss_fct(out["start_logits"], start_positions.clamp(0, ignored))
            end_loss = loss_fct(out["end_logits"], end_positions.clamp(0, ignored))
            out["loss"] = (start_loss + end_loss) / 2
            return out
        if labels is None:
            return out
        logits = out["logits"]
        num_labels = self.config.num_labels
        if self.arch.endswith("ForTokenClassification"):
            out["loss"] = CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))
        elif self.arch.endswith("ForSequenceClassification"):
            problem_type = getattr(self.config, "problem_type", None)
            if problem_type is None:
                if num_labels == 1:
                    problem_type = "regression"
                elif labels.dtype in (torch.long, torch.int):
                    problem_type = "single_label_classification"
                else:
                    problem_type = "multi_label_classification"
            if problem_type == "regression":
                out["loss"] = MSELoss()(logits.squeeze(), labels.squeeze()) if num_labels == 1 else MSELoss()(logits, labels)
            elif problem_type == "single_label_classification":
                out["loss"] = CrossEntropyLoss()(logits.view(-1, num_labels), labels.view(-1))
            else:
                out["loss"] = BCEWithLogitsLoss()(logits, labels)
            out["problem_type"] = problem_type
        elif self.arch.endswith("ForMultipleChoice"):
            # ...ForMultipleChoice: CrossEntropyLoss over the [batch, num_choices] logits.
            out["loss"] = CrossEntropyLoss()(logits, labels)
        elif self.arch.endswith("ForMaskedLM"):
            # RobertaForMaskedLM / DistilBertForMaskedLM: CrossEntropyLoss over the vocabulary, -100 ignored;
            # the decoder (lm_head.decoder, vocab_projector) tied to the word embeddings.
            out["loss"] = CrossEntropyLoss()(logits.view(-1, self.config.vocab_size), labels.view(-1))
        else:
            raise ValueError(f"{self.arch}: no training loss ported")
        return out


def build_family_model(model_dir, arch, dropout=0.0):
    """The port of `arch` with the folder's weights, every dropout field set to `dropout` (default off;
    None keeps the config's)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    family = family_of(arch)
    if dropout is None:
        pass
    elif family == "distilbert":
        raw = {**raw, "dropout": dropout, "attention_dropout": dropout, "seq_classif_dropout": dropout, "qa_dropout": dropout}
    elif family == "modernbert":
        raw = {**raw, "embedding_dropout": dropout, "attention_dropout": dropout, "mlp_dropout": dropout, "classifier_dropout": dropout}
    elif family == "deberta-v2":
        raw = {**raw, "hidden_dropout_prob": dropout, "attention_probs_dropout_prob": dropout, "cls_dropout": dropout, "pooler_dropout": dropout}
    else:
        raw = {**raw, "hidden_dropout_prob": dropout, "attention_probs_dropout_prob": dropout, "classifier_dropout": dropout}
        if family == "electra":
            raw["summary_last_dropout"] = dropout  # ElectraForMultipleChoice's SequenceSummary
    if family == "distilbert":
        config = distilbert_torch.Config(raw)
        inner = distilbert_torch.CLASSES[arch](config)
        tied = distilbert_torch.TIED
    elif family == "deberta-v2":
        config = deberta_v2_torch.Config(raw)
        inner = deberta_v2_torch.CLASSES[arch](config)
        tied = ()
    elif family == "modernbert":
        config = modernbert_torch.Config(raw)
        inner = modernbert_torch.CLASSES[arch](config)
        tied = modernbert_torch.TIED
    elif family == "electra":
        config = electra_torch.Config(raw)
        inner = electra_torch.CLASSES[arch](config)
        tied = electra_torch.TIED
    else:
        config = roberta_torch.Config({"pad_token_id": 1, **raw})
        inner = roberta_torch.model_class(arch)(config)
        tied = roberta_torch.TIED
    config.problem_type = raw.get("problem_type")
    config.tie_word_embeddings = raw.get("tie_word_embeddings", True)
    model = FamilyModel(arch, config, inner)
    tensors, _ = load_safetensors(os.path.join(model_dir, "model.safetensors"))
    tensors = {k: v for k, v in tensors.items() if not k.endswith("position_ids")}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if unexpected or [m for m in missing if m not in tied]:
        raise ValueError(f"{model_dir}: missing {missing}, unexpected {unexpected}")
    model.tied = tied
    return model, config


def family_state_dict(model):
    """state_dict without the tied copies, as save_pretrained writes model.safetensors."""
    return {k: v for k, v in model.state_dict().items() if k not in model.tied}


def decay_parameter_names(model):
    """HF Trainer.get_decay_parameter_names: not inside an nn.LayerNorm, and "bias" not in the name."""
    layer_norm = set()
    for module_name, module in model.named_modules():
        if isinstance(module, (nn.LayerNorm, modernbert_torch.LayerNorm)):
            for pname, _ in module.named_parameters(recurse=False):
                layer_norm.add(f"{module_name}.{pname}" if module_name else pname)
    return [n for n, _ in model.named_parameters() if n not in layer_norm and "bias" not in n]


def family_example_batches(model_dir, seed=0, num_batches=4, batch_size=2, seq=8, num_choices=3):
    """Fixed batches for a DistilBERT / RoBERTa / ELECTRA folder: random ids (never the padding id), the
    last row padded (pad_token_id, attention 0, label -100), RoBERTa rows opening with <s> (id 0) and
    carrying all-zero token_type_ids (type_vocab_size 1); ELECTRA rows open with id 2 and have token
    type 1 on their last three positions (a second segment); DistilBERT batches have no token_type_ids.
    ...ForMultipleChoice: batch_size · num_choices such rows viewed as [batch_size, num_choices, seq] (the
    last choice of the last question padded), labels [batch_size] in [0, num_choices)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    arch = raw["architectures"][0]
    family = family_of(arch)
    pad = raw.get("pad_token_id", 0 if family == "distilbert" else 1)
    num_labels = len(raw["id2label"]) if "id2label" in raw else raw.get("num_labels", 2)
    gen = torch.Generator().manual_seed(seed)
    batches = []
    multiple_choice = arch.endswith("ForMultipleChoice")
    questions, batch_size = batch_size, batch_size * num_choices if multiple_choice else batch_size
    for _ in range(num_batches):
        input_ids = torch.randint(5, raw["vocab_size"], (batch_size, seq), generator=gen)
        if family == "roberta":
            input_ids[:, 0] = 0
        if family == "electra":
            input_ids[:, 0] = 2
        if family == "deberta-v2":
            input_ids[:, 0] = 1  # [CLS] in deberta-v3's spm.model
        if family == "modernbert":
            input_ids[:, 0] = raw.get("cls_token_id", 1)
        attention_mask = torch.ones((batch_size, seq), dtype=torch.long)
        attention_mask[-1, seq - 2:] = 0
        input_ids[attention_mask == 0] = pad
        batch = {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist()}
        if family == "roberta":
            batch["token_type_ids"] = torch.zeros((batch_size, seq), dtype=torch.long).tolist()
        if family == "electra" or (family == "deberta-v2" and raw.get("type_vocab_size", 0) > 0):
            token_type_ids = torch.zeros((batch_size, seq), dtype=torch.long)
            token_type_ids[:, seq - 3:] = 1
            token_type_ids[attention_mask == 0] = 0
            batch["token_type_ids"] = token_type_ids.tolist()
        if arch.endswith("ForTokenClassification"):
            labels = torch.randint(0, num_labels, (batch_size, seq), generator=gen)
            labels[:, 0] = -100
            labels[:, 2] = -100
            labels[attention_mask == 0] = -100
            batch["labels"] = labels.tolist()
        elif arch.endswith("ForSequenceClassification"):
            batch["labels"] = torch.randint(0, num_labels, (batch_size,), generator=gen).tolist()
        elif arch.endswith("ForQuestionAnswering"):
            start = torch.randint(1, seq - 3, (batch_size,), generator=gen)
            batch["start_positions"] = start.tolist()
            batch["end_positions"] = (start + 1).tolist()
            batch["end_positions"][0] = seq + 5  # out of range: clamped, then ignored
        elif multiple_choice:
            batch = {k: torch.tensor(v).view(questions, num_choices, seq).tolist() for k, v in batch.items()}
            batch["labels"] = torch.randint(0, num_choices, (questions,), generator=gen).tolist()
        elif arch.endswith("ForMaskedLM"):
            labels = torch.full((batch_size, seq), -100, dtype=torch.long)
            for row in range(batch_size):
                for pos in (1, 3) if row % 2 == 0 else (2,):
                    labels[row, pos] = input_ids[row, pos]
                    input_ids[row, pos] = 3  # stands for <mask>
            batch["input_ids"] = input_ids.tolist()
            batch["labels"] = labels.tolist()
        batches.append(batch)
    return {
        "architecture": arch,
        "decay_rule": "hf-trainer",
        "training": {"learning_rate": 1e-3, "weight_decay": 0.01, "lr_scheduler_type": "linear",
                     "warmup_steps": 1, "max_grad_norm": 1.0, "num_train_epochs": 2},
        "batches": batches,
    }
