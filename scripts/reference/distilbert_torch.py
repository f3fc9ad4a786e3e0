"""An independent PyTorch DistilBERT: a hand port of HF transformers 4.x
`src/transformers/models/distilbert/modeling_distilbert.py` (the 4.3x layout: Embeddings,
MultiHeadSelfAttention, FFN, TransformerBlock, Transformer, DistilBertModel and its heads) and
`configuration_distilbert.py` (defaults).

Module and attribute names follow HF so that `state_dict()` names are exactly HF's
(`distilbert.embeddings.word_embeddings.weight`, `distilbert.transformer.layer.0.attention.q_lin.weight`,
`distilbert.transformer.layer.0.sa_layer_norm.weight`, `ffn.lin1`, `output_layer_norm`,
`pre_classifier.weight`, `classifier.weight`, `qa_outputs.weight`), and so is the arithmetic: no token
types; positions 0..seq-1 (optionally sinusoidal, written into the weight as
create_sinusoidal_embeddings does); LayerNorms with eps 1e-12; the query divided by sqrt(dim_per_head)
before q·kᵀ; masked scores filled with finfo(dtype).min; no dropout after out_lin; sequence
classification reads [CLS] through pre_classifier + ReLU, and so does DistilBertForMultipleChoice
(dropout seq_classif_dropout, a one-output classifier, [batch, num_choices, seq] flattened to rows).

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/distilbert_torch.py fixtures test/fixtures/family [NAME ...]
        writes seeded fixture folders distilbert-<head>/ (config.json, model.safetensors, inputs.json,
        reference.json: the float64 outputs of this port, rounded to 8 significant digits)
    /usr/bin/python3 scripts/reference/distilbert_torch.py hub-fixtures test/fixtures/family [NAME ...]
        completes the hub-shaped folders distilbert-hub-<head>/ that test/fixtures/family/generateHubFolders.ts
        started (tokenizer files, texts.json, inputs.json): writes config.json (vocab_size from
        tokenizer.json), seeded model.safetensors, and reference.json for inputs.json
    /usr/bin/python3 scripts/reference/distilbert_torch.py run FOLDER
        prints the float64 outputs of FOLDER's model for FOLDER/inputs.json
"""

import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import act_fn, load_safetensors, save_safetensors, tokenizer_vocab_size  # noqa: E402

DISTILBERT_DEFAULTS = {
    "vocab_size": 30522,
    "max_position_embeddings": 512,
    "sinusoidal_pos_embds": False,
    "n_layers": 6,
    "n_heads": 12,
    "dim": 768,
    "hidden_dim": 3072,
    "dropout": 0.1,
    "attention_dropout": 0.1,
    "activation": "gelu",
    "initializer_range": 0.02,
    "qa_dropout": 0.1,
    "seq_classif_dropout": 0.2,
    "pad_token_id": 0,
}


class Config:
    def __init__(self, raw):
        merged = dict(DISTILBERT_DEFAULTS)
        merged.update(raw)
        self.__dict__.update(merged)
        self.num_labels = len(raw["id2label"]) if "id2label" in raw else raw.get("num_labels", 2)
        if self.dim % self.n_heads != 0:
            raise ValueError(f"dim {self.dim} is not a multiple of n_heads {self.n_heads}")


def create_sinusoidal_embeddings(n_pos, dim, out):
    position_enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)])
    out.requires_grad = False
    out[:, 0::2] = torch.FloatTensor(np.sin(position_enc[:, 0::2]))
    out[:, 1::2] = torch.FloatTensor(np.cos(position_enc[:, 1::2]))
    out.detach_()


class Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.dim, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.dim)
        if config.sinusoidal_pos_embds:
            create_sinusoidal_embeddings(config.max_position_embeddings, config.dim, self.position_embeddings.weight)
        self.LayerNorm = nn.LayerNorm(config.dim, eps=1e-12)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, input_ids):
        seq_length = input_ids.size(1)
        position_ids = torch.arange(seq_length, dtype=torch.long, device=input_ids.device).unsqueeze(0).expand_as(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_heads = config.n_heads
        self.dim = config.dim
        self.dropout = nn.Dropout(p=config.attention_dropout)
        self.q_lin = nn.Linear(config.dim, config.dim)
        self.k_lin = nn.Linear(config.dim, config.dim)
        self.v_lin = nn.Linear(config.dim, config.dim)
        self.out_lin = nn.Linear(config.dim, config.dim)

    def forward(self, query, key, value, mask):
        bs, q_length, dim = query.size()
        k_length = key.size(1)
        dim_per_head = self.dim // self.n_heads
        mask_reshp = (bs, 1, 1, k_length)

        def shape(x):
            return x.view(bs, -1, self.n_heads, dim_per_head).transpose(1, 2)

        def unshape(x):
            return x.transpose(1, 2).contiguous().view(bs, -1, self.n_heads * dim_per_head)

        q = shape(self.q_lin(query))
        k = shape(self.k_lin(key))
        v = shape(self.v_lin(value))
        q = q / math.sqrt(dim_per_head)
        scores = torch.matmul(q, k.transpose(2, 3))
        mask = (mask == 0).view(mask_reshp).expand_as(scores)
        scores = scores.masked_fill(mask, torch.tensor(torch.finfo(scores.dtype).min))
        weights = nn.functional.softmax(scores, dim=-1)
        weights = self.dropout(weights)
        context = unshape(torch.matmul(weights, v))
        return self.out_lin(context)


class FFN(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dropout = nn.Dropout(p=config.dropout)
        self.lin1 = nn.Linear(config.dim, config.hidden_dim)
        self.lin2 = nn.Linear(config.hidden_dim, config.dim)
        self.activation = act_fn(config.activation)

    def forward(self, input):
        return self.dropout(self.lin2(self.activation(self.lin1(input))))


class TransformerBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = MultiHeadSelfAttention(config)
        self.sa_layer_norm = nn.LayerNorm(normalized_shape=config.dim, eps=1e-12)
        self.ffn = FFN(config)
        self.output_layer_norm = nn.LayerNorm(normalized_shape=config.dim, eps=1e-12)

    def forward(self, x, attn_mask):
        sa_output = self.sa_layer_norm(self.attention(x, x, x, attn_mask) + x)
        return self.output_layer_norm(self.ffn(sa_output) + sa_output)


class Transformer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(config) for _ in range(config.n_layers)])

    def forward(self, x, attn_mask):
        for layer in self.layer:
            x = layer(x, attn_mask)
        return x


class DistilBertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = Embeddings(config)
        self.transformer = Transformer(config)

    def forward(self, input_ids, attention_mask=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.transformer(self.embeddings(input_ids), attention_mask)


class DistilBertBase(nn.Module):
    """DistilBertModel under the name `distilbert.` (as DistilBertPreTrainedModel subclasses hold it)."""

    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)

    def forward(self, input_ids, attention_mask=None):
        return {"last_hidden_state": self.distilbert(input_ids, attention_mask)}


class DistilBertForTokenClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(config.dim, config.num_labels)

    def forward(self, input_ids, attention_mask=None):
        hidden = self.distilbert(input_ids, attention_mask)
        return {"logits": self.classifier(self.dropout(hidden)), "last_hidden_state": hidden}


class DistilBertForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)
        self.pre_classifier = nn.Linear(config.dim, config.dim)
        self.classifier = nn.Linear(config.dim, config.num_labels)
        self.dropout = nn.Dropout(config.seq_classif_dropout)

    def forward(self, input_ids, attention_mask=None):
        hidden = self.distilbert(input_ids, attention_mask)
        pooled = nn.ReLU()(self.pre_classifier(hidden[:, 0]))
        return {"logits": self.classifier(self.dropout(pooled)), "last_hidden_state": hidden}


class DistilBertForQuestionAnswering(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)
        self.qa_outputs = nn.Linear(config.dim, 2)
        self.dropout = nn.Dropout(config.qa_dropout)

    def forward(self, input_ids, attention_mask=None):
        hidden = self.distilbert(input_ids, attention_mask)
        logits = self.qa_outputs(self.dropout(hidden))
        start_logits, end_logits = logits.split(1, dim=-1)
        return {"start_logits": start_logits.squeeze(-1).contiguous(), "end_logits": end_logits.squeeze(-1).contiguous(),
                "last_hidden_state": hidden}


