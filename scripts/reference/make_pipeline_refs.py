"""Expected results of the end-to-end pipeline checks: the independent PyTorch BERT + HF postprocessing.

Regenerate (from the repository root), after scripts/pipelineReferenceCases.ts has written the inputs:
    npx tsx scripts/pipelineReferenceCases.ts
    /usr/bin/python3 scripts/reference/make_pipeline_refs.py test/fixtures/tasks/pipelines_e2e.json

For every case of the file (token ids from our tokenizer, see that script) this runs bert_torch.py in float64 on
the fixture model named by the case, casts the logits to float32 (what HF's float32 models hand to the pipeline),
and applies HF's postprocessing from hf_pipeline_postprocess.py, then writes the case back with "expected":

  qa          windows as recorded -> start/end logits per window -> qa_postprocess (every HF option)
  classify    windows as recorded -> logits per window, averaged (the project's rule for long texts; one
              window = HF exactly) -> text_classification_call (top_k absent = HF default, null = all)
  fill-mask   input ids -> MLM logits (prediction_logits for BertForPreTraining) -> fill_mask_postprocess;
              targets resolved as HF get_target_ids (vocabulary entry, else the first token of the target)
  nsp         [CLS] A [SEP] B [SEP] cut by the Rust longest-first rule -> softmax of the NSP logits
  choice      every (prompt, choice) pair cut longest-first, padded to the longest -> [1, n, seq] -> softmax
  generate    greedy decoding: [CLS] prompt, argmax of the last position's logits until [SEP], max_new_tokens
              or max_position_embeddings

The script stops when a case rests on a near-tie (scores within 2e-4 of each other where the order or the top_k
cut matters, or greedy top-2 logits within 1e-3), so that float32 rounding in ONNX Runtime cannot flip a result.
"""

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bert_torch import load_model_folder  # noqa: E402
from hf_pipeline_postprocess import fill_mask_postprocess, qa_postprocess, softmax, text_classification_call  # noqa: E402

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "models")
MIN_GAP = 2e-4
MIN_LOGIT_GAP = 1e-3

_models = {}


def model_of(name):
    if name not in _models:
        folder = os.path.join(MODELS, name)
        model, config, arch = load_model_folder(folder, dtype=torch.float64)
        model.eval()
        with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
            vocab = [line.rstrip("\n") for line in f]
        with open(os.path.join(folder, "config.json")) as f:
            raw_config = json.load(f)
        _models[name] = (model, arch, vocab, raw_config)
    return _models[name]


def run(name, input_ids, token_type_ids=None, attention_mask=None):
    model, arch, _, _ = model_of(name)
    ids = torch.tensor(input_ids, dtype=torch.long)
    kwargs = {"input_ids": ids}
    if token_type_ids is not None:
        kwargs["token_type_ids"] = torch.tensor(token_type_ids, dtype=torch.long)
    if attention_mask is not None:
        kwargs["attention_mask"] = torch.tensor(attention_mask, dtype=torch.long)
    with torch.no_grad():
        return model(**kwargs), arch


def f32(tensor):
    return tensor.numpy().astype(np.float32)


def check_gaps(scores, what):
    for a, b in zip(scores, scores[1:]):
        if abs(a - b) < MIN_GAP:
            raise SystemExit(f"{what}: near-tie between scores {a} and {b}; change the case")


# ----------------------------------------------------------------------------------------------
# HF tokenizer.decode for a WordPiece vocabulary: the Rust WordPiece decoder (## glued, cleanup per token), then
# clean_up_tokenization (clean_up_tokenization_spaces is true in the fixtures).

SPECIAL_TOKENS = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
CLEANUPS = [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"),
            (" 've", "'ve"), (" 're", "'re")]


def clean_up(text, with_do_not=False):
    pairs = CLEANUPS[:7] + ([(" do not", " don't")] if with_do_not else []) + CLEANUPS[7:]
    for a, b in pairs:
        text = text.replace(a, b)
    return text


