"""An independent PyTorch DeBERTa-v2 / v3: a hand port of HF transformers 4.x
`src/transformers/models/deberta_v2/modeling_deberta_v2.py` as stored at huggingface/transformers
commit 0038a3caa5c7d0c5014704005dd67ab347451ddc (the StableDropout / XSoftmax / torch.jit
c2p_dynamic_expand layout that precedes the 4.47 rewrite, with DebertaV2ForMaskedLM's head as
`lm_predictions.lm_head.*`; the 4.2x–4.46 releases name that head `cls.predictions.*`, which BERT Lens
reads as an alias) and the defaults of `configuration_deberta_v2.py`.

Ported (dropout sites kept, all off in eval):
- DebertaV2Embeddings: word embeddings (padding_idx = pad_token_id); position embeddings only when
  position_biased_input (false in v3); token types only when type_vocab_size > 0; embed_proj
  (Linear without bias) when embedding_size != hidden_size; LayerNorm; multiplied by the attention
  mask; StableDropout(hidden_dropout_prob).
- DebertaV2Encoder: rel_embeddings (nn.Embedding(2 * pos_ebd_size, hidden)), pos_ebd_size =
  position_buckets if > 0 else max_relative_positions (max_position_embeddings when < 1);
  norm_rel_ebd "layer_norm" → encoder.LayerNorm on the table; the 2-D mask made [b, 1, q, k] as
  mask_q * mask_k (get_attention_mask); build_relative_position with make_log_bucket_position.
  ConvLayer (conv_kernel_size > 0) is refused, as BERT Lens refuses it.
- DisentangledSelfAttention: query_proj / key_proj / value_proj, scale sqrt(head * (1 + len(pos_att_type))),
  c2p and p2c with share_att_key (query_proj / key_proj on the relative table) or pos_key_proj /
  pos_query_proj, the clamp + gather of each, XSoftmax (masked to finfo.min, softmax, zeroed).
- DebertaV2SelfOutput / Intermediate / Output: BERT's.
- DebertaV2ForMaskedLM as this file names it: lm_predictions.lm_head (dense, ACT2FN[hidden_act], LayerNorm,
  bias) with the decoder tied to the word embeddings (no decoder tensor of its own).
- Heads: ForTokenClassification (dropout hidden_dropout_prob, classifier), ForSequenceClassification
  (ContextPooler: [:, 0], StableDropout(pooler_dropout), pooler.dense, ACT2FN[pooler_hidden_act];
  StableDropout(cls_dropout ?? hidden_dropout_prob), classifier), ForQuestionAnswering (qa_outputs),
  ForMultipleChoice (ContextPooler, classifier to 1).

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/deberta_v2_torch.py fixtures test/fixtures/family
    /usr/bin/python3 scripts/reference/deberta_v2_torch.py hub-fixtures test/fixtures/family
        completes the hub-shaped folders deberta-v3-hub-<head>/ that test/fixtures/family/generateHubFolders.ts
        started (spm.model, tokenizer_config.json, texts.json, inputs.json): config.json with
        microsoft/deberta-v3-xsmall's field set at a tiny size, seeded model.safetensors, reference.json
    /usr/bin/python3 scripts/reference/deberta_v2_torch.py run FOLDER
"""

import json
import math
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import act_fn, load_safetensors, save_safetensors  # noqa: E402

# DebertaV2Config.__init__ defaults, plus the getattr defaults modeling_deberta_v2.py reads.
DEBERTA_V2_DEFAULTS = {
    "vocab_size": 128100, "hidden_size": 1536, "num_hidden_layers": 24, "num_attention_heads": 24,
    "intermediate_size": 6144, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512, "type_vocab_size": 0, "initializer_range": 0.02, "layer_norm_eps": 1e-7,
    "relative_attention": False, "max_relative_positions": -1, "pad_token_id": 0, "position_biased_input": True,
    "pos_att_type": None, "pooler_dropout": 0, "pooler_hidden_act": "gelu",
    "share_att_key": False, "position_buckets": -1, "norm_rel_ebd": "none", "conv_kernel_size": 0, "cls_dropout": None,
}


