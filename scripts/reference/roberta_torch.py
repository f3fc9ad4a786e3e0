"""An independent PyTorch RoBERTa: a hand port of HF transformers 4.x
`src/transformers/models/roberta/modeling_roberta.py` (the 4.3x layout). XLM-RoBERTa
(modeling_xlm_roberta.py) and CamemBERT (modeling_camembert.py) are the same modules under other
class names.

modeling_roberta.py copies BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput, BertLayer,
BertEncoder and BertPooler from modeling_bert.py ("Copied from ... with Bert->Roberta"), so those come
from this repository's port (bert_torch.py). What RoBERTa changes is ported here:
- RobertaEmbeddings: position ids from create_position_ids_from_input_ids (padding_idx + 1 + the
  running count of non-padding ids; padding_idx at padding), position table with padding_idx;
- RobertaModel with the pooler only where HF builds it (RobertaModel, ...ForMultipleChoice);
- RobertaClassificationHead (dropout, dense, tanh, dropout, out_proj on <s>);
- RobertaForMultipleChoice: rows flattened, the pooler, dropout hidden_dropout_prob, a one-output classifier;
- RobertaLMHead (dense, erf GELU whatever hidden_act says, layer_norm, decoder tied to the word
  embeddings, decoder.bias = lm_head.bias).
Config defaults: RobertaConfig = BertConfig with pad_token_id 1.

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/roberta_torch.py fixtures test/fixtures/family [NAME ...]
        writes seeded fixture folders roberta-<head>/ (config.json, model.safetensors, inputs.json,
        reference.json: the float64 outputs of this port, rounded to 8 significant digits)
    /usr/bin/python3 scripts/reference/roberta_torch.py hub-fixtures test/fixtures/family [NAME ...]
        completes the hub-shaped folders roberta-hub-<head>/ and xlm-roberta-hub-token-classification/ that test/fixtures/family/generateHubFolders.ts
        started (tokenizer files, texts.json, inputs.json: the ids of the texts): writes config.json
        (vocab_size from tokenizer.json), seeded model.safetensors, and reference.json for inputs.json
    /usr/bin/python3 scripts/reference/roberta_torch.py run FOLDER
        prints the float64 outputs of FOLDER's model (config.json, model.safetensors) for FOLDER/inputs.json
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import BertEncoder, BertPooler, Config, extended_attention_mask, load_safetensors, save_safetensors, tokenizer_vocab_size  # noqa: E402


def create_position_ids_from_input_ids(input_ids, padding_idx, past_key_values_length=0):
    mask = input_ids.ne(padding_idx).int()
    incremental_indices = (torch.cumsum(mask, dim=1).type_as(mask) + past_key_values_length) * mask
    return incremental_indices.long() + padding_idx


class RobertaEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size, padding_idx=config.pad_token_id)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.padding_idx = config.pad_token_id

    def forward(self, input_ids, token_type_ids=None):
        position_ids = create_position_ids_from_input_ids(input_ids, self.padding_idx)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class RobertaModel(nn.Module):
    def __init__(self, config, add_pooling_layer=True):
        super().__init__()
        self.config = config
        self.embeddings = RobertaEmbeddings(config)
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


def classifier_dropout(config):
    return config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob


class RobertaBase(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence, pooled = self.roberta(input_ids, attention_mask, token_type_ids)
        return {"last_hidden_state": sequence, "pooler_output": pooled}


class RobertaForTokenClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence, _ = self.roberta(input_ids, attention_mask, token_type_ids)
        return {"logits": self.classifier(self.dropout(sequence)), "last_hidden_state": sequence}


class RobertaClassificationHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout = nn.Dropout(classifier_dropout(config))
        self.out_proj = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, features):
        x = features[:, 0, :]
        x = self.dropout(x)
        x = torch.tanh(self.dense(x))
        x = self.dropout(x)
        return self.out_proj(x)


class RobertaForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config, add_pooling_layer=False)
        self.classifier = RobertaClassificationHead(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence, _ = self.roberta(input_ids, attention_mask, token_type_ids)
        return {"logits": self.classifier(sequence), "last_hidden_state": sequence}


class RobertaForQuestionAnswering(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config, add_pooling_layer=False)
        self.qa_outputs = nn.Linear(config.hidden_size, 2)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence, _ = self.roberta(input_ids, attention_mask, token_type_ids)
        start_logits, end_logits = self.qa_outputs(sequence).split(1, dim=-1)
        return {"start_logits": start_logits.squeeze(-1).contiguous(), "end_logits": end_logits.squeeze(-1).contiguous(),
                "last_hidden_state": sequence}


class RobertaLMHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.layer_norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.decoder = nn.Linear(config.hidden_size, config.vocab_size)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.decoder.bias = self.bias

    def forward(self, features):
        x = nn.functional.gelu(self.dense(features))
        return self.decoder(self.layer_norm(x))


class RobertaForMaskedLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config, add_pooling_layer=False)
        self.lm_head = RobertaLMHead(config)
        self.lm_head.decoder.weight = self.roberta.embeddings.word_embeddings.weight  # tie_weights

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence, _ = self.roberta(input_ids, attention_mask, token_type_ids)
        return {"logits": self.lm_head(sequence), "last_hidden_state": sequence}


class RobertaForMultipleChoice(nn.Module):
    """[batch, num_choices, seq] flattened to rows (positions then come from each flattened row's padding,
    as RobertaEmbeddings computes them); RobertaModel's pooler (dense + tanh on <s>), dropout
    (hidden_dropout_prob, not classifier_dropout), a one-output classifier; logits [batch, num_choices]."""

    def __init__(self, config):
        super().__init__()
        self.roberta = RobertaModel(config)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, 1)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        num_choices = input_ids.shape[1]
        flat = lambda t: t.view(-1, t.size(-1)) if t is not None else None  # noqa: E731
        _, pooled = self.roberta(flat(input_ids), flat(attention_mask), flat(token_type_ids))
        logits = self.classifier(self.dropout(pooled))
        return {"logits": logits.view(-1, num_choices)}


CLASS_SUFFIXES = {
    "Model": RobertaBase,
    "ForTokenClassification": RobertaForTokenClassification,
    "ForSequenceClassification": RobertaForSequenceClassification,
    "ForQuestionAnswering": RobertaForQuestionAnswering,
    "ForMaskedLM": RobertaForMaskedLM,
    "ForMultipleChoice": RobertaForMultipleChoice,
}
PREFIXES = ("XLMRoberta", "Camembert", "Roberta")
# Views of another tensor: not written to files (save_pretrained drops tied weights).
TIED = ("lm_head.decoder.weight", "lm_head.decoder.bias")


def model_class(arch):
    for prefix in PREFIXES:
        if arch.startswith(prefix) and arch[len(prefix):] in CLASS_SUFFIXES:
            return CLASS_SUFFIXES[arch[len(prefix):]]
    raise ValueError(f"{arch} is not a ported RoBERTa class")


def load_model_folder(folder, dtype=torch.float64):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    config = Config({"pad_token_id": 1, **raw})
    arch = raw["architectures"][0]
    model = model_class(arch)(config).to(dtype)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    if arch.endswith("Model"):
        tensors = {f"roberta.{k}": v for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=False)
    if unexpected or [m for m in missing if m not in TIED]:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config, arch


TINY = {
    "vocab_size": 99,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 37,
    "hidden_act": "gelu",
    "max_position_embeddings": 40,
    "type_vocab_size": 1,
    "initializer_range": 0.2,
    "layer_norm_eps": 1e-5,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
}

FIXTURES = [
    ("roberta-base", "roberta", "RobertaModel", {}),
    ("roberta-token-classification", "roberta", "RobertaForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("roberta-sequence-classification", "roberta", "RobertaForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}),
    ("roberta-question-answering", "roberta", "RobertaForQuestionAnswering", {}),
    ("roberta-masked-lm", "roberta", "RobertaForMaskedLM", {"hidden_act": "gelu_new"}),
    ("xlm-roberta-token-classification", "xlm-roberta", "XLMRobertaForTokenClassification",
     {"id2label": {"0": "O", "1": "B-ORG", "2": "I-ORG"}, "type_vocab_size": 2}),
    ("roberta-multiple-choice", "roberta", "RobertaForMultipleChoice", {"classifier_dropout": 0.3}),
    ("xlm-roberta-multiple-choice", "xlm-roberta", "XLMRobertaForMultipleChoice", {"type_vocab_size": 2}),
]


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return float(f"{value:.8g}")


def write_fixture(root, name, model_type, arch, extra, seed):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    raw = {"model_type": model_type, **TINY, **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(100 + seed)
    model = model_class(arch)(config)
    with torch.no_grad():
        # Random weights everywhere (LayerNorms around 1 and 0), so a swapped name cannot pass.
        for pname, p in model.named_parameters():
            if pname.endswith("LayerNorm.weight") or pname.endswith("layer_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))
    state = {k: v.float() for k, v in model.state_dict().items() if k not in TIED}
    if arch.endswith("Model"):
        state = {k[len("roberta."):]: v for k, v in state.items()}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    # <s> ... </s> rows; the second padded with pad_token_id (1), so positions restart the count there.
    # Multiple choice: 4 rows viewed as 2 questions × 2 choices (row 2 padded more than row 1).
    multiple_choice = arch.endswith("ForMultipleChoice")
    batch, seq = (4 if multiple_choice else 2), 9
    input_ids = torch.randint(5, config.vocab_size, (batch, seq), generator=generator)
    input_ids[:, 0] = 0
    attention_mask = torch.ones((batch, seq), dtype=torch.long)
    attention_mask[1, seq - 3:] = 0
    input_ids[1, seq - 4] = 2
    input_ids[0, seq - 1] = 2
    if multiple_choice:
        attention_mask[2, seq - 5:] = 0
        input_ids[2, seq - 6] = 2
        input_ids[3, seq - 1] = 2
    input_ids[attention_mask == 0] = config.pad_token_id
    token_type_ids = torch.zeros((batch, seq), dtype=torch.long)
    if config.type_vocab_size > 1:
        token_type_ids[0, seq // 2:] = 1
    if multiple_choice:
        input_ids, attention_mask, token_type_ids = (t.view(2, 2, seq) for t in (input_ids, attention_mask, token_type_ids))
    inputs = {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(), "token_type_ids": token_type_ids.tolist()}
    with open(os.path.join(folder, "inputs.json"), "w") as f:
        json.dump(inputs, f)
        f.write("\n")
    model, _, _ = load_model_folder(folder, torch.float64)
    model.eval()
    with torch.no_grad():
        out = model(input_ids, attention_mask, token_type_ids)
    reference = {
        "generator": "scripts/reference/roberta_torch.py",
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
        out = model(inputs["input_ids"], inputs["attention_mask"], inputs.get("token_type_ids"))
    outputs = {k: rounded(v.tolist()) for k, v in out.items() if k != "last_hidden_state"}
    if arch.endswith("ForMaskedLM"):
        # Only the rows of the mask tokens: the whole [batch, seq, vocab] would be megabytes.
        with open(os.path.join(folder, "tokenizer.json")) as f:
            mask_id = next(t["id"] for t in json.load(f)["added_tokens"] if t["content"] == "<mask>")
        positions = (inputs["input_ids"] == mask_id).nonzero().tolist()
        outputs = {"mask_positions": positions, "mask_logits": [rounded(out["logits"][b, t].tolist()) for b, t in positions]}
    return arch, outputs


# Hub-shaped folders: the tokenizer's vocabulary, positions for 64 tokens (padding_idx + 1 + 64 = 66).
HUB = {**TINY, "hidden_size": 16, "intermediate_size": 24, "max_position_embeddings": 66}
HUB_FIXTURES = [
    ("roberta-hub-token-classification", "RobertaForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("roberta-hub-sequence-classification", "RobertaForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}),
    ("roberta-hub-question-answering", "RobertaForQuestionAnswering", {}),
    ("roberta-hub-masked-lm", "RobertaForMaskedLM", {}),
    ("xlm-roberta-hub-token-classification", "XLMRobertaForTokenClassification",
     {"model_type": "xlm-roberta", "id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("roberta-hub-multiple-choice", "RobertaForMultipleChoice", {}),
]


def write_hub_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    raw = {"model_type": "roberta", **HUB, "vocab_size": tokenizer_vocab_size(folder), **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(200 + seed)
    model = model_class(arch)(config)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname.endswith("LayerNorm.weight") or pname.endswith("layer_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=generator))
            else:
                p.copy_(config.initializer_range * torch.randn(p.shape, generator=generator))
    state = {k: v.float() for k, v in model.state_dict().items() if k not in TIED}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    if arch == "RobertaForTokenClassification":
        # The same tensors as save_pretrained(safe_serialization=False) writes them, for the .bin path.
        os.makedirs(os.path.join(folder, "bin"), exist_ok=True)
        torch.save(state, os.path.join(folder, "bin", "pytorch_model.bin"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    arch, outputs = run_folder(folder)
    reference = {"generator": "scripts/reference/roberta_torch.py", "torch": torch.__version__, "architecture": arch,
                 "dtype": "float64", "outputs": outputs}
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(reference, f)
        f.write("\n")
    print(f"{folder}: {arch} ({', '.join(outputs)})")


def main(argv):
    if len(argv) >= 2 and argv[0] == "fixtures":
        # Names after the folder: write only those fixtures (the others keep their files).
        for seed, (name, model_type, arch, extra) in enumerate(FIXTURES):
            if len(argv) == 2 or name in argv[2:]:
                write_fixture(argv[1], name, model_type, arch, extra, seed)
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
