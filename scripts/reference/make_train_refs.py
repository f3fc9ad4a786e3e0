"""Conformance fixtures for the TypeScript trainer: the PyTorch reference (train_reference.py) trains
the committed fixture models on fixed batches, and the per-step losses, learning rates, grad norms and
final weights are committed under test/fixtures/train/conformance/<case>/.

The BERT family's cases (DistilBERT, RoBERTa: family_training.py) train the seeded fixture folders
of test/fixtures/family/ and are written under test/fixtures/family/train/<case>/, with the state_dict
names of the class in log.json.

Regenerate (from the repository root, after `npm run fixtures`):
    /usr/bin/python3 scripts/reference/make_train_refs.py [--family-only] [--only PREFIX]
(--only PREFIX: just the cases whose name starts with PREFIX, e.g. `--family-only --only electra-`.)
"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from family_training import family_example_batches  # noqa: E402
from train_reference import example_batches, train  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MODELS = os.path.join(ROOT, "test", "fixtures", "models")
OUT = os.path.join(ROOT, "test", "fixtures", "train", "conformance")
FAMILY = os.path.join(ROOT, "test", "fixtures", "family")
FAMILY_OUT = os.path.join(FAMILY, "train")

# (case name, fixture model, example_batches options, training overrides, extra spec keys)
CASES = [
    ("token-classification-linear", "token-classification", {"seed": 1}, {"lr_scheduler_type": "linear"}, {}),
    ("token-classification-cosine-accumulate", "token-classification", {"seed": 2},
     {"lr_scheduler_type": "cosine", "gradient_accumulation_steps": 2, "warmup_ratio": 0.3, "warmup_steps": 0}, {}),
    ("token-classification-top-layer", "token-classification", {"seed": 3}, {"lr_scheduler_type": "constant_with_warmup"},
     {"trainable": ["classifier.", "bert.encoder.layer.1."]}),
    ("sequence-classification-restarts", "sequence-classification", {"seed": 4},
     {"lr_scheduler_type": "cosine_with_restarts", "lr_scheduler_kwargs": {"num_cycles": 2}}, {}),
    ("sequence-classification-multilabel-polynomial", "sequence-classification-multilabel", {"seed": 5},
     {"lr_scheduler_type": "polynomial", "lr_scheduler_kwargs": {"power": 2.0, "lr_end": 1e-5}}, {}),
    ("sequence-classification-regression-inverse-sqrt", "sequence-classification-regression", {"seed": 6},
     {"lr_scheduler_type": "inverse_sqrt"}, {}),
    ("masked-lm-tied-linear", "masked-lm", {"seed": 7}, {"lr_scheduler_type": "linear"}, {}),
    ("pretraining-constant", "pretraining", {"seed": 8}, {"lr_scheduler_type": "constant", "warmup_steps": 0}, {}),
    ("question-answering-linear", "question-answering", {"seed": 9}, {"lr_scheduler_type": "linear"}, {}),
    ("causal-lm-linear", "causal-lm", {"seed": 10}, {"lr_scheduler_type": "linear"}, {}),
    ("multiple-choice-linear", "multiple-choice", {"seed": 11}, {"lr_scheduler_type": "linear"}, {}),
    ("next-sentence-linear", "next-sentence", {"seed": 12}, {"lr_scheduler_type": "linear"}, {}),
]


# (case name, family fixture folder, family_example_batches options, training overrides, extra spec keys)
FAMILY_CASES = [
    ("distilbert-token-classification-linear", "distilbert-token-classification", {"seed": 21}, {}, {}),
    ("distilbert-sequence-classification-linear", "distilbert-sequence-classification", {"seed": 22}, {}, {}),
    ("distilbert-sequence-classification-sinusoidal", "distilbert-sequence-classification-sinusoidal", {"seed": 23},
     {"lr_scheduler_type": "cosine"}, {}),
    ("roberta-token-classification-linear", "roberta-token-classification", {"seed": 24}, {}, {}),
    ("roberta-token-classification-top-layer", "roberta-token-classification", {"seed": 25},
     {"gradient_accumulation_steps": 2}, {"trainable": ["classifier.", "roberta.encoder.layer.1."]}),
    ("roberta-sequence-classification-linear", "roberta-sequence-classification", {"seed": 26}, {}, {}),
    ("xlm-roberta-token-classification-linear", "xlm-roberta-token-classification", {"seed": 27}, {}, {}),
    ("roberta-masked-lm-tied-linear", "roberta-masked-lm", {"seed": 28}, {}, {}),
    ("distilbert-masked-lm-tied-linear", "distilbert-masked-lm", {"seed": 29}, {}, {}),
    ("distilbert-question-answering-linear", "distilbert-question-answering", {"seed": 30}, {}, {}),
    ("roberta-question-answering-linear", "roberta-question-answering", {"seed": 31}, {}, {}),
    ("roberta-multiple-choice-linear", "roberta-multiple-choice", {"seed": 41}, {}, {}),
    ("distilbert-multiple-choice-linear", "distilbert-multiple-choice", {"seed": 42}, {}, {}),
    ("electra-multiple-choice-linear", "electra-multiple-choice", {"seed": 43}, {}, {}),
    ("electra-token-classification-linear", "electra-token-classification", {"seed": 32}, {}, {}),
    ("electra-sequence-classification-linear", "electra-sequence-classification", {"seed": 33}, {}, {}),
    ("electra-sequence-classification-same-size", "electra-sequence-classification-same-size", {"seed": 34}, {}, {}),
    ("electra-masked-lm-tied-linear", "electra-masked-lm", {"seed": 35}, {}, {}),
    ("electra-question-answering-linear", "electra-question-answering", {"seed": 36}, {}, {}),
    # DeBERTa-v3 (log buckets, share_att_key) and DeBERTa-v2 (pos_key_proj / pos_query_proj, positions and token types).
    ("deberta-v3-token-classification-linear", "deberta-v3-token-classification", {"seed": 37}, {}, {}),
    ("deberta-v2-token-classification-linear", "deberta-v2-token-classification", {"seed": 38}, {}, {}),
    ("deberta-v3-sequence-classification-linear", "deberta-v3-sequence-classification", {"seed": 39}, {}, {}),
    ("deberta-v3-question-answering-linear", "deberta-v3-question-answering", {"seed": 40}, {}, {}),
    ("deberta-v3-masked-lm-tied-linear", "deberta-v3-masked-lm", {"seed": 41}, {}, {}),
    # ModernBERT (rotary global / sliding-window attention, GeGLU, no biases; cls and mean pooling; the tied decoder).
    ("modernbert-sequence-classification-linear", "modernbert-sequence-classification", {"seed": 42}, {}, {}),
    ("modernbert-sequence-classification-mean", "modernbert-sequence-classification-mean", {"seed": 43}, {}, {}),
    ("modernbert-token-classification-linear", "modernbert-biased-token-classification", {"seed": 44}, {}, {}),
    ("modernbert-masked-lm-tied-linear", "modernbert-masked-lm", {"seed": 45}, {}, {}),
    ("modernbert-question-answering-linear", "modernbert-question-answering", {"seed": 46}, {}, {}),
]


def main():
    family_only = "--family-only" in sys.argv[1:]
    cases = [(n, os.path.join(MODELS, m), example_batches, b, t, e, OUT) for n, m, b, t, e in ([] if family_only else CASES)]
    cases += [(n, os.path.join(FAMILY, m), family_example_batches, b, t, e, FAMILY_OUT) for n, m, b, t, e in FAMILY_CASES]
    if "--only" in sys.argv[1:]:
        prefix = sys.argv[sys.argv.index("--only") + 1]
        cases = [c for c in cases if c[0].startswith(prefix)]
    for name, model_dir, make_batches, batch_options, training, extra, out in cases:
        spec = make_batches(model_dir, **batch_options)
        spec["training"].update(training)
        spec.update(extra)
        case_dir = os.path.join(out, name)
        os.makedirs(case_dir, exist_ok=True)
        spec["model"] = os.path.relpath(model_dir, case_dir)
        batches_path = os.path.join(case_dir, "batches.json")
        with open(batches_path, "w") as f:
            json.dump(spec, f)
            f.write("\n")
        work = os.path.join(case_dir, "out")
        log = train(model_dir, batches_path, work)
        shutil.move(os.path.join(work, "log.json"), os.path.join(case_dir, "log.json"))
        shutil.move(os.path.join(work, "model.safetensors"), os.path.join(case_dir, "final.safetensors"))
        shutil.rmtree(work)
        print(f"{name}: {len(log['steps'])} steps, loss {log['steps'][0]['loss']:.6f} -> {log['steps'][-1]['loss']:.6f}")


if __name__ == "__main__":
    main()