class DistilBertForMaskedLM(nn.Module):
    """vocab_transform, activation (config.activation), vocab_layer_norm (eps 1e-12), vocab_projector
    tied to the word embeddings (its bias its own: vocab_projector.bias)."""

    def __init__(self, config):
        super().__init__()
        self.activation = act_fn(config.activation)
        self.distilbert = DistilBertModel(config)
        self.vocab_transform = nn.Linear(config.dim, config.dim)
        self.vocab_layer_norm = nn.LayerNorm(config.dim, eps=1e-12)
        self.vocab_projector = nn.Linear(config.dim, config.vocab_size)
        self.vocab_projector.weight = self.distilbert.embeddings.word_embeddings.weight  # tie_weights

    def forward(self, input_ids, attention_mask=None):
        hidden = self.distilbert(input_ids, attention_mask)
        logits = self.vocab_projector(self.vocab_layer_norm(self.activation(self.vocab_transform(hidden))))
        return {"logits": logits, "last_hidden_state": hidden}


class DistilBertForMultipleChoice(nn.Module):
    """[batch, num_choices, seq] flattened to rows; pre_classifier, ReLU, dropout (seq_classif_dropout)
    and a one-output classifier on each row's [CLS]; logits viewed back to [batch, num_choices]."""

    def __init__(self, config):
        super().__init__()
        self.distilbert = DistilBertModel(config)
        self.pre_classifier = nn.Linear(config.dim, config.dim)
        self.classifier = nn.Linear(config.dim, 1)
        self.dropout = nn.Dropout(config.seq_classif_dropout)

    def forward(self, input_ids, attention_mask=None):
        num_choices = input_ids.shape[1]
        input_ids = input_ids.view(-1, input_ids.size(-1))
        attention_mask = attention_mask.view(-1, attention_mask.size(-1)) if attention_mask is not None else None
        hidden = self.distilbert(input_ids, attention_mask)
        pooled = nn.ReLU()(self.pre_classifier(hidden[:, 0]))
        logits = self.classifier(self.dropout(pooled))
        return {"logits": logits.view(-1, num_choices)}


# The tied decoder: a view of the word embeddings, not written to files (save_pretrained drops it).
TIED = ("vocab_projector.weight",)

CLASSES = {
    "DistilBertModel": DistilBertBase,
    "DistilBertForTokenClassification": DistilBertForTokenClassification,
    "DistilBertForSequenceClassification": DistilBertForSequenceClassification,
    "DistilBertForQuestionAnswering": DistilBertForQuestionAnswering,
    "DistilBertForMaskedLM": DistilBertForMaskedLM,
    "DistilBertForMultipleChoice": DistilBertForMultipleChoice,
}


def base_state_dict_names(state_dict, arch):
    """DistilBertModel.save_pretrained writes its parameters without the `distilbert.` prefix."""
    if arch != "DistilBertModel":
        return state_dict
    return {k[len("distilbert."):]: v for k, v in state_dict.items()}


def load_model_folder(folder, dtype=torch.float64):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    config = Config(raw)
    arch = raw["architectures"][0]
    model = CLASSES[arch](config).to(dtype)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    if arch == "DistilBertModel":
        tensors = {f"distilbert.{k}": v for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=False)
    if unexpected or [m for m in missing if m not in TIED]:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config, arch


TINY = {
    "model_type": "distilbert",
    "vocab_size": 99,
    "max_position_embeddings": 40,
    "n_layers": 2,
    "n_heads": 4,
    "dim": 32,
    "hidden_dim": 37,
    "activation": "gelu",
    "initializer_range": 0.2,
    "pad_token_id": 0,
}

FIXTURES = [
    ("distilbert-base", "DistilBertModel", {}),
    ("distilbert-token-classification", "DistilBertForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("distilbert-sequence-classification", "DistilBertForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}),
    ("distilbert-sequence-classification-sinusoidal", "DistilBertForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "sinusoidal_pos_embds": True, "activation": "gelu_new"}),
    ("distilbert-question-answering", "DistilBertForQuestionAnswering", {}),
    ("distilbert-masked-lm", "DistilBertForMaskedLM", {"activation": "gelu_new"}),
    ("distilbert-multiple-choice", "DistilBertForMultipleChoice", {"seq_classif_dropout": 0.3}),
]


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return float(f"{value:.8g}")