class Config:
    def __init__(self, raw):
        merged = dict(DEBERTA_V2_DEFAULTS)
        merged.update(raw)
        self.__dict__.update(merged)
        self.num_labels = len(raw["id2label"]) if "id2label" in raw else raw.get("num_labels", 2)
        # DebertaV2Config: a "p2c|c2p" string becomes a list.
        if isinstance(self.pos_att_type, str):
            self.pos_att_type = [x.strip() for x in self.pos_att_type.lower().split("|")]
        self.pooler_hidden_size = raw.get("pooler_hidden_size", self.hidden_size)
        self.embedding_size = raw.get("embedding_size", self.hidden_size)
        if self.conv_kernel_size > 0:
            raise ValueError("ConvLayer (conv_kernel_size > 0) is not ported")


def make_log_bucket_position(relative_pos, bucket_size, max_position):
    sign = torch.sign(relative_pos)
    mid = bucket_size // 2
    abs_pos = torch.where(
        (relative_pos < mid) & (relative_pos > -mid),
        torch.tensor(mid - 1).type_as(relative_pos),
        torch.abs(relative_pos),
    )
    log_pos = torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid)) * (mid - 1)) + mid
    bucket_pos = torch.where(abs_pos <= mid, relative_pos.type_as(log_pos), log_pos * sign)
    return bucket_pos


def build_relative_position(query_size, key_size, bucket_size=-1, max_position=-1):
    q_ids = torch.arange(0, query_size)
    k_ids = torch.arange(0, key_size)
    rel_pos_ids = q_ids[:, None] - k_ids[None, :]
    if bucket_size > 0 and max_position > 0:
        rel_pos_ids = make_log_bucket_position(rel_pos_ids, bucket_size, max_position)
    rel_pos_ids = rel_pos_ids.to(torch.long)
    rel_pos_ids = rel_pos_ids[:query_size, :]
    return rel_pos_ids.unsqueeze(0)


def xsoftmax(scores, mask, dim):
    rmask = ~(mask.to(torch.bool))
    output = scores.masked_fill(rmask, torch.tensor(torch.finfo(scores.dtype).min))
    output = torch.softmax(output, dim)
    return output.masked_fill(rmask, 0)


class DisentangledSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
        self.key_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
        self.value_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
        self.share_att_key = config.share_att_key
        self.pos_att_type = config.pos_att_type if config.pos_att_type is not None else []
        self.relative_attention = config.relative_attention
        if self.relative_attention:
            self.position_buckets = config.position_buckets
            self.max_relative_positions = config.max_relative_positions
            if self.max_relative_positions < 1:
                self.max_relative_positions = config.max_position_embeddings
            self.pos_ebd_size = self.max_relative_positions
            if self.position_buckets > 0:
                self.pos_ebd_size = self.position_buckets
            self.pos_dropout = nn.Dropout(config.hidden_dropout_prob)
            if not self.share_att_key:
                if "c2p" in self.pos_att_type:
                    self.pos_key_proj = nn.Linear(config.hidden_size, self.all_head_size, bias=True)
                if "p2c" in self.pos_att_type:
                    self.pos_query_proj = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x, attention_heads):
        new_x_shape = x.size()[:-1] + (attention_heads, -1)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3).contiguous().view(-1, x.size(1), x.size(-1))

    def forward(self, hidden_states, attention_mask, relative_pos=None, rel_embeddings=None):
        query_layer = self.transpose_for_scores(self.query_proj(hidden_states), self.num_attention_heads)
        key_layer = self.transpose_for_scores(self.key_proj(hidden_states), self.num_attention_heads)
        value_layer = self.transpose_for_scores(self.value_proj(hidden_states), self.num_attention_heads)
        rel_att = None
        scale_factor = 1
        if "c2p" in self.pos_att_type:
            scale_factor += 1
        if "p2c" in self.pos_att_type:
            scale_factor += 1
        scale = torch.sqrt(torch.tensor(query_layer.size(-1), dtype=torch.float) * scale_factor)
        attention_scores = torch.bmm(query_layer, key_layer.transpose(-1, -2)) / torch.tensor(scale, dtype=query_layer.dtype)
        if self.relative_attention:
            rel_embeddings = self.pos_dropout(rel_embeddings)
            rel_att = self.disentangled_attention_bias(query_layer, key_layer, relative_pos, rel_embeddings, scale_factor)
        if rel_att is not None:
            attention_scores = attention_scores + rel_att
        attention_scores = attention_scores.view(-1, self.num_attention_heads, attention_scores.size(-2), attention_scores.size(-1))
        attention_probs = xsoftmax(attention_scores, attention_mask, -1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.bmm(attention_probs.view(-1, attention_probs.size(-2), attention_probs.size(-1)), value_layer)
        context_layer = context_layer.view(-1, self.num_attention_heads, context_layer.size(-2), context_layer.size(-1)).permute(0, 2, 1, 3).contiguous()
        return context_layer.view(context_layer.size()[:-2] + (-1,))

    def disentangled_attention_bias(self, query_layer, key_layer, relative_pos, rel_embeddings, scale_factor):
        if relative_pos is None:
            relative_pos = build_relative_position(query_layer.size(-2), key_layer.size(-2), bucket_size=self.position_buckets, max_position=self.max_relative_positions)
        if relative_pos.dim() == 2:
            relative_pos = relative_pos.unsqueeze(0).unsqueeze(0)
        elif relative_pos.dim() == 3:
            relative_pos = relative_pos.unsqueeze(1)
        att_span = self.pos_ebd_size
        relative_pos = relative_pos.long()
        rel_embeddings = rel_embeddings[0:att_span * 2, :].unsqueeze(0)
        repeat = query_layer.size(0) // self.num_attention_heads
        if self.share_att_key:
            pos_query_layer = self.transpose_for_scores(self.query_proj(rel_embeddings), self.num_attention_heads).repeat(repeat, 1, 1)
            pos_key_layer = self.transpose_for_scores(self.key_proj(rel_embeddings), self.num_attention_heads).repeat(repeat, 1, 1)
        else:
            if "c2p" in self.pos_att_type:
                pos_key_layer = self.transpose_for_scores(self.pos_key_proj(rel_embeddings), self.num_attention_heads).repeat(repeat, 1, 1)
            if "p2c" in self.pos_att_type:
                pos_query_layer = self.transpose_for_scores(self.pos_query_proj(rel_embeddings), self.num_attention_heads).repeat(repeat, 1, 1)
        score = 0
        if "c2p" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_key_layer.size(-1), dtype=torch.float) * scale_factor)
            c2p_att = torch.bmm(query_layer, pos_key_layer.transpose(-1, -2))
            c2p_pos = torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)
            c2p_att = torch.gather(c2p_att, dim=-1, index=c2p_pos.squeeze(0).expand([query_layer.size(0), query_layer.size(1), relative_pos.size(-1)]))
            score += c2p_att / torch.tensor(scale, dtype=c2p_att.dtype)
        if "p2c" in self.pos_att_type:
            scale = torch.sqrt(torch.tensor(pos_query_layer.size(-1), dtype=torch.float) * scale_factor)
            r_pos = relative_pos  # query and key lengths are equal (no query_states)
            p2c_pos = torch.clamp(-r_pos + att_span, 0, att_span * 2 - 1)
            p2c_att = torch.bmm(key_layer, pos_query_layer.transpose(-1, -2))
            p2c_att = torch.gather(p2c_att, dim=-1, index=p2c_pos.squeeze(0).expand([query_layer.size(0), key_layer.size(-2), key_layer.size(-2)])).transpose(-1, -2)
            score += p2c_att / torch.tensor(scale, dtype=p2c_att.dtype)
        return score


class DenseResidualNorm(nn.Module):
    """DebertaV2SelfOutput / DebertaV2Output: LayerNorm(dropout(dense(x)) + residual)."""

    def __init__(self, config, in_features):
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        return self.LayerNorm(self.dropout(self.dense(hidden_states)) + input_tensor)


class DebertaV2Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = DisentangledSelfAttention(config)
        self.output = DenseResidualNorm(config, config.hidden_size)

    def forward(self, hidden_states, attention_mask, relative_pos, rel_embeddings):
        return self.output(self.self(hidden_states, attention_mask, relative_pos, rel_embeddings), hidden_states)


