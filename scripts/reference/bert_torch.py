"""An independent PyTorch BERT: a hand port of HF transformers `models/bert/modeling_bert.py`.

The transformers package is not installed here, so this file re-implements the modules with the
same structure, so that `state_dict()` names are exactly HF's (`bert.embeddings.word_embeddings.weight`,
`bert.encoder.layer.0.attention.self.query.weight`, `classifier.weight`, `cls.predictions.bias`, ...)
and the same arithmetic: erf GELU for "gelu", LayerNorm eps from the config, extended attention mask
(1 - mask) * finfo(dtype).min, causal mask for decoders, tanh pooler on [CLS], MLM decoder tied to the
word embeddings, and HF's losses for every head.

Also reads and writes model.safetensors by hand (the safetensors package is not installed).

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/bert_torch.py init OUT_DIR --arch BertForTokenClassification [--seed 0]
        writes a tiny seeded model folder (config.json, model.safetensors, inputs.json) for testing
    /usr/bin/python3 scripts/reference/bert_torch.py selftest
        checks the port against torch.nn.TransformerEncoderLayer and the safetensors round trip
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss

# ----------------------------------------------------------------------------------------------
# safetensors: u64 little-endian header length, JSON header {name: {dtype, shape, data_offsets}},
# then the raw little-endian bytes of every tensor.

_ST_DTYPES = {
    "F64": (torch.float64, "<f8"),
    "F32": (torch.float32, "<f4"),
    "F16": (torch.float16, "<f2"),
    "I64": (torch.int64, "<i8"),
    "I32": (torch.int32, "<i4"),
    "I16": (torch.int16, "<i2"),
    "I8": (torch.int8, "i1"),
    "U8": (torch.uint8, "u1"),
    "BOOL": (torch.bool, "?"),
}
_ST_NAMES = {torch_dtype: name for name, (torch_dtype, _) in _ST_DTYPES.items()}


def tokenizer_vocab_size(folder):
    """The rows an embedding matrix needs for FOLDER/tokenizer.json: its model's ids and its added tokens."""
    with open(os.path.join(folder, "tokenizer.json")) as f:
        tokenizer = json.load(f)
    vocab = tokenizer["model"]["vocab"]
    # WordPiece / BPE: token → id; Unigram: [piece, score] pairs in id order.
    ids = list(range(len(vocab))) if isinstance(vocab, list) else list(vocab.values())
    return max(ids + [t["id"] for t in tokenizer.get("added_tokens", [])]) + 1


def load_safetensors(path):
    """Returns ({name: tensor}, metadata). BF16 is widened to F32 (numpy has no bfloat16)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (header_len,) = struct.unpack("<Q", data[:8])
    if 8 + header_len > len(data):
        raise ValueError(f"{path}: header length {header_len} exceeds the file")
    header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    base = 8 + header_len
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        raw = data[base + start : base + end]
        shape = tuple(info["shape"])
        if info["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            if info["dtype"] not in _ST_DTYPES:
                raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
            array = np.frombuffer(raw, dtype=_ST_DTYPES[info["dtype"]][1])
        expected = int(np.prod(shape)) if shape else 1
        if array.size != expected:
            raise ValueError(f"{path}: tensor {name} holds {array.size} values, shape {list(shape)} needs {expected}")
        tensors[name] = torch.from_numpy(array.reshape(shape).copy())
    return tensors, metadata


def save_safetensors(path, tensors, metadata=None):
    """Writes tensors sorted by name, 8-byte aligned, header padded with spaces (as the Rust crate does)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous().cpu()
        if tensor.dtype not in _ST_NAMES:
            raise ValueError(f"cannot store {name} of dtype {tensor.dtype}")
        dtype = _ST_NAMES[tensor.dtype]
        raw = tensor.numpy().astype(_ST_DTYPES[dtype][1], copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------
# Config with HF BertConfig defaults.

BERT_DEFAULTS = {
    "vocab_size": 30522,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "is_decoder": False,
    "classifier_dropout": None,
    "problem_type": None,
    "tie_word_embeddings": True,
}


class Config:
    def __init__(self, raw):
        merged = dict(BERT_DEFAULTS)
        merged.update(raw)
        self.__dict__.update(merged)
        if "id2label" in raw:
            self.num_labels = len(raw["id2label"])
        else:
            self.num_labels = raw.get("num_labels", 2)
        if self.position_embedding_type != "absolute":
            raise ValueError(f"position_embedding_type {self.position_embedding_type} is not ported")
        if self.hidden_size % self.num_attention_heads != 0:
            raise ValueError(f"hidden_size {self.hidden_size} is not a multiple of num_attention_heads")


def load_config(path):
    with open(path) as f:
        return Config(json.load(f))


# ----------------------------------------------------------------------------------------------
# Activations (HF activations.py ACT2FN).


class NewGELUActivation(nn.Module):
    """HF "gelu_new": the tanh approximation, written out as in activations.py."""

    def forward(self, input):
        return 0.5 * input * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (input + 0.044715 * torch.pow(input, 3.0))))