def write_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    raw = {**TINY, **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = CLASSES[arch](config)
    with torch.no_grad():
        # Random weights everywhere (LayerNorms too, around 1 and 0), so a swapped name cannot pass.
        for pname, p in model.named_parameters():
            if "position_embeddings" in pname and config.sinusoidal_pos_embds:
                continue
            if pname.endswith("LayerNorm.weight") or pname.endswith("layer_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))
    state = base_state_dict_names({k: v.float() for k, v in model.state_dict().items() if k not in TIED}, arch)
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    # Multiple choice: 4 rows viewed as 2 questions × 2 choices.
    multiple_choice = arch.endswith("ForMultipleChoice")
    batch, seq = (4 if multiple_choice else 2), 9
    input_ids = torch.randint(5, config.vocab_size, (batch, seq), generator=generator)
    attention_mask = torch.ones((batch, seq), dtype=torch.long)
    attention_mask[1, seq - 3:] = 0
    if multiple_choice:
        attention_mask[2, seq - 5:] = 0
    input_ids[attention_mask == 0] = config.pad_token_id
    if multiple_choice:
        input_ids, attention_mask = input_ids.view(2, 2, seq), attention_mask.view(2, 2, seq)
    inputs = {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist()}
    with open(os.path.join(folder, "inputs.json"), "w") as f:
        json.dump(inputs, f)
        f.write("\n")
    model, _, _ = load_model_folder(folder, torch.float64)
    model.eval()
    with torch.no_grad():
        out = model(input_ids, attention_mask)
    reference = {
        "generator": "scripts/reference/distilbert_torch.py",
        "torch": torch.__version__,
        "architecture": arch,
        "dtype": "float64",
        "outputs": {k: rounded(v.tolist()) for k, v in out.items()},
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(out)})")


def run_folder(folder):
    with open(os.path.join(folder, "inputs.json")) as f:
        inputs = {k: torch.tensor(v) for k, v in json.load(f).items()}
    model, _, arch = load_model_folder(folder, torch.float64)
    model.eval()
    with torch.no_grad():
        out = model(inputs["input_ids"], inputs["attention_mask"])
    return arch, {k: rounded(v.tolist()) for k, v in out.items() if k != "last_hidden_state"}


# Hub-shaped folders: DistilBertConfig names, the tokenizer's vocabulary.
HUB = {**TINY, "dim": 16, "hidden_dim": 24, "max_position_embeddings": 64}
HUB_FIXTURES = [
    ("distilbert-hub-token-classification", "DistilBertForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("distilbert-hub-sequence-classification", "DistilBertForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}),
    ("distilbert-hub-question-answering", "DistilBertForQuestionAnswering", {}),
    ("distilbert-hub-multiple-choice", "DistilBertForMultipleChoice", {}),
]


def write_hub_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    raw = {**HUB, "vocab_size": tokenizer_vocab_size(folder), **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(300 + seed)
    model = CLASSES[arch](config)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("LayerNorm.weight") or pname.endswith("layer_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))
    save_safetensors(os.path.join(folder, "model.safetensors"), {k: v.float() for k, v in model.state_dict().items()}, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    arch, outputs = run_folder(folder)
    reference = {"generator": "scripts/reference/distilbert_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def main(argv):
    if len(argv) >= 2 and argv[0] == "fixtures":
        # Names after the folder: write only those fixtures (the others keep their files).
        for seed, (name, arch, extra) in enumerate(FIXTURES):
            if len(argv) == 2 or name in argv[2:]:
                write_fixture(argv[1], name, arch, extra, seed)
    elif len(argv) >= 2 and argv[0] == "hub-fixtures":
        for seed, (name, arch, extra) in enumerate(HUB_FIXTURES):
            if len(argv) == 2 or name in argv[2:]:
                write_hub_fixture(argv[1], name, arch, extra, seed)
    elif len(argv) == 2 and argv[0] == "run":
        print(json.dumps(run_folder(argv[1])[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