class DebertaV2Intermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.act = act_fn(config.hidden_act)

    def forward(self, x):
        return self.act(self.dense(x))


class DebertaV2Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = DebertaV2Attention(config)
        self.intermediate = DebertaV2Intermediate(config)
        self.output = DenseResidualNorm(config, config.intermediate_size)

    def forward(self, hidden_states, attention_mask, relative_pos, rel_embeddings):
        attention_output = self.attention(hidden_states, attention_mask, relative_pos, rel_embeddings)
        return self.output(self.intermediate(attention_output), attention_output)


class DebertaV2Encoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([DebertaV2Layer(config) for _ in range(config.num_hidden_layers)])
        self.relative_attention = config.relative_attention
        if self.relative_attention:
            self.max_relative_positions = config.max_relative_positions
            if self.max_relative_positions < 1:
                self.max_relative_positions = config.max_position_embeddings
            self.position_buckets = config.position_buckets
            pos_ebd_size = self.max_relative_positions * 2
            if self.position_buckets > 0:
                pos_ebd_size = self.position_buckets * 2
            self.rel_embeddings = nn.Embedding(pos_ebd_size, config.hidden_size)
        self.norm_rel_ebd = [x.strip() for x in config.norm_rel_ebd.lower().split("|")]
        if "layer_norm" in self.norm_rel_ebd:
            self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps, elementwise_affine=True)

    def get_rel_embedding(self):
        rel_embeddings = self.rel_embeddings.weight if self.relative_attention else None
        if rel_embeddings is not None and ("layer_norm" in self.norm_rel_ebd):
            rel_embeddings = self.LayerNorm(rel_embeddings)
        return rel_embeddings

    def forward(self, hidden_states, attention_mask):
        extended = attention_mask.unsqueeze(1).unsqueeze(2)
        mask = (extended * extended.squeeze(-2).unsqueeze(-1)).byte()
        relative_pos = None
        if self.relative_attention:
            relative_pos = build_relative_position(hidden_states.size(-2), hidden_states.size(-2), bucket_size=self.position_buckets, max_position=self.max_relative_positions)
        rel_embeddings = self.get_rel_embedding()
        for layer in self.layer:
            hidden_states = layer(hidden_states, mask, relative_pos, rel_embeddings)
        return hidden_states


class DebertaV2Embeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embedding_size = config.embedding_size
        self.word_embeddings = nn.Embedding(config.vocab_size, self.embedding_size, padding_idx=config.pad_token_id)
        self.position_biased_input = config.position_biased_input
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, self.embedding_size) if self.position_biased_input else None
        if config.type_vocab_size > 0:
            self.token_type_embeddings = nn.Embedding(config.type_vocab_size, self.embedding_size)
        if self.embedding_size != config.hidden_size:
            self.embed_proj = nn.Linear(self.embedding_size, config.hidden_size, bias=False)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, token_type_ids, mask):
        seq_length = input_ids.size(1)
        position_ids = torch.arange(seq_length).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        embeddings = self.word_embeddings(input_ids)
        if self.position_embeddings is not None:
            embeddings = embeddings + self.position_embeddings(position_ids)
        if self.config.type_vocab_size > 0:
            embeddings = embeddings + self.token_type_embeddings(token_type_ids)
        if self.embedding_size != self.config.hidden_size:
            embeddings = self.embed_proj(embeddings)
        embeddings = self.LayerNorm(embeddings)
        embeddings = embeddings * mask.unsqueeze(2).to(embeddings.dtype)
        return self.dropout(embeddings)


class DebertaV2Model(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embeddings = DebertaV2Embeddings(config)
        self.encoder = DebertaV2Encoder(config)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        return self.encoder(self.embeddings(input_ids, token_type_ids, attention_mask), attention_mask)


class ContextPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.pooler_hidden_size, config.pooler_hidden_size)
        self.dropout = nn.Dropout(config.pooler_dropout)
        self.act = act_fn(config.pooler_hidden_act)

    def forward(self, hidden_states):
        return self.act(self.dense(self.dropout(hidden_states[:, 0])))