def decoder_for(vocab):
    def decode(ids, skip_special_tokens=False):
        tokens = [vocab[i] for i in ids if not (skip_special_tokens and vocab[i] in SPECIAL_TOKENS)]
        out = ""
        for i, token in enumerate(tokens):
            if i > 0:
                token = token[2:] if token.startswith("##") else " " + token
            out += clean_up(token, with_do_not=True)
        return clean_up(out)
    return decode


# ----------------------------------------------------------------------------------------------
# Rust tokenizers TruncationStrategy::LongestFirst (utils/truncation.rs), budget = max_length - 3 for a BERT pair.

def longest_first(a, b, max_length):
    budget = max_length - 3
    if len(a) + len(b) <= budget:
        return a, b
    n1, n2 = len(a), len(b)
    swap = n1 > n2
    if swap:
        n1, n2 = n2, n1
    n2 = n1 if n1 > budget else max(n1, budget - n1)
    if n1 + n2 > budget:
        n1 = budget // 2
        n2 = n1 + budget % 2
    if swap:
        n1, n2 = n2, n1
    return a[:n1], b[:n2]


def pair_ids(a, b, max_length, cls=2, sep=3):
    a, b = longest_first(a, b, max_length)
    return [cls] + a + [sep] + b + [sep], [0] * (len(a) + 2) + [1] * (len(b) + 1)


# ----------------------------------------------------------------------------------------------


def expected_qa(case):
    options = case["options"]
    windows = []
    for w in case["windows"]:
        out, _ = run(case["model"], [w["ids"]], [w["typeIds"]])
        windows.append({"encoding": w, "startLogits": f32(out["start_logits"][0]).tolist(), "endLogits": f32(out["end_logits"][0]).tolist()})
    kwargs = {
        "top_k": options.get("topK", 1),
        "handle_impossible_answer": options.get("handleImpossibleAnswer", False),
        "max_answer_len": options.get("maxAnswerLen", 15),
        "align_to_words": options.get("alignToWords", True),
    }
    answers = qa_postprocess(windows, case["context"], 2, **kwargs)
    one_more = qa_postprocess(windows, case["context"], 2, **{**kwargs, "top_k": kwargs["top_k"] + 1})
    check_gaps([a["score"] for a in one_more], case["name"])
    return answers


def expected_classify(case):
    rows = []
    for w in case["windows"]:
        out, _ = run(case["model"], [w["ids"]], [w["typeIds"]])
        rows.append(f32(out["logits"][0]))
    logits = np.mean(np.stack(rows).astype(np.float64), axis=0)
    _, _, _, config = model_of(case["model"])
    id2label = {int(k): v for k, v in config["id2label"].items()}
    options = case["options"]
    top_k = options["topK"] if "topK" in options else ""
    results = text_classification_call(logits, id2label, config.get("problem_type"), top_k=top_k, function_to_apply=options.get("functionToApply"))
    everything = text_classification_call(logits, id2label, config.get("problem_type"), top_k=None, function_to_apply=options.get("functionToApply"))
    check_gaps([r["score"] for r in everything], case["name"])
    return results


def stride_ranges(length, max_length, stride):
    """Rust Encoding::truncate windows: starts 0, max_length - stride, ...; the first reaching the end is last."""
    if max_length >= length:
        return [(0, length)]
    ranges, start = [], 0
    while start < length:
        stop = min(start + max_length, length)
        ranges.append((start, stop))
        if stop == length:
            break
        start += max_length - stride
    return ranges


def mlm_logits(case, ids):
    out, arch = run(case["model"], [ids])
    return f32(out["prediction_logits" if arch == "BertForPreTraining" else "logits"][0])


