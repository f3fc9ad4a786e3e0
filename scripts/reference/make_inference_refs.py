"""Reference outputs of an independent PyTorch BERT (scripts/reference/bert_torch.py) for fixture models.

Regenerate every fixture model's reference (from the repository root, after `npm run fixtures`):
    /usr/bin/python3 scripts/reference/make_inference_refs.py test/fixtures/models/*/

For each model folder given (HF layout: config.json with `architectures`, model.safetensors), reads
FOLDER/inputs.json and writes FOLDER/reference.json.

inputs.json:
    {"input_ids": [[...], ...], "attention_mask": [[...], ...], "token_type_ids": [[...], ...]}
    nested lists [batch][seq] ([batch][num_choices][seq] for BertForMultipleChoice); attention_mask and
    token_type_ids are optional (all ones / all zeros). Optional labels make the reference include
    HF's loss: "labels" (token/sequence classification, MLM, causal LM, NSP, multiple choice, and the
    MLM part of pretraining), "next_sentence_label" (pretraining), "start_positions" + "end_positions" (QA).
    Float labels (sequence classification) select regression / multi-label as HF does.

reference.json:
    {"architecture": ..., "dtype": "float64", "outputs": {name: nested list}, "loss": number (if labels)}
    outputs hold the head's HF output names — logits | start_logits, end_logits |
    prediction_logits, seq_relationship_logits | last_hidden_state, pooler_output (BertModel) —
    plus last_hidden_state (and pooler_output where the head has a pooler) for every head, to help
    locate a mismatch. The model runs in float64 (weights widened from the file's float32), and
    values are rounded to 8 significant digits (relative rounding error ≤ 5e-8).
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import HEAD_OUTPUTS, load_model_folder  # noqa: E402

LABEL_KEYS = ("labels", "next_sentence_label", "start_positions", "end_positions")


def rounded(value):
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return float(f"{value:.8g}")


def label_tensor(values):
    tensor = torch.tensor(values)
    return tensor.to(torch.float64) if tensor.is_floating_point() else tensor.to(torch.long)


def reference_for(folder):
    model, config, arch = load_model_folder(folder, dtype=torch.float64)
    model.eval()
    inputs_path = os.path.join(folder, "inputs.json")
    with open(inputs_path) as f:
        inputs = json.load(f)
    if "input_ids" not in inputs:
        raise ValueError(f"{inputs_path}: no input_ids")
    input_ids = torch.tensor(inputs["input_ids"], dtype=torch.long)
    if input_ids.dim() != (3 if arch == "BertForMultipleChoice" else 2):
        raise ValueError(f"{inputs_path}: input_ids has {input_ids.dim()} dimensions, {arch} needs "
                         f"{3 if arch == 'BertForMultipleChoice' else 2}")
    kwargs = {"input_ids": input_ids}
    for key in ("attention_mask", "token_type_ids"):
        if key in inputs:
            tensor = torch.tensor(inputs[key], dtype=torch.long)
            if tensor.shape != input_ids.shape:
                raise ValueError(f"{inputs_path}: {key} has shape {list(tensor.shape)}, input_ids {list(input_ids.shape)}")
            kwargs[key] = tensor
    labels = {k: label_tensor(inputs[k]) for k in LABEL_KEYS if k in inputs}
    with torch.no_grad():
        out = model(**kwargs, **labels)
    names = list(HEAD_OUTPUTS[arch])
    for extra in ("last_hidden_state", "pooler_output"):
        if extra in out and extra not in names:
            names.append(extra)
    reference = {
        "generator": "scripts/reference/make_inference_refs.py",
        "torch": torch.__version__,
        "architecture": arch,
        "dtype": "float64",
        "outputs": {name: rounded(out[name].tolist()) for name in names},
    }
    if "loss" in out:
        reference["loss"] = rounded(out["loss"].item())
        if "problem_type" in out:
            reference["problem_type"] = out["problem_type"]
    path = os.path.join(folder, "reference.json")
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(reference, f)
        f.write("\n")
    os.replace(tmp, path)
    return arch, names


def main(argv):
    if not argv:
        sys.exit(__doc__)
    for folder in argv:
        arch, names = reference_for(folder)
        print(f"{os.path.join(folder, 'reference.json')}: {arch} ({', '.join(names)})")


if __name__ == "__main__":
    main(sys.argv[1:])