def cls_dropout(config):
    return config.hidden_dropout_prob if config.cls_dropout is None else config.cls_dropout


class DebertaV2Base(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        return {"last_hidden_state": self.deberta(input_ids, attention_mask, token_type_ids)}


class DebertaV2ForTokenClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        return {"logits": self.classifier(self.dropout(self.deberta(input_ids, attention_mask, token_type_ids)))}


class DebertaV2ForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.pooler = ContextPooler(config)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.dropout = nn.Dropout(cls_dropout(config))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        pooled = self.pooler(self.deberta(input_ids, attention_mask, token_type_ids))
        return {"logits": self.classifier(self.dropout(pooled))}


class DebertaV2ForQuestionAnswering(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.qa_outputs = nn.Linear(config.hidden_size, 2)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        logits = self.qa_outputs(self.deberta(input_ids, attention_mask, token_type_ids))
        start, end = logits.split(1, dim=-1)
        return {"start_logits": start.squeeze(-1), "end_logits": end.squeeze(-1)}


class DebertaV2ForMultipleChoice(nn.Module):
    """Rows [batch, choices, seq] flattened for the encoder; ContextPooler, StableDropout(cls_dropout), classifier to 1."""

    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.pooler = ContextPooler(config)
        self.classifier = nn.Linear(config.hidden_size, 1)
        self.dropout = nn.Dropout(cls_dropout(config))

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        num_choices = input_ids.shape[1]
        flat = lambda x: None if x is None else x.view(-1, x.size(-1))  # noqa: E731
        pooled = self.pooler(self.deberta(flat(input_ids), flat(attention_mask), flat(token_type_ids)))
        return {"logits": self.classifier(self.dropout(pooled)).view(-1, num_choices)}


class DebertaV2LMPredictionHead(nn.Module):
    """lm_predictions.lm_head: dense, ACT2FN[hidden_act], LayerNorm, then x · word_embeddings.weightᵀ + bias."""

    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.act = act_fn(config.hidden_act)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps, elementwise_affine=True)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))

    def forward(self, hidden_states, word_embeddings):
        hidden_states = self.LayerNorm(self.act(self.dense(hidden_states)))
        return torch.matmul(hidden_states, word_embeddings.weight.t()) + self.bias


class DebertaV2OnlyMLMHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.lm_head = DebertaV2LMPredictionHead(config)

    def forward(self, sequence_output, word_embeddings):
        return self.lm_head(sequence_output, word_embeddings)


class DebertaV2ForMaskedLM(nn.Module):
    """The layout of this file's DebertaV2ForMaskedLM (lm_predictions.lm_head.*, as microsoft/deberta-v3-*'s
    checkpoints name it), not the cls.predictions.* of the 4.2x-4.46 BertOnlyMLMHead copy."""

    def __init__(self, config):
        super().__init__()
        self.deberta = DebertaV2Model(config)
        self.lm_predictions = DebertaV2OnlyMLMHead(config)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        sequence = self.deberta(input_ids, attention_mask, token_type_ids)
        return {"logits": self.lm_predictions(sequence, self.deberta.embeddings.word_embeddings)}


CLASSES = {
    "DebertaV2ForMultipleChoice": DebertaV2ForMultipleChoice,
    "DebertaV2ForMaskedLM": DebertaV2ForMaskedLM,
    "DebertaV2Model": DebertaV2Base,
    "DebertaV2ForTokenClassification": DebertaV2ForTokenClassification,
    "DebertaV2ForSequenceClassification": DebertaV2ForSequenceClassification,
    "DebertaV2ForQuestionAnswering": DebertaV2ForQuestionAnswering,
}


def load_model_folder(folder, dtype=torch.float64):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    config = Config(raw)
    arch = raw["architectures"][0]
    model = CLASSES[arch](config).to(dtype)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    if arch == "DebertaV2Model":
        tensors = {f"deberta.{k}": v for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=False)
    if unexpected or missing:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config, arch


