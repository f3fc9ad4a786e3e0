"""An independent PyTorch ModernBERT: a hand port of HF transformers
`src/transformers/models/modernbert/modeling_modernbert.py` on its padded, non-FlashAttention path
("eager": a 4-D additive mask, and for local layers the sliding-window mask of
`_update_attention_mask`), with the defaults of `configuration_modernbert.py`. Ported from the file as
stored at huggingface/transformers commit 000c33fdfde12e1ffafbfcdb3c926df5727a00b6 (the
`rope_parameters` / `layer_types` layout, read for this port); the computation is the one of the first
release with ModernBERT, 4.48.0 (global_rope_theta / local_rope_theta fields, the same modules and
names), whose config fields this port reads. One deliberate difference: a float64 model here keeps its
softmax in float64 (HF upcasts to float32), so that float64 references stay exact.

Ported (dropout sites kept, all off in eval):
- ModernBertEmbeddings: tok_embeddings (padding_idx = pad_token_id), norm (LayerNorm with eps norm_eps,
  bias only when norm_bias), drop (embedding_dropout). No position embeddings.
- ModernBertRotaryEmbedding: inv_freq = 1 / base^(arange(0, head_dim, 2) / head_dim), cos / sin of
  position · inv_freq (duplicated halves) computed in float32 and cast, as HF forces float32;
  base = global_rope_theta, local_rope_theta for local layers (when set).
- ModernBertAttention: Wqkv (bias = attention_bias) viewed [b, s, 3, heads, head_dim], rotary on q / k
  (rotate_half), scores · head_dim^-0.5, the global mask or, for layers with layer_id %
  global_attn_every_n_layers != 0, the sliding-window mask (|i − j| ≤ local_attention // 2), softmax,
  dropout (attention_dropout), Wo (bias = attention_bias), out_drop (attention_dropout).
- ModernBertMLP: Wi (hidden → 2·intermediate, bias = mlp_bias) chunked into input and gate,
  Wo(drop(act(input) · gate)) with ACT2FN[hidden_activation], drop = mlp_dropout.
- ModernBertEncoderLayer: pre-norm residuals; attn_norm is nn.Identity in layer 0 (no weights).
- ModernBertModel: embeddings, layers, final_norm.
- ModernBertPredictionHead: dense (bias = classifier_bias), ACT2FN[classifier_activation], norm.
- ModernBertForMaskedLM: head, decoder (bias = decoder_bias) tied to tok_embeddings.
- ModernBertForSequenceClassification: classifier_pooling "cls" (hidden[:, 0]) or "mean" (sum over the
  attention mask / its count), head, drop (classifier_dropout), classifier.
- ModernBertForTokenClassification: head, drop, classifier.
- ModernBertForQuestionAnswering, which 4.48.0 does not have, as huggingface/transformers commit
  000c33fdfde12e1ffafbfcdb3c926df5727a00b6 has it: head, drop, classifier (num_labels = 2 outputs),
  split into start_logits / end_logits.
Not ported: FlashAttention's unpadded path (the padded
path gives the same values at real tokens), sparse_prediction.

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/modernbert_torch.py fixtures test/fixtures/family
        writes seeded fixture folders modernbert-<head>/ (config.json, model.safetensors, inputs.json,
        reference.json: the float64 outputs of this port, rounded to 8 significant digits)
    /usr/bin/python3 scripts/reference/modernbert_torch.py hub-fixtures test/fixtures/family
        completes the hub-shaped folders modernbert-hub-<head>/ that test/fixtures/family/generateHubFolders.ts
        started (tokenizer.json with [CLS] [SEP] [PAD] [MASK] after the vocabulary, texts.json, inputs.json):
        config.json with answerdotai/ModernBERT-base's field set at a tiny size, seeded model.safetensors,
        reference.json (masked LM: the rows of the [MASK] tokens only)
    /usr/bin/python3 scripts/reference/modernbert_torch.py run FOLDER
        prints the float64 outputs of FOLDER's model for FOLDER/inputs.json
"""

