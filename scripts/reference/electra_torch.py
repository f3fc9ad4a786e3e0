"""An independent PyTorch ELECTRA: a hand port of HF transformers 4.x
`src/transformers/models/electra/modeling_electra.py` (the 4.3x layout) and the defaults of
`configuration_electra.py`.

modeling_electra.py copies BertSelfAttention, BertSelfOutput, BertIntermediate, BertOutput, BertLayer
and BertEncoder from modeling_bert.py ("Copied from ... with Bert->Electra"), so the encoder comes from
this repository's port (bert_torch.py). What ELECTRA changes is ported here:
- ElectraEmbeddings: BERT's (word with padding_idx, arange positions, token types, LayerNorm, dropout)
  at config.embedding_size, not hidden_size;
- ElectraModel: `embeddings_project` = Linear(embedding_size, hidden_size), built only when
  embedding_size != hidden_size, applied to the embeddings before the encoder; no pooler;
- ElectraClassificationHead: features[:, 0, :], dropout, dense, GELU (get_activation("gelu"), the
  erf form), dropout, out_proj; dropout p = classifier_dropout ?? hidden_dropout_prob;
- ElectraForTokenClassification (dropout, classifier), ElectraForQuestionAnswering (qa_outputs, no
  dropout);
- ElectraForMultipleChoice: rows flattened, SequenceSummary (summary_type "first", summary Linear,
  get_activation("gelu"), summary_last_dropout), a one-output classifier;
- ElectraForMaskedLM (the generator): generator_predictions (dense hidden → embedding_size,
  get_activation("gelu"), LayerNorm over embedding_size) then generator_lm_head
  Linear(embedding_size, vocab_size) whose weight is tied to the word embeddings (its bias its own).
Config defaults: ElectraConfig (embedding_size 128, hidden_size 256, 4 heads, intermediate 1024, the
rest BertConfig's).

Command line (from the repository root):
    /usr/bin/python3 scripts/reference/electra_torch.py fixtures test/fixtures/family [NAME ...]
        writes seeded fixture folders electra-<head>/ (config.json, model.safetensors, inputs.json,
        reference.json: the float64 outputs of this port, rounded to 8 significant digits)
    /usr/bin/python3 scripts/reference/electra_torch.py hub-fixtures test/fixtures/family [NAME ...]
        completes the hub-shaped folders electra-hub-<head>/ that test/fixtures/family/generateHubFolders.ts
        started (vocab.txt, tokenizer_config.json, texts.json, inputs.json): writes config.json (the
        field set of google/electra-small-discriminator's, vocab_size from vocab.txt), seeded
        model.safetensors, and reference.json for inputs.json
    /usr/bin/python3 scripts/reference/electra_torch.py run FOLDER
        prints the float64 outputs of FOLDER's model (config.json, model.safetensors) for FOLDER/inputs.json
"""

import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import BertEncoder, Config as BertConfig, extended_attention_mask, load_safetensors, save_safetensors  # noqa: E402

ELECTRA_DEFAULTS = {"embedding_size": 128, "hidden_size": 256, "num_attention_heads": 4, "intermediate_size": 1024}


def Config(raw):
    return BertConfig({**ELECTRA_DEFAULTS, **raw})


class ElectraEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.embedding_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.embedding_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.embedding_size)
        self.LayerNorm = nn.LayerNorm(config.embedding_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.register_buffer("position_ids", torch.arange(config.max_position_embeddings).expand((1, -1)), persistent=False)

    def forward(self, input_ids, token_type_ids=None):
        seq_length = input_ids.size(1)
        position_ids = self.position_ids[:, :seq_length]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class ElectraModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = ElectraEmbeddings(config)
        if config.embedding_size != config.hidden_size:
            self.embeddings_project = nn.Linear(config.embedding_size, config.hidden_size)
        self.encoder = BertEncoder(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        hidden_states = self.embeddings(input_ids, token_type_ids)
        mask = extended_attention_mask(attention_mask, hidden_states.dtype, self.config.is_decoder)
        if hasattr(self, "embeddings_project"):
            hidden_states = self.embeddings_project(hidden_states)
        return self.encoder(hidden_states, mask)


def classifier_dropout(config):
    return config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob


class ElectraBase(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        return {"last_hidden_state": self.electra(input_ids, attention_mask, token_type_ids)}


class ElectraForTokenClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)
        self.dropout = nn.Dropout(classifier_dropout(config))
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence = self.electra(input_ids, attention_mask, token_type_ids)
        return {"logits": self.classifier(self.dropout(sequence)), "last_hidden_state": sequence}


class ElectraClassificationHead(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.GELU()  # get_activation("gelu"): the erf form
        self.dropout = nn.Dropout(classifier_dropout(config))
        self.out_proj = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, features):
        x = features[:, 0, :]
        x = self.dropout(x)
        x = self.dense(x)
        x = self.activation(x)  # "although BERT uses tanh here, it seems Electra authors used gelu here"
        x = self.dropout(x)
        return self.out_proj(x)


class ElectraForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)
        self.classifier = ElectraClassificationHead(config)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence = self.electra(input_ids, attention_mask, token_type_ids)
        return {"logits": self.classifier(sequence), "last_hidden_state": sequence}


class ElectraForQuestionAnswering(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)
        self.qa_outputs = nn.Linear(config.hidden_size, config.num_labels)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence = self.electra(input_ids, attention_mask, token_type_ids)
        start_logits, end_logits = self.qa_outputs(sequence).split(1, dim=-1)
        return {"start_logits": start_logits.squeeze(-1).contiguous(), "end_logits": end_logits.squeeze(-1).contiguous(),
                "last_hidden_state": sequence}


class ElectraGeneratorPredictions(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.activation = nn.GELU()  # get_activation("gelu")
        self.LayerNorm = nn.LayerNorm(config.embedding_size, eps=config.layer_norm_eps)
        self.dense = nn.Linear(config.hidden_size, config.embedding_size)

    def forward(self, generator_hidden_states):
        return self.LayerNorm(self.activation(self.dense(generator_hidden_states)))


class ElectraForMaskedLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)
        self.generator_predictions = ElectraGeneratorPredictions(config)
        self.generator_lm_head = nn.Linear(config.embedding_size, config.vocab_size)
        self.generator_lm_head.weight = self.electra.embeddings.word_embeddings.weight  # tie_weights

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        sequence = self.electra(input_ids, attention_mask, token_type_ids)
        return {"logits": self.generator_lm_head(self.generator_predictions(sequence)), "last_hidden_state": sequence}


class SequenceSummary(nn.Module):
    """modeling_utils.SequenceSummary as ElectraConfig sets it: summary_type "first" (the [CLS] state),
    summary_use_proj → `summary` Linear(hidden, hidden) (summary_proj_to_labels unset), summary_activation
    "gelu" (get_activation: the erf form), summary_first_dropout unset (identity), summary_last_dropout."""

    def __init__(self, config):
        super().__init__()
        for field, wanted in (("summary_type", "first"), ("summary_use_proj", True), ("summary_activation", "gelu"),
                              ("summary_proj_to_labels", False), ("summary_first_dropout", 0)):
            value = getattr(config, field, wanted)
            if value != wanted and value is not None:
                raise ValueError(f"{field} {value!r} is not ported")
        self.summary = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.GELU()
        self.last_dropout = nn.Dropout(getattr(config, "summary_last_dropout", 0.1))

    def forward(self, hidden_states):
        return self.last_dropout(self.activation(self.summary(hidden_states[:, 0])))


class ElectraForMultipleChoice(nn.Module):
    """[batch, num_choices, seq] flattened to rows; SequenceSummary, then a one-output classifier (no
    further dropout); logits viewed back to [batch, num_choices]."""

    def __init__(self, config):
        super().__init__()
        self.electra = ElectraModel(config)
        self.sequence_summary = SequenceSummary(config)
        self.classifier = nn.Linear(config.hidden_size, 1)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        num_choices = input_ids.shape[1]
        flat = lambda t: t.view(-1, t.size(-1)) if t is not None else None  # noqa: E731
        sequence = self.electra(flat(input_ids), flat(attention_mask), flat(token_type_ids))
        return {"logits": self.classifier(self.sequence_summary(sequence)).view(-1, num_choices)}


CLASSES = {
    "ElectraModel": ElectraBase,
    "ElectraForTokenClassification": ElectraForTokenClassification,
    "ElectraForSequenceClassification": ElectraForSequenceClassification,
    "ElectraForQuestionAnswering": ElectraForQuestionAnswering,
    "ElectraForMaskedLM": ElectraForMaskedLM,
    "ElectraForMultipleChoice": ElectraForMultipleChoice,
}
# Views of another tensor: not written to files (save_pretrained drops tied weights).
TIED = ("generator_lm_head.weight",)


def load_model_folder(folder, dtype=torch.float64):
    with open(os.path.join(folder, "config.json")) as f:
        raw = json.load(f)
    config = Config(raw)
    arch = raw["architectures"][0]
    model = CLASSES[arch](config).to(dtype)
    tensors, _ = load_safetensors(os.path.join(folder, "model.safetensors"))
    if arch == "ElectraModel":
        tensors = {f"electra.{k}": v for k, v in tensors.items()}
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in tensors.items()}, strict=False)
    if unexpected or [m for m in missing if m not in TIED]:
        raise ValueError(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model, config, arch


TINY = {
    "vocab_size": 99,
    "embedding_size": 24,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 37,
    "hidden_act": "gelu",
    "max_position_embeddings": 40,
    "type_vocab_size": 2,
    "initializer_range": 0.2,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}

# embedding_size 24 ≠ hidden_size 32 (embeddings_project) everywhere but the *-same-size folder.
FIXTURES = [
    ("electra-base", "ElectraModel", {}),
    ("electra-token-classification", "ElectraForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("electra-sequence-classification", "ElectraForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}),
    ("electra-sequence-classification-same-size", "ElectraForSequenceClassification",
     {"embedding_size": 32, "hidden_act": "gelu_new", "id2label": {"0": "NEGATIVE", "1": "POSITIVE", "2": "NEUTRAL"}}),
    ("electra-token-classification-same-size", "ElectraForTokenClassification",
     {"embedding_size": 32, "hidden_act": "gelu_new", "id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("electra-question-answering", "ElectraForQuestionAnswering", {}),
    ("electra-masked-lm", "ElectraForMaskedLM", {"hidden_act": "gelu_new"}),
    ("electra-multiple-choice", "ElectraForMultipleChoice",
     {"summary_type": "first", "summary_use_proj": True, "summary_activation": "gelu", "summary_last_dropout": 0.3}),
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


def write_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    raw = {"model_type": "electra", **TINY, **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(400 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    state = {k: v.float() for k, v in model.state_dict().items() if k not in TIED}
    if arch == "ElectraModel":
        state = {k[len("electra."):]: v for k, v in state.items()}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2)
        f.write("\n")
    # [CLS] ... [SEP] rows, the second a pair (token types 1 after its first [SEP]) padded with id 0.
    # Multiple choice: 4 rows viewed as 2 questions × 2 choices.
    multiple_choice = arch.endswith("ForMultipleChoice")
    batch, seq = (4 if multiple_choice else 2), 9
    input_ids = torch.randint(5, config.vocab_size, (batch, seq), generator=generator)
    input_ids[:, 0] = 2
    attention_mask = torch.ones((batch, seq), dtype=torch.long)
    attention_mask[1, seq - 3:] = 0
    input_ids[0, seq - 1] = 3
    input_ids[1, 3] = 3
    input_ids[1, seq - 4] = 3
    input_ids[attention_mask == 0] = config.pad_token_id
    token_type_ids = torch.zeros((batch, seq), dtype=torch.long)
    token_type_ids[1, 4:seq - 3] = 1
    if multiple_choice:
        attention_mask[3, seq - 2:] = 0
        input_ids[3, seq - 2:] = config.pad_token_id
        token_type_ids[2, 5:] = 1
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
        "generator": "scripts/reference/electra_torch.py",
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
    if arch == "ElectraForMaskedLM" and os.path.exists(os.path.join(folder, "vocab.txt")):
        # Only the rows of the [MASK] tokens: the whole [batch, seq, vocab] would be large.
        with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
            mask_id = f.read().split("\n").index("[MASK]")
        positions = (inputs["input_ids"] == mask_id).nonzero().tolist()
        outputs = {"mask_positions": positions, "mask_logits": [rounded(out["logits"][b, t].tolist()) for b, t in positions]}
    return arch, outputs


def vocab_txt_size(folder):
    with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
        return len(f.read().rstrip("\n").split("\n"))


# Hub-shaped folders: google/electra-small-discriminator's config fields (fine-tuned heads add their
# labels), at a tiny size: embedding_size 12 projected to hidden_size 16, positions for 64 tokens.
HUB = {
    "attention_probs_dropout_prob": 0.1, "classifier_dropout": None, "embedding_size": 12, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1, "hidden_size": 16, "initializer_range": 0.2, "intermediate_size": 24, "layer_norm_eps": 1e-12,
    "max_position_embeddings": 64, "model_type": "electra", "num_attention_heads": 4, "num_hidden_layers": 2, "pad_token_id": 0,
    "position_embedding_type": "absolute", "summary_activation": "gelu", "summary_last_dropout": 0.1, "summary_type": "first",
    "summary_use_proj": True, "transformers_version": "4.40.0", "type_vocab_size": 2, "use_cache": True,
}
HUB_FIXTURES = [
    ("electra-hub-token-classification", "ElectraForTokenClassification",
     {"id2label": {"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-LOC", "4": "I-LOC"}}),
    ("electra-hub-sequence-classification", "ElectraForSequenceClassification",
     {"id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}),
    ("electra-hub-question-answering", "ElectraForQuestionAnswering", {}),
    # The generator (as google/electra-small-generator): fill-mask with generator_lm_head tied.
    ("electra-hub-masked-lm", "ElectraForMaskedLM", {}),
    ("electra-hub-multiple-choice", "ElectraForMultipleChoice", {}),
]


def write_hub_fixture(root, name, arch, extra, seed):
    folder = os.path.join(root, name)
    raw = {**HUB, "vocab_size": vocab_txt_size(folder), **extra, "architectures": [arch]}
    if "id2label" in raw:
        raw["label2id"] = {v: int(k) for k, v in raw["id2label"].items()}
    config = Config(raw)
    generator = torch.Generator().manual_seed(500 + seed)
    model = CLASSES[arch](config)
    randomize(model, config, generator)
    state = {k: v.float() for k, v in model.state_dict().items() if k not in TIED}
    save_safetensors(os.path.join(folder, "model.safetensors"), state, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(raw, f, indent=2, sort_keys=True)
        f.write("\n")
    arch, outputs = run_folder(folder)
    reference = {"generator": "scripts/reference/electra_torch.py", "torch": torch.__version__, "architecture": arch,
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