# deberta-v3's field set at a tiny size: relative attention with log buckets (position_buckets 8 over
# max_relative_positions 16, so inputs of 9 tokens reach the log region), shared keys, no absolute
# positions, no token types, LayerNorm on the relative table.
V3_TINY = {
    "vocab_size": 99, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37,
    "hidden_act": "gelu", "max_position_embeddings": 40, "type_vocab_size": 0, "initializer_range": 0.2,
    "layer_norm_eps": 1e-7, "pad_token_id": 0, "relative_attention": True, "position_buckets": 8,
    "max_relative_positions": 16, "norm_rel_ebd": "layer_norm", "share_att_key": True, "pos_att_type": "p2c|c2p",
    "position_biased_input": False, "pooler_hidden_act": "gelu", "pooler_dropout": 0,
}
# The other shape: no buckets (max_relative_positions 3 clamps), separate pos_key_proj / pos_query_proj,
# absolute positions and token types too, no LayerNorm on the table; and one without relative attention.
V2_TINY = {
    **V3_TINY, "position_buckets": -1, "max_relative_positions": 3, "share_att_key": False, "norm_rel_ebd": "none",
    "position_biased_input": True, "type_vocab_size": 2, "hidden_act": "gelu_new", "pooler_hidden_act": "tanh",
}
PLAIN_TINY = {**V3_TINY, "relative_attention": False, "position_biased_input": True, "hidden_act": "gelu_new"}
NER_LABELS = {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}
SENTIMENT = {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}

FIXTURES = [
    ("deberta-v3-base", "DebertaV2Model", V3_TINY),
    ("deberta-v3-token-classification", "DebertaV2ForTokenClassification", {**V3_TINY, **NER_LABELS}),
    ("deberta-v3-sequence-classification", "DebertaV2ForSequenceClassification", {**V3_TINY, **SENTIMENT}),
    ("deberta-v3-question-answering", "DebertaV2ForQuestionAnswering", V3_TINY),
    ("deberta-v2-token-classification", "DebertaV2ForTokenClassification", {**V2_TINY, **NER_LABELS}),
    ("deberta-v2-sequence-classification", "DebertaV2ForSequenceClassification", {**V2_TINY, **SENTIMENT}),
    ("deberta-v2-plain-token-classification", "DebertaV2ForTokenClassification", {**PLAIN_TINY, **NER_LABELS}),
    ("deberta-v3-masked-lm", "DebertaV2ForMaskedLM", {**V3_TINY, "hidden_act": "gelu_new"}),
    ("deberta-v3-multiple-choice", "DebertaV2ForMultipleChoice", {**V3_TINY, "pooler_hidden_act": "tanh"}),
]


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return float(f"{value:.8g}")