import json
import math
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import act_fn, load_safetensors, save_safetensors, tokenizer_vocab_size  # noqa: E402

# ModernBertConfig.__init__ defaults (configuration_modernbert.py, 4.48.0).
MODERNBERT_DEFAULTS = {
    "vocab_size": 50368, "hidden_size": 768, "intermediate_size": 1152, "num_hidden_layers": 22,
    "num_attention_heads": 12, "hidden_activation": "gelu", "max_position_embeddings": 8192,
    "initializer_range": 0.02, "initializer_cutoff_factor": 2.0, "norm_eps": 1e-5, "norm_bias": False,
    "pad_token_id": 50283, "eos_token_id": 50282, "bos_token_id": 50281, "cls_token_id": 50281, "sep_token_id": 50282,
    "global_rope_theta": 160000.0, "attention_bias": False, "attention_dropout": 0.0, "global_attn_every_n_layers": 3,
    "local_attention": 128, "local_rope_theta": 10000.0, "embedding_dropout": 0.0, "mlp_bias": False, "mlp_dropout": 0.0,
    "decoder_bias": True, "classifier_pooling": "cls", "classifier_dropout": 0.0, "classifier_bias": False,
    "classifier_activation": "gelu", "deterministic_flash_attn": False, "sparse_prediction": False,
    "sparse_pred_ignore_index": -100, "reference_compile": None, "problem_type": None, "tie_word_embeddings": True,
}


class Config:
    def __init__(self, raw):
        merged = dict(MODERNBERT_DEFAULTS)
        merged.update(raw)
        self.__dict__.update(merged)
        self.num_labels = len(raw["id2label"]) if "id2label" in raw else raw.get("num_labels", 2)
        if self.classifier_pooling not in ("cls", "mean"):
            raise ValueError(f'classifier_pooling must be "cls" or "mean", got {self.classifier_pooling}')
        if self.hidden_size % self.num_attention_heads != 0:
            raise ValueError("hidden_size is not a multiple of num_attention_heads")


class LayerNorm(nn.Module):
    """nn.LayerNorm(bias=norm_bias) of torch >= 2.1, for torch 1.13: no bias parameter when bias is False."""

    def __init__(self, size, eps, bias):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)


class ModernBertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.norm = LayerNorm(config.hidden_size, config.norm_eps, config.norm_bias)
        self.drop = nn.Dropout(config.embedding_dropout)

    def forward(self, input_ids):
        return self.drop(self.norm(self.tok_embeddings(input_ids)))


class ModernBertMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.Wi = nn.Linear(config.hidden_size, int(config.intermediate_size) * 2, bias=config.mlp_bias)
        self.act = act_fn(config.hidden_activation)
        self.drop = nn.Dropout(config.mlp_dropout)
        self.Wo = nn.Linear(config.intermediate_size, config.hidden_size, bias=config.mlp_bias)

    def forward(self, hidden_states):
        input, gate = self.Wi(hidden_states).chunk(2, dim=-1)
        return self.Wo(self.drop(self.act(input) * gate))


class ModernBertRotaryEmbedding(nn.Module):
    def __init__(self, dim, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    @torch.no_grad()
    def forward(self, x, position_ids):
        inv_freq_expanded = self.inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        # HF: autocast off, float32.
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype=x.dtype), emb.sin().to(dtype=x.dtype)


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, unsqueeze_dim=1):
    cos = cos.unsqueeze(unsqueeze_dim)
    sin = sin.unsqueeze(unsqueeze_dim)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