class PytorchGELUTanh(nn.Module):
    """HF "gelu_pytorch_tanh"."""

    def forward(self, input):
        return nn.functional.gelu(input, approximate="tanh")


class GELUActivation(nn.Module):
    """HF "gelu": the exact erf form."""

    def forward(self, input):
        return nn.functional.gelu(input)


def act_fn(name):
    table = {
        "gelu": GELUActivation,
        "gelu_new": NewGELUActivation,
        "gelu_pytorch_tanh": PytorchGELUTanh,
        "relu": nn.ReLU,
        "tanh": nn.Tanh,
        "silu": nn.SiLU,
        "swish": nn.SiLU,
    }
    if name not in table:
        raise ValueError(f"hidden_act {name} is not supported")
    return table[name]()


# ----------------------------------------------------------------------------------------------
# Modules, with HF's class and attribute names (these make the state_dict names).


class BertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        seq_length = input_ids.size(1)
        if seq_length > self.position_ids.size(1):
            raise ValueError(f"sequence length {seq_length} exceeds max_position_embeddings {self.position_ids.size(1)}")
        position_ids = self.position_ids[:, :seq_length]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        inputs_embeds = self.word_embeddings(input_ids)
        token_type_embeddings = self.token_type_embeddings(token_type_ids)
        embeddings = inputs_embeds + token_type_embeddings
        embeddings += self.position_embeddings(position_ids)
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        return x.view(new_x_shape).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        return context_layer.view(context_layer.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = act_fn(config.hidden_act)

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask=None):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask=None):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


def extended_attention_mask(attention_mask, dtype, is_decoder):
    """HF ModuleUtilsMixin.get_extended_attention_mask: 0 where attended, finfo(dtype).min where masked."""
    if is_decoder:
        batch_size, seq_length = attention_mask.shape
        seq_ids = torch.arange(seq_length, device=attention_mask.device)
        causal_mask = seq_ids[None, None, :].repeat(batch_size, seq_length, 1) <= seq_ids[None, :, None]
        causal_mask = causal_mask.to(attention_mask.dtype)
        extended = causal_mask[:, None, :, :] * attention_mask[:, None, None, :]
    else:
        extended = attention_mask[:, None, None, :]
    extended = extended.to(dtype=dtype)
    return (1.0 - extended) * torch.finfo(dtype).min