def randomize(model, config, generator):
    """Random weights everywhere (LayerNorms around 1 and 0), so a swapped name cannot pass."""
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("LayerNorm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))


def run_inputs(folder, inputs):
    model, _, arch = load_model_folder(folder, torch.float64)
    model.eval()
    with torch.no_grad():
        out = model(inputs["input_ids"], inputs["attention_mask"], inputs.get("token_type_ids"))
    return arch, {k: rounded(v.tolist()) for k, v in out.items()}


def write_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    raw = {"model_type": "deberta-v2", **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(700 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    state = {k: v.float() for k, v in model.state_dict().items()}
    if arch == "DebertaV2Model":
        state = {k[len("deberta."):]: v for k, v in state.items()}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    # [CLS]=1 ... [SEP]=2 rows of 9 and 6 tokens, the second padded with id 0 (deberta-v3's spm ids).
    batch, seq = 2, 9
    input_ids = torch.randint(5, config.vocab_size, (batch, seq), generator=generator)
    input_ids[:, 0] = 1
    attention_mask = torch.ones((batch, seq), dtype=torch.long)
    attention_mask[1, seq - 3:] = 0
    input_ids[0, seq - 1] = 2
    input_ids[1, 3] = 2
    input_ids[1, seq - 4] = 2
    input_ids[attention_mask == 0] = config.pad_token_id
    inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
    if config.type_vocab_size > 0:
        token_type_ids = torch.zeros((batch, seq), dtype=torch.long)
        token_type_ids[1, 4:seq - 3] = 1
        inputs["token_type_ids"] = token_type_ids
    if arch == "DebertaV2ForMultipleChoice":
        # One example of two choices: [1, 2, seq].
        inputs = {k: v.unsqueeze(0) for k, v in inputs.items()}
    with open(os.path.join(folder, "inputs.json"), "w") as f:
        json.dump({k: v.tolist() for k, v in inputs.items()}, f)
        f.write("\n")
    arch, outputs = run_inputs(folder, inputs)
    reference = {"generator": "scripts/reference/deberta_v2_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def run_folder(folder):
    with open(os.path.join(folder, "inputs.json")) as f:
        inputs = {k: torch.tensor(v) for k, v in json.load(f).items()}
    arch, outputs = run_inputs(folder, inputs)
    added = os.path.join(folder, "added_tokens.json")
    if arch == "DebertaV2ForMaskedLM" and os.path.exists(added):
        # Only the rows of the [MASK] tokens: the whole [batch, seq, vocab] would be large.
        with open(added) as f:
            mask_id = json.load(f)["[MASK]"]
        positions = (inputs["input_ids"] == mask_id).nonzero().tolist()
        outputs = {"mask_positions": positions, "mask_logits": [outputs["logits"][b][t] for b, t in positions]}
    return arch, outputs


# microsoft/deberta-v3-xsmall's config fields (its fine-tunes add labels and the pooler fields), tiny:
# hidden 16, 2 layers, position_buckets 16 over 64 positions, so 36-token rows reach the log buckets.
HUB = {
    "model_type": "deberta-v2", "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
    "hidden_size": 16, "initializer_range": 0.2, "intermediate_size": 24, "max_position_embeddings": 64,
    "relative_attention": True, "position_buckets": 16, "norm_rel_ebd": "layer_norm", "share_att_key": True,
    "pos_att_type": "p2c|c2p", "layer_norm_eps": 1e-7, "max_relative_positions": -1, "position_biased_input": False,
    "num_attention_heads": 4, "num_hidden_layers": 2, "type_vocab_size": 0,
    "pooler_dropout": 0, "pooler_hidden_act": "gelu", "pooler_hidden_size": 16, "torch_dtype": "float32", "transformers_version": "4.40.0",
}
HUB_FIXTURES = [
    ("deberta-v3-hub-token-classification", "DebertaV2ForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("deberta-v3-hub-sequence-classification", "DebertaV2ForSequenceClassification", {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}),
    ("deberta-v3-hub-question-answering", "DebertaV2ForQuestionAnswering", {}),
    ("deberta-v3-hub-masked-lm", "DebertaV2ForMaskedLM", {}),
]


def spm_size(folder):
    import sentencepiece
    return sentencepiece.SentencePieceProcessor(model_file=os.path.join(folder, "spm.model")).get_piece_size()


def write_hub_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    added = os.path.join(folder, "added_tokens.json")
    # As microsoft/deberta-v3-*: the embedding table has rows past the pieces, [MASK] (added_tokens.json) among them.
    vocab_size = spm_size(folder) + (len(json.load(open(added))) if os.path.exists(added) else 0)
    raw = {**HUB, "vocab_size": vocab_size, **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(800 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    save_safetensors(os.path.join(folder, "model.safetensors"), {k: v.float() for k, v in model.state_dict().items()}, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2, sort_keys=True)
        f.write("\n")
    arch, outputs = run_folder(folder)
    reference = {"generator": "scripts/reference/deberta_v2_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    # The ids sentencepiece itself gives the single texts, with DebertaV2Tokenizer's [CLS] … [SEP]: an
    # independent check of the converted tokenizer (the same spm.model, no normalizer rules of its own).
    import sentencepiece
    with open(os.path.join(folder, "texts.json")) as f:
        given = json.load(f)
    # (Not for the masked texts: DebertaV2Tokenizer splits "[MASK]" out as an added token before sentencepiece.)
    if "texts" in given and arch != "DebertaV2ForMaskedLM":
        processor = sentencepiece.SentencePieceProcessor(model_file=os.path.join(folder, "spm.model"))
        reference["sentencepiece_ids"] = [[1] + processor.encode(t) + [2] for t in given["texts"]]
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def main(argv):
    if len(argv) == 2 and argv[0] == "fixtures":
        for seed, (name, arch, extra) in enumerate(FIXTURES):
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