class ModernBertAttention(nn.Module):
    def __init__(self, config, layer_id):
        super().__init__()
        self.attention_dropout = config.attention_dropout
        self.num_heads = config.num_attention_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.head_dim * self.num_heads
        self.Wqkv = nn.Linear(config.hidden_size, 3 * self.all_head_size, bias=config.attention_bias)
        if layer_id % config.global_attn_every_n_layers != 0:
            self.local_attention = (config.local_attention // 2, config.local_attention // 2)
        else:
            self.local_attention = (-1, -1)
        rope_theta = config.global_rope_theta
        if self.local_attention != (-1, -1) and config.local_rope_theta is not None:
            rope_theta = config.local_rope_theta
        self.rotary_emb = ModernBertRotaryEmbedding(dim=self.head_dim, base=rope_theta)
        self.Wo = nn.Linear(config.hidden_size, config.hidden_size, bias=config.attention_bias)
        self.out_drop = nn.Dropout(config.attention_dropout) if config.attention_dropout > 0.0 else nn.Identity()

    def forward(self, hidden_states, attention_mask, sliding_window_mask, position_ids):
        qkv = self.Wqkv(hidden_states)
        bs = hidden_states.shape[0]
        qkv = qkv.view(bs, -1, 3, self.num_heads, self.head_dim)
        # eager_attention_forward
        cos, sin = self.rotary_emb(qkv, position_ids=position_ids)
        query, key, value = qkv.transpose(3, 1).unbind(dim=2)
        query, key = apply_rotary_pos_emb(query, key, cos, sin)
        scale = self.head_dim ** -0.5
        attn_weights = torch.matmul(query, key.transpose(2, 3)) * scale
        if self.local_attention != (-1, -1):
            attention_mask = sliding_window_mask
        attn_weights = attn_weights + attention_mask
        attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32 if query.dtype != torch.float64 else torch.float64).to(query.dtype)
        attn_weights = nn.functional.dropout(attn_weights, p=self.attention_dropout, training=self.training)
        attn_output = torch.matmul(attn_weights, value)
        attn_output = attn_output.transpose(1, 2).contiguous().view(bs, -1, self.all_head_size)
        return self.out_drop(self.Wo(attn_output))


class ModernBertEncoderLayer(nn.Module):
    def __init__(self, config, layer_id):
        super().__init__()
        self.attn_norm = nn.Identity() if layer_id == 0 else LayerNorm(config.hidden_size, config.norm_eps, config.norm_bias)
        self.attn = ModernBertAttention(config, layer_id)
        self.mlp_norm = LayerNorm(config.hidden_size, config.norm_eps, config.norm_bias)
        self.mlp = ModernBertMLP(config)

    def forward(self, hidden_states, attention_mask, sliding_window_mask, position_ids):
        hidden_states = hidden_states + self.attn(self.attn_norm(hidden_states), attention_mask, sliding_window_mask, position_ids)
        return hidden_states + self.mlp(self.mlp_norm(hidden_states))


def prepare_4d_attention_mask(mask, dtype):
    """_prepare_4d_attention_mask (modeling_attn_mask_utils.py): [b, 1, q, k], finfo.min at padded keys."""
    bsz, src_len = mask.shape
    expanded = mask[:, None, None, :].expand(bsz, 1, src_len, src_len).to(dtype)
    inverted = 1.0 - expanded
    return inverted.masked_fill(inverted.to(torch.bool), torch.finfo(dtype).min)


class ModernBertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = ModernBertEmbeddings(config)
        self.layers = nn.ModuleList([ModernBertEncoderLayer(config, i) for i in range(config.num_hidden_layers)])
        self.final_norm = LayerNorm(config.hidden_size, config.norm_eps, config.norm_bias)

    def update_attention_mask(self, attention_mask, dtype):
        global_attention_mask = prepare_4d_attention_mask(attention_mask, dtype)
        rows = torch.arange(global_attention_mask.shape[2]).unsqueeze(0)
        distance = torch.abs(rows - rows.T)
        window_mask = (distance <= self.config.local_attention // 2).unsqueeze(0).unsqueeze(0)
        sliding_window_mask = global_attention_mask.masked_fill(window_mask.logical_not(), torch.finfo(dtype).min)
        return global_attention_mask, sliding_window_mask

    def forward(self, input_ids, attention_mask=None):
        batch_size, seq_len = input_ids.shape[:2]
        if attention_mask is None:
            attention_mask = torch.ones((batch_size, seq_len), dtype=torch.bool)
        position_ids = torch.arange(seq_len).unsqueeze(0)
        dtype = self.embeddings.tok_embeddings.weight.dtype
        attention_mask_4d, sliding_window_mask = self.update_attention_mask(attention_mask, dtype)
        hidden_states = self.embeddings(input_ids)
        for layer in self.layers:
            hidden_states = layer(hidden_states, attention_mask_4d, sliding_window_mask, position_ids)
        return self.final_norm(hidden_states)


class ModernBertPredictionHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size, config.classifier_bias)
        self.act = act_fn(config.classifier_activation)
        self.norm = LayerNorm(config.hidden_size, config.norm_eps, config.norm_bias)

    def forward(self, hidden_states):
        return self.norm(self.act(self.dense(hidden_states)))


class ModernBertBase(nn.Module):
    """ModernBertModel as a head: its state_dict under `model.` (save_pretrained of a bare ModernBertModel drops it)."""

    def __init__(self, config):
        super().__init__()
        self.model = ModernBertModel(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        return {"last_hidden_state": self.model(input_ids, attention_mask)}


class ModernBertForMaskedLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = ModernBertModel(config)
        self.head = ModernBertPredictionHead(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=config.decoder_bias)
        if config.tie_word_embeddings:
            self.decoder.weight = self.model.embeddings.tok_embeddings.weight

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        return {"logits": self.decoder(self.head(self.model(input_ids, attention_mask)))}


class ModernBertForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = ModernBertModel(config)
        self.head = ModernBertPredictionHead(config)
        self.drop = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones(input_ids.shape[:2], dtype=torch.bool)
        last_hidden_state = self.model(input_ids, attention_mask)
        if self.config.classifier_pooling == "cls":
            last_hidden_state = last_hidden_state[:, 0]
        elif self.config.classifier_pooling == "mean":
            last_hidden_state = (last_hidden_state * attention_mask.unsqueeze(-1)).sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)
        return {"logits": self.classifier(self.drop(self.head(last_hidden_state)))}


class ModernBertForTokenClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.model = ModernBertModel(config)
        self.head = ModernBertPredictionHead(config)
        self.drop = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        return {"logits": self.classifier(self.drop(self.head(self.model(input_ids, attention_mask))))}