class BertModel(nn.Module):
    def __init__(self, config, add_pooling_layer=True):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        embedding_output = self.embeddings(input_ids, token_type_ids)
        mask = extended_attention_mask(attention_mask, embedding_output.dtype, self.config.is_decoder)
        sequence_output = self.encoder(embedding_output, mask)
        pooled_output = self.pooler(sequence_output) if self.pooler is not None else None
        return sequence_output, pooled_output


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.transform_act_fn = act_fn(config.hidden_act)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden_states):
        return self.LayerNorm(self.transform_act_fn(self.dense(hidden_states)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        # As HF: one tensor under two names, cls.predictions.bias and cls.predictions.decoder.bias.
        self.decoder.bias = self.bias

    def forward(self, hidden_states):
        return self.decoder(self.transform(hidden_states))


class BertOnlyMLMHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.predictions = BertLMPredictionHead(config)

    def forward(self, sequence_output):
        return self.predictions(sequence_output)


class BertOnlyNSPHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.seq_relationship = nn.Linear(config.hidden_size, 2)

    def forward(self, pooled_output):
        return self.seq_relationship(pooled_output)


class BertPreTrainingHeads(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.predictions = BertLMPredictionHead(config)
        self.seq_relationship = nn.Linear(config.hidden_size, 2)

    def forward(self, sequence_output, pooled_output):
        return self.predictions(sequence_output), self.seq_relationship(pooled_output)


def _classifier_dropout(config):
    return config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob


class BertPreTrainedModel(nn.Module):
    """Weight init of HF `_init_weights` and decoder tying (`tie_weights`)."""

    def __init__(self, config):
        super().__init__()
        self.config = config

    def post_init(self):
        self.apply(self._init_weights)
        self.tie_weights()

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=self.config.initializer_range)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        elif isinstance(module, BertLMPredictionHead):
            module.bias.data.zero_()

    def tie_weights(self):
        cls = getattr(self, "cls", None)
        predictions = getattr(cls, "predictions", None)
        if predictions is not None and self.config.tie_word_embeddings:
            predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight


class BertBaseModel(BertPreTrainedModel):
    """HF `BertModel` as a top-level model: its state_dict has no `bert.` prefix, as HF's."""

    def __init__(self, config):
        super().__init__(config)
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **_):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        embedding_output = self.embeddings(input_ids, token_type_ids)
        mask = extended_attention_mask(attention_mask, embedding_output.dtype, self.config.is_decoder)
        sequence_output = self.encoder(embedding_output, mask)
        return {"last_hidden_state": sequence_output, "pooler_output": self.pooler(sequence_output)}


class BertForTokenClassification(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        sequence_output, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(self.dropout(sequence_output))
        out = {"logits": logits, "last_hidden_state": sequence_output}
        if labels is not None:
            loss_fct = CrossEntropyLoss()
            # Only attention-masked positions take part (HF's `active_loss`); -100 labels are ignored.
            if attention_mask is not None:
                active_loss = attention_mask.view(-1) == 1
                active_logits = logits.view(-1, self.num_labels)
                active_labels = torch.where(active_loss, labels.view(-1), torch.tensor(loss_fct.ignore_index).type_as(labels))
                out["loss"] = loss_fct(active_logits, active_labels)
            else:
                out["loss"] = loss_fct(logits.view(-1, self.num_labels), labels.view(-1))
        return out


class BertForSequenceClassification(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config)
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        sequence_output, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(self.dropout(pooled_output))
        out = {"logits": logits, "last_hidden_state": sequence_output, "pooler_output": pooled_output}
        if labels is not None:
            problem_type = self.config.problem_type
            if problem_type is None:
                if self.num_labels == 1:
                    problem_type = "regression"
                elif self.num_labels > 1 and (labels.dtype == torch.long or labels.dtype == torch.int):
                    problem_type = "single_label_classification"
                else:
                    problem_type = "multi_label_classification"
            if problem_type == "regression":
                loss_fct = MSELoss()
                if self.num_labels == 1:
                    out["loss"] = loss_fct(logits.squeeze(), labels.squeeze())
                else:
                    out["loss"] = loss_fct(logits, labels)
            elif problem_type == "single_label_classification":
                out["loss"] = CrossEntropyLoss()(logits.view(-1, self.num_labels), labels.view(-1))
            elif problem_type == "multi_label_classification":
                out["loss"] = BCEWithLogitsLoss()(logits, labels)
            else:
                raise ValueError(f"unknown problem_type {problem_type}")
            out["problem_type"] = problem_type
        return out


class BertForQuestionAnswering(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        self.qa_outputs = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, start_positions=None, end_positions=None):
        sequence_output, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.qa_outputs(sequence_output)
        start_logits, end_logits = logits.split(1, dim=-1)
        start_logits = start_logits.squeeze(-1).contiguous()
        end_logits = end_logits.squeeze(-1).contiguous()
        out = {"start_logits": start_logits, "end_logits": end_logits, "last_hidden_state": sequence_output}
        if start_positions is not None and end_positions is not None:
            if len(start_positions.size()) > 1:
                start_positions = start_positions.squeeze(-1)
            if len(end_positions.size()) > 1:
                end_positions = end_positions.squeeze(-1)
            # Positions outside the sequence are clamped to it and then ignored.
            ignored_index = start_logits.size(1)
            start_positions = start_positions.clamp(0, ignored_index)
            end_positions = end_positions.clamp(0, ignored_index)
            loss_fct = CrossEntropyLoss(ignore_index=ignored_index)
            out["loss"] = (loss_fct(start_logits, start_positions) + loss_fct(end_logits, end_positions)) / 2
        return out


class BertForMaskedLM(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        self.cls = BertOnlyMLMHead(config)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        sequence_output, _ = self.bert(input_ids, attention_mask, token_type_ids)
        prediction_scores = self.cls(sequence_output)
        out = {"logits": prediction_scores, "last_hidden_state": sequence_output}
        if labels is not None:
            out["loss"] = CrossEntropyLoss()(prediction_scores.view(-1, self.config.vocab_size), labels.view(-1))
        return out


class BertLMHeadModel(BertPreTrainedModel):
    """Decoder variant (config.is_decoder): causal mask, prediction scores shifted by one against the labels."""

    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        self.cls = BertOnlyMLMHead(config)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        sequence_output, _ = self.bert(input_ids, attention_mask, token_type_ids)
        prediction_scores = self.cls(sequence_output)
        out = {"logits": prediction_scores, "last_hidden_state": sequence_output}
        if labels is not None:
            shifted_prediction_scores = prediction_scores[:, :-1, :].contiguous()
            shifted_labels = labels[:, 1:].contiguous()
            out["loss"] = CrossEntropyLoss()(shifted_prediction_scores.view(-1, self.config.vocab_size),
                                             shifted_labels.view(-1))
        return out


class BertForNextSentencePrediction(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config)
        self.cls = BertOnlyNSPHead(config)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        sequence_output, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
        seq_relationship_scores = self.cls(pooled_output)
        out = {"logits": seq_relationship_scores, "last_hidden_state": sequence_output, "pooler_output": pooled_output}
        if labels is not None:
            out["loss"] = CrossEntropyLoss()(seq_relationship_scores.view(-1, 2), labels.view(-1))
        return out


class BertForPreTraining(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config)
        self.cls = BertPreTrainingHeads(config)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None, next_sentence_label=None):
        sequence_output, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
        prediction_scores, seq_relationship_score = self.cls(sequence_output, pooled_output)
        out = {"prediction_logits": prediction_scores, "seq_relationship_logits": seq_relationship_score,
               "last_hidden_state": sequence_output, "pooler_output": pooled_output}
        if labels is not None and next_sentence_label is not None:
            loss_fct = CrossEntropyLoss()
            masked_lm_loss = loss_fct(prediction_scores.view(-1, self.config.vocab_size), labels.view(-1))
            next_sentence_loss = loss_fct(seq_relationship_score.view(-1, 2), next_sentence_label.view(-1))
            out["loss"] = masked_lm_loss + next_sentence_loss
        return out


class BertForMultipleChoice(BertPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.bert = BertModel(config)
        self.dropout = nn.Dropout(_classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, 1)
        self.post_init()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        num_choices = input_ids.shape[1]
        input_ids = input_ids.view(-1, input_ids.size(-1))
        attention_mask = attention_mask.view(-1, attention_mask.size(-1)) if attention_mask is not None else None
        token_type_ids = token_type_ids.view(-1, token_type_ids.size(-1)) if token_type_ids is not None else None
        sequence_output, pooled_output = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(self.dropout(pooled_output))
        reshaped_logits = logits.view(-1, num_choices)
        out = {"logits": reshaped_logits, "last_hidden_state": sequence_output, "pooler_output": pooled_output}
        if labels is not None:
            out["loss"] = CrossEntropyLoss()(reshaped_logits, labels)
        return out


ARCHITECTURES = {
    "BertModel": BertBaseModel,
    "BertForTokenClassification": BertForTokenClassification,
    "BertForSequenceClassification": BertForSequenceClassification,
    "BertForQuestionAnswering": BertForQuestionAnswering,
    "BertForMaskedLM": BertForMaskedLM,
    "BertLMHeadModel": BertLMHeadModel,
    "BertForNextSentencePrediction": BertForNextSentencePrediction,
    "BertForPreTraining": BertForPreTraining,
    "BertForMultipleChoice": BertForMultipleChoice,
}

# Output names of each head, in the order reference.json lists them.
HEAD_OUTPUTS = {
    "BertModel": ["last_hidden_state", "pooler_output"],
    "BertForTokenClassification": ["logits"],
    "BertForSequenceClassification": ["logits"],
    "BertForQuestionAnswering": ["start_logits", "end_logits"],
    "BertForMaskedLM": ["logits"],
    "BertLMHeadModel": ["logits"],
    "BertForNextSentencePrediction": ["logits"],
    "BertForPreTraining": ["prediction_logits", "seq_relationship_logits"],
    "BertForMultipleChoice": ["logits"],
}

# Names that are views of another tensor: not stored in files, not loaded separately.
TIED_ALIASES = {"cls.predictions.decoder.bias": "cls.predictions.bias"}
TIED_DECODER = "cls.predictions.decoder.weight"


def architecture_of(config, override=None):
    if override:
        name = override
    else:
        architectures = getattr(config, "architectures", None) or []
        if len(architectures) != 1:
            raise ValueError(f"config.json must name one architecture, found {architectures!r}")
        name = architectures[0]
    if name not in ARCHITECTURES:
        raise ValueError(f"architecture {name} is not ported ({', '.join(ARCHITECTURES)})")
    return name


def build_model(config, architecture):
    return ARCHITECTURES[architecture](config)


def storable_state_dict(model):
    """state_dict without the tied copies, as save_pretrained writes model.safetensors."""
    state = model.state_dict()
    tied = model.config.tie_word_embeddings and TIED_DECODER in state
    return {k: v for k, v in state.items() if k not in TIED_ALIASES and not (tied and k == TIED_DECODER)}


def load_weights(model, tensors, source="model.safetensors"):
    """Loads HF-named tensors strictly (missing or unexpected names are an error), with the two
    renames from_pretrained does for BERT: the `bert.` prefix added or removed between BertModel and
    the heads, and the tied decoder / decoder bias taken from the word embeddings / cls.predictions.bias."""
    state = model.state_dict()
    base = isinstance(model, BertBaseModel)
    renamed = {}
    for name, tensor in tensors.items():
        if name.endswith("position_ids"):
            continue  # a buffer that older checkpoints stored
        if base and name.startswith("bert."):
            name = name[len("bert."):]
        elif not base and not name.startswith(("bert.", "cls.", "classifier.", "qa_outputs.")):
            name = "bert." + name
        renamed[name] = tensor
    optional = set(TIED_ALIASES)
    if model.config.tie_word_embeddings:
        optional.add(TIED_DECODER)
    missing = [k for k in state if k not in renamed and k not in optional]
    unexpected = [k for k in renamed if k not in state]
    if missing or unexpected:
        raise ValueError(f"{source}: missing {missing[:8]}{'...' if len(missing) > 8 else ''}, "
                         f"unexpected {unexpected[:8]}{'...' if len(unexpected) > 8 else ''}")
    with torch.no_grad():
        for name, tensor in renamed.items():
            if name in optional:
                continue
            if tuple(state[name].shape) != tuple(tensor.shape):
                raise ValueError(f"{source}: {name} has shape {list(tensor.shape)}, expected {list(state[name].shape)}")
            state[name].copy_(tensor.to(state[name].dtype))
    model.tie_weights()


def load_model_folder(folder, architecture=None, dtype=torch.float64):
    config = load_config(os.path.join(folder, "config.json"))
    arch = architecture_of(config, architecture)
    model = build_model(config, arch)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    model.to(dtype)
    load_weights(model, tensors, os.path.join(folder, "model.safetensors"))
    return model, config, arch


# ----------------------------------------------------------------------------------------------
# Tiny seeded models for testing the scripts without the TypeScript fixtures.

TINY_CONFIG = {
    "model_type": "bert",
    "vocab_size": 99,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 37,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 64,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}


def tiny_inputs(config, architecture, generator, batch=2, seq=9, num_choices=3):
    """Random ids with padding in the second row; for multiple choice, [batch, num_choices, seq]."""
    shape = (batch, num_choices, seq) if architecture == "BertForMultipleChoice" else (batch, seq)
    input_ids = torch.randint(5, config.vocab_size, shape, generator=generator)
    attention_mask = torch.ones(shape, dtype=torch.long)
    token_type_ids = torch.zeros(shape, dtype=torch.long)
    token_type_ids[..., seq // 2:] = 1
    attention_mask[1, ..., seq - 3:] = 0
    input_ids[attention_mask == 0] = config.pad_token_id
    token_type_ids[attention_mask == 0] = 0
    return {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(),
            "token_type_ids": token_type_ids.tolist()}


def init_folder(out_dir, architecture, seed=0, overrides=None):
    raw = dict(TINY_CONFIG)
    raw["architectures"] = [architecture]
    if architecture in ("BertForTokenClassification", "BertForSequenceClassification"):
        labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"] if architecture == "BertForTokenClassification" else ["neg", "pos", "neutral"]
        raw["id2label"] = {str(i): label for i, label in enumerate(labels)}
        raw["label2id"] = {label: i for i, label in enumerate(labels)}
    if architecture == "BertLMHeadModel":
        raw["is_decoder"] = True
    raw.update(overrides or {})
    config = Config(raw)
    torch.manual_seed(seed)
    model = build_model(config, architecture)
    with torch.no_grad():
        # Random LayerNorm affine parameters and biases, so that tests notice a mix-up of them.
        for name, param in model.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                param.add_(torch.randn_like(param) * 0.1)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
    save_safetensors(os.path.join(out_dir, "model.safetensors"), storable_state_dict(model), {"format": "pt"})
    generator = torch.Generator().manual_seed(seed + 1)
    with open(os.path.join(out_dir, "inputs.json"), "w") as f:
        json.dump(tiny_inputs(config, architecture, generator), f)


# ----------------------------------------------------------------------------------------------
# Self test: the encoder layer against torch.nn.TransformerEncoderLayer (post-LN, same maths).


def selftest():
    import tempfile

    torch.manual_seed(0)
    raw = dict(TINY_CONFIG, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, layer_norm_eps=1e-5)
    config = Config(raw)
    model = BertBaseModel(config).double().eval()
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param) * 0.05)
    h = config.hidden_size
    layer = model.encoder.layer[0]
    reference = nn.TransformerEncoderLayer(h, config.num_attention_heads, config.intermediate_size, dropout=0.0,
                                           activation="gelu", layer_norm_eps=config.layer_norm_eps,
                                           batch_first=True).double().eval()
    with torch.no_grad():
        attn = layer.attention.self
        reference.self_attn.in_proj_weight.copy_(torch.cat([attn.query.weight, attn.key.weight, attn.value.weight]))
        reference.self_attn.in_proj_bias.copy_(torch.cat([attn.query.bias, attn.key.bias, attn.value.bias]))
        reference.self_attn.out_proj.weight.copy_(layer.attention.output.dense.weight)
        reference.self_attn.out_proj.bias.copy_(layer.attention.output.dense.bias)
        reference.norm1.load_state_dict(layer.attention.output.LayerNorm.state_dict())
        reference.linear1.load_state_dict(layer.intermediate.dense.state_dict())
        reference.linear2.load_state_dict(layer.output.dense.state_dict())
        reference.norm2.load_state_dict(layer.output.LayerNorm.state_dict())
        x = torch.randn(2, 7, h, dtype=torch.float64)
        mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3])
        ours = layer(x, extended_attention_mask(mask, torch.float64, False))
        theirs = reference(x, src_key_padding_mask=mask == 0)
        # torch's fast path may zero padded query rows; compare the attended positions.
        err = (ours - theirs)[mask == 1].abs().max().item()
    assert err < 1e-12, f"encoder layer differs from nn.TransformerEncoderLayer by {err}"

    with tempfile.TemporaryDirectory() as tmp:
        for arch in ARCHITECTURES:
            folder = os.path.join(tmp, arch)
            init_folder(folder, arch, seed=3)
            model, config, _ = load_model_folder(folder)
            tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
            state = model.state_dict()
            for name, tensor in tensors.items():
                key = name if name in state else name[len("bert."):]
                assert torch.equal(state[key], tensor.double()), name
            if "cls.predictions.decoder.weight" in state:
                word = model.bert.embeddings.word_embeddings.weight
                assert model.cls.predictions.decoder.weight is word, "decoder not tied"
                assert "cls.predictions.decoder.weight" not in tensors
    print(f"selftest ok (encoder layer max abs diff {err:.2e}; safetensors round trip for {len(ARCHITECTURES)} heads)")


def main(argv):
    if len(argv) >= 1 and argv[0] == "selftest":
        selftest()
        return
    if len(argv) >= 2 and argv[0] == "init":
        out_dir = argv[1]
        rest = argv[2:]
        arch = "BertForTokenClassification"
        seed = 0
        while rest:
            flag = rest.pop(0)
            if flag == "--arch" and rest:
                arch = rest.pop(0)
            elif flag == "--seed" and rest:
                seed = int(rest.pop(0))
            else:
                sys.exit(f"unknown option {flag}")
        if arch not in ARCHITECTURES:
            sys.exit(f"unknown architecture {arch} ({', '.join(ARCHITECTURES)})")
        init_folder(out_dir, arch, seed)
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