def fill_mask_logits(case):
    """[T, vocab] logits; a text over the model's limit gets each mask's row from its most central window."""
    ids = case["inputIds"]
    _, _, _, config = model_of(case["model"])
    limit = config["max_position_embeddings"]
    if len(ids) <= limit:
        return mlm_logits(case, ids)
    content = ids[1:-1]
    budget = limit - 2
    ranges = stride_ranges(len(content), budget, budget // 2)
    logits = np.zeros((len(ids), config["vocab_size"]), dtype=np.float32)
    for position in [i for i, t in enumerate(ids) if t == 4]:
        c = position - 1
        margins = [min(c - s, e - 1 - c) if s <= c < e else -1 for s, e in ranges]
        s, e = ranges[margins.index(max(margins))]
        window = mlm_logits(case, [ids[0]] + content[s:e] + [ids[-1]])
        logits[position] = window[c - s + 1]
    return logits


def expected_fill_mask(case):
    logits = fill_mask_logits(case)
    _, _, vocab, _ = model_of(case["model"])
    index = {token: i for i, token in enumerate(vocab)}
    target_ids = None
    options = case["options"]
    if "targets" in options:
        ids = []
        for target in options["targets"]:
            token_id = index.get(target, case["targetFirstTokenIds"].get(target))
            if token_id is not None and token_id not in ids:
                ids.append(token_id)
        target_ids = np.array(ids)
    top_k = options.get("topK", 5)
    rows = fill_mask_postprocess(case["inputIds"], logits, 4, 0, decoder_for(vocab), top_k=top_k, target_ids=target_ids)
    wider = fill_mask_postprocess(case["inputIds"], logits, 4, 0, decoder_for(vocab), top_k=top_k + 1, target_ids=target_ids)
    for row in wider:
        check_gaps([p["score"] for p in row], case["name"])
    return [[{**p, "score": float(p["score"]), "token": int(p["token"])} for p in row] for row in rows]


def expected_nsp(case):
    ids, types = pair_ids(case["aIds"], case["bIds"], case["maxLength"])
    out, arch = run(case["model"], [ids], [types])
    logits = f32(out["seq_relationship_logits" if arch == "BertForPreTraining" else "logits"][0])
    probs = softmax(logits)
    scores = sorted([{"label": "IsNext", "score": probs[0].item()}, {"label": "NotNext", "score": probs[1].item()}], key=lambda s: s["score"], reverse=True)
    check_gaps([s["score"] for s in scores], case["name"])
    return {"isNextProbability": probs[0].item(), "scores": scores, "inputIds": ids}


def expected_choice(case):
    pairs = [pair_ids(case["promptIds"], c, case["maxLength"]) for c in case["choiceIds"]]
    length = max(len(ids) for ids, _ in pairs)
    ids = [p[0] + [0] * (length - len(p[0])) for p in pairs]
    types = [p[1] + [0] * (length - len(p[1])) for p in pairs]
    mask = [[1] * len(p[0]) + [0] * (length - len(p[0])) for p in pairs]
    out, _ = run(case["model"], [ids], [types], [mask])
    probs = softmax(f32(out["logits"][0]))
    scores = sorted(
        [{"index": i, "choice": c, "score": probs[i].item()} for i, c in enumerate(case["choices"])], key=lambda s: s["score"], reverse=True
    )
    check_gaps([s["score"] for s in scores], case["name"])
    return scores


def expected_generate(case):
    ids = list(case["promptIds"])
    new = []
    finish = "max_new_tokens"
    while len(new) < case["maxNewTokens"]:
        if len(ids) >= case["limit"]:
            finish = "max_length"
            break
        out, _ = run(case["model"], [ids])
        last = out["logits"][0, -1].numpy()
        order = np.argsort(-last, kind="stable")
        if last[order[0]] - last[order[1]] < MIN_LOGIT_GAP:
            raise SystemExit(f"{case['name']}: greedy near-tie at step {len(new)}; change the case")
        token = int(order[0])
        if token == case["eosTokenId"]:
            finish = "eos"
            break
        ids.append(token)
        new.append(token)
    return {"tokenIds": new, "finish_reason": finish}


EXPECTED = {
    "qa": expected_qa,
    "classify": expected_classify,
    "fill-mask": expected_fill_mask,
    "nsp": expected_nsp,
    "choice": expected_choice,
    "generate": expected_generate,
}


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    path = argv[0]
    with open(path) as f:
        data = json.load(f)
    for case in data["cases"]:
        case["expected"] = EXPECTED[case["task"]](case)
        print(f"{case['task']:10} {case['name']}")
    data["reference"] = {"generator": "scripts/reference/make_pipeline_refs.py", "torch": torch.__version__, "dtype": "float64 model, float32 logits"}
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(data, f)
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1:])