class ModernBertForQuestionAnswering(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.model = ModernBertModel(config)
        self.head = ModernBertPredictionHead(config)
        self.drop = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        logits = self.classifier(self.drop(self.head(self.model(input_ids, attention_mask))))
        start_logits, end_logits = logits.split(1, dim=-1)
        return {"start_logits": start_logits.squeeze(-1).contiguous(), "end_logits": end_logits.squeeze(-1).contiguous()}


CLASSES = {
    "ModernBertModel": ModernBertBase,
    "ModernBertForMaskedLM": ModernBertForMaskedLM,
    "ModernBertForSequenceClassification": ModernBertForSequenceClassification,
    "ModernBertForTokenClassification": ModernBertForTokenClassification,
    "ModernBertForQuestionAnswering": ModernBertForQuestionAnswering,
}
# state_dict entries that save_pretrained leaves out (tied to model.embeddings.tok_embeddings.weight).
TIED = ("decoder.weight",)


def load_model_folder(folder, dtype=torch.float64):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    config = Config(raw)
    arch = raw["architectures"][0]
    model = CLASSES[arch](config).to(dtype)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    if arch == "ModernBertModel" and not any(k.startswith("model.") for k in tensors):
        tensors = {f"model.{k}": v for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=False)
    if unexpected or [m for m in missing if m not in TIED]:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config, arch


# ModernBERT-base's field set at a tiny size: 3 layers with a global layer every 2 (layers 0 and 2
# global, layer 1 local), a local window of 4 tokens (±2) inside rows of 9, head_dim 8 (4 rotary
# frequencies), no biases anywhere but the classifier and the decoder, as the hub checkpoints.
TINY = {
    "vocab_size": 99, "hidden_size": 32, "intermediate_size": 24, "num_hidden_layers": 3, "num_attention_heads": 4,
    "hidden_activation": "gelu", "max_position_embeddings": 64, "initializer_range": 0.2, "norm_eps": 1e-5,
    "norm_bias": False, "pad_token_id": 0, "bos_token_id": 1, "cls_token_id": 1, "eos_token_id": 2, "sep_token_id": 2,
    "global_rope_theta": 160000.0, "local_rope_theta": 10000.0, "attention_bias": False, "global_attn_every_n_layers": 2,
    "local_attention": 4, "mlp_bias": False, "decoder_bias": True, "classifier_pooling": "cls", "classifier_bias": False,
    "classifier_activation": "gelu", "attention_dropout": 0.0, "embedding_dropout": 0.0, "mlp_dropout": 0.0,
    "classifier_dropout": 0.0,
}
# Every bias switched on (norm_bias, attention_bias, mlp_bias, classifier_bias) and the tanh GELU.
BIASED = {**TINY, "norm_bias": True, "attention_bias": True, "mlp_bias": True, "classifier_bias": True,
          "hidden_activation": "gelu_new", "classifier_activation": "gelu_new"}
NER_LABELS = {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}
SENTIMENT = {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}

FIXTURES = [
    ("modernbert-base", "ModernBertModel", TINY),
    ("modernbert-token-classification", "ModernBertForTokenClassification", {**TINY, **NER_LABELS}),
    ("modernbert-sequence-classification", "ModernBertForSequenceClassification", {**TINY, **SENTIMENT}),
    ("modernbert-sequence-classification-mean", "ModernBertForSequenceClassification",
     {**TINY, **SENTIMENT, "classifier_pooling": "mean"}),
    ("modernbert-biased-token-classification", "ModernBertForTokenClassification", {**BIASED, **NER_LABELS}),
    ("modernbert-masked-lm", "ModernBertForMaskedLM", TINY),
    ("modernbert-question-answering", "ModernBertForQuestionAnswering", TINY),
]


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return float(f"{value:.8g}")


def randomize(model, config, generator):
    """Random weights everywhere (norms around 1 and 0), so a swapped name cannot pass."""
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm.weight" in pname:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))


def run_inputs(folder, inputs):
    model, _, arch = load_model_folder(folder, torch.float64)
    model.eval()
    with torch.no_grad():
        out = model(inputs["input_ids"], inputs["attention_mask"])
    return arch, {k: rounded(v.tolist()) for k, v in out.items()}


def write_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    raw = {"model_type": "modernbert", **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(900 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    state = {k: v.float() for k, v in model.state_dict().items() if k not in TIED}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    # [CLS]=1 ... [SEP]=2 rows of 9 and 6 tokens, the second padded with id 0: the window (±2) cuts both.
    batch, seq = 2, 9
    input_ids = torch.randint(5, config.vocab_size, (batch, seq), generator=generator)
    input_ids[:, 0] = 1
    attention_mask = torch.ones((batch, seq), dtype=torch.long)
    attention_mask[1, seq - 3:] = 0
    input_ids[0, seq - 1] = 2
    input_ids[1, seq - 4] = 2
    input_ids[attention_mask == 0] = config.pad_token_id
    inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
    with open(os.path.join(folder, "inputs.json"), "w") as f:
        json.dump({k: v.tolist() for k, v in inputs.items()}, f)
        f.write("\n")
    arch, outputs = run_inputs(folder, inputs)
    reference = {"generator": "scripts/reference/modernbert_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def run_folder(folder):
    with open(os.path.join(folder, "inputs.json")) as f:
        inputs = {k: torch.tensor(v) for k, v in json.load(f).items()}
    arch, outputs = run_inputs(folder, inputs)
    if arch == "ModernBertForMaskedLM":
        # Only the rows of the [MASK] tokens: the whole [batch, seq, vocab] would be large.
        with open(os.path.join(folder, "tokenizer.json")) as f:
            mask_id = next(t["id"] for t in json.load(f)["added_tokens"] if t["content"] == "[MASK]")
        positions = (inputs["input_ids"] == mask_id).nonzero().tolist()
        outputs = {"mask_positions": positions, "mask_logits": [outputs["logits"][b][t] for b, t in positions]}
    return arch, outputs


# answerdotai/ModernBERT-base's config.json fields at a tiny size: 3 layers, a global layer every 2, a
# window of 8 tokens (±4) inside rows of up to 40; the specials' ids are the fixture tokenizer's.
HUB = {
    "model_type": "modernbert", "architectures": None, "attention_bias": False, "attention_dropout": 0.0,
    "classifier_activation": "gelu", "classifier_bias": False, "classifier_dropout": 0.0, "classifier_pooling": "mean",
    "decoder_bias": True, "deterministic_flash_attn": False, "embedding_dropout": 0.0, "global_attn_every_n_layers": 2,
    "global_rope_theta": 160000.0, "gradient_checkpointing": False, "hidden_activation": "gelu", "hidden_size": 32,
    "initializer_cutoff_factor": 2.0, "initializer_range": 0.2, "intermediate_size": 24, "layer_norm_eps": 1e-05,
    "local_attention": 8, "local_rope_theta": 10000.0, "max_position_embeddings": 128, "mlp_bias": False, "mlp_dropout": 0.0,
    "norm_bias": False, "norm_eps": 1e-05, "num_attention_heads": 4, "num_hidden_layers": 3, "position_embedding_type": "absolute",
    "sparse_pred_ignore_index": -100, "sparse_prediction": False, "torch_dtype": "float32", "transformers_version": "4.48.0",
}
HUB_FIXTURES = [
    ("modernbert-hub-token-classification", "ModernBertForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("modernbert-hub-sequence-classification", "ModernBertForSequenceClassification", {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}),
    ("modernbert-hub-masked-lm", "ModernBertForMaskedLM", {}),
    ("modernbert-hub-question-answering", "ModernBertForQuestionAnswering", {}),
]


def write_hub_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    with open(os.path.join(folder, "tokenizer.json")) as f:
        added = {t["content"]: t["id"] for t in json.load(f)["added_tokens"]}
    raw = {**HUB, "vocab_size": tokenizer_vocab_size(folder), "pad_token_id": added["[PAD]"], "cls_token_id": added["[CLS]"],
           "bos_token_id": added["[CLS]"], "sep_token_id": added["[SEP]"], "eos_token_id": added["[SEP]"], **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(950 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    save_safetensors(os.path.join(folder, "model.safetensors"), {k: v.float() for k, v in model.state_dict().items() if k not in TIED}, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2, sort_keys=True)
        f.write("\n")
    arch, outputs = run_folder(folder)
    reference = {"generator": "scripts/reference/modernbert_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def main(argv):
    if len(argv) >= 2 and argv[0] == "fixtures":
        names = set(argv[2:])
        for seed, (name, arch, extra) in enumerate(FIXTURES):
            if not names or name in names:
                write_fixture(argv[1], name, arch, extra, seed)
    elif len(argv) == 2 and argv[0] == "hub-fixtures":
        for seed, (name, arch, extra) in enumerate(HUB_FIXTURES):
            write_hub_fixture(argv[1], name, arch, extra, seed)
    elif len(argv) == 2 and argv[0] == "run":
        print(json.dumps(run_folder(argv[1])[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
