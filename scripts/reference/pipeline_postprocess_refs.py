"""Reference fixtures for src/core/tasks (HF pipeline postprocessing), from the ports in hf_pipeline_postprocess.py.

Regenerate (from the repository root):
    /usr/bin/python3 scripts/reference/pipeline_postprocess_refs.py test/fixtures/tasks/pipeline_postprocess.json

Every case stores its inputs (encodings with absolute UTF-16 offsets, float32 logits) and HF's output, and
test/unit/tasks/referenceFixtures.test.ts feeds the same inputs to the TypeScript code. Texts are BMP-only, so
Python's code-point offsets equal UTF-16 offsets here (astral characters are tested in TypeScript directly).
Each token-classification case is also run in float64; the script stops if float32 and float64 disagree on
any label or span, so that no case rests on a near-tie that rounding could flip.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_pipeline_postprocess import (  # noqa: E402
    TokenClassificationPort,
    fill_mask_postprocess,
    qa_postprocess,
    softmax,
    text_classification_call,
)

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
WORDS = (
    "Hugging Face Inc . is a company based in New York City and Paris ! Its head ##quarters are in DU ##MB ##O , "
    "Brooklyn near the Manhattan Bridge which is visible from the window . Mic ##ro ##soft was founded by Bill Gates "
    "and Paul Allen in Albuquerque , New Mexico ; later it moved to Red ##mond Washington ##ton The Eiffel Tower "
    "stands in paris France It was built in 1889 by Gustave Eiffel ' s company"
).split()
VOCAB = SPECIALS + sorted(set(WORDS))
TOKEN_ID = {t: i for i, t in enumerate(VOCAB)}
PUNCTUATION = set(".,;:!?'\"()-")


def convert_tokens_to_string(tokens):
    """BertTokenizer.convert_tokens_to_string: the stand-in the TypeScript tests use too."""
    return " ".join(tokens).replace(" ##", "").strip()


def decode(ids, skip_special_tokens=False):
    tokens = [VOCAB[i] for i in ids if not (skip_special_tokens and i < len(SPECIALS))]
    return convert_tokens_to_string(tokens)


def pre_tokenize(text):
    """Whitespace split, each punctuation character its own word: (word, start, end)."""
    words, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] in PUNCTUATION:
            words.append((text[i], i, i + 1))
            i += 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in PUNCTUATION:
                j += 1
            words.append((text[i:j], i, j))
            i = j
    return words


def word_piece(word, start):
    """Greedy longest-match-first; a word that cannot be split is one [UNK]."""
    pieces, i = [], 0
    while i < len(word):
        j = len(word)
        while j > i:
            candidate = word[i:j] if i == 0 else "##" + word[i:j]
            if candidate in TOKEN_ID:
                break
            j -= 1
        if j == i:
            return [("[UNK]", start, start + len(word))]
        pieces.append((candidate, start + i, start + j))
        i = j
    return pieces


def tokenize(text):
    """Content tokens of text: dicts with token, id, offsets and word id."""
    out = []
    for word_id, (word, start, _) in enumerate(pre_tokenize(text)):
        for token, s, e in word_piece(word, start):
            out.append({"token": token, "id": TOKEN_ID[token], "offset": [s, e], "word": word_id})
    return out


def special(token_id):
    return {"token": VOCAB[token_id], "id": token_id, "offset": [0, 0], "word": None, "special": True}


def encoding_of(items, sequence_ids, type_ids):
    return {
        "ids": [t["id"] for t in items],
        "typeIds": type_ids,
        "offsets": [t["offset"] for t in items],
        "wordIds": [t["word"] for t in items],
        "sequenceIds": sequence_ids,
        "tokens": [t["token"] for t in items],
        "specialTokensMask": [bool(t.get("special")) for t in items],
    }


def single_windows(tokens, max_length=None, stride=0, pad=True):
    """HF fast-tokenizer overflow for one sequence: [CLS] chunk [SEP], chunks overlapping by `stride` tokens,
    the last one padded to the longest (padding=True) when `pad`."""
    if max_length is None:
        chunks = [tokens]
    else:
        size = max_length - 2
        step = size - stride
        chunks, begin = [], 0
        while True:
            chunks.append(tokens[begin : begin + size])
            if begin + size >= len(tokens):
                break
            begin += step
    longest = max(len(c) for c in chunks) + 2
    encodings = []
    for chunk in chunks:
        items = [special(CLS)] + chunk + [special(SEP)]
        if pad:
            items += [special(PAD) for _ in range(longest - len(items))]
        sequence_ids = [0 if not t.get("special") else None for t in items]
        encodings.append(encoding_of(items, sequence_ids, [0] * len(items)))
    return encodings


def pair_windows(question_tokens, context_tokens, max_length, stride):
    """HF QA preprocess with truncation="only_second": [CLS] question [SEP] context chunk [SEP]."""
    size = max_length - len(question_tokens) - 3
    step = size - stride
    encodings, begin = [], 0
    while True:
        chunk = context_tokens[begin : begin + size]
        items = [special(CLS)] + question_tokens + [special(SEP)] + chunk + [special(SEP)]
        sequence_ids = [None] + [0] * len(question_tokens) + [None] + [1] * len(chunk) + [None]
        type_ids = [0] * (len(question_tokens) + 2) + [1] * (len(chunk) + 1)
        encodings.append(encoding_of(items, sequence_ids, type_ids))
        if begin + size >= len(context_tokens):
            break
        begin += step
    return encodings


def f32(values):
    """Logits as float32 values on a 2^-12 grid: exact in float32 and short in JSON."""
    return [float(v) for v in (np.round(np.asarray(values, dtype=np.float64) * 4096) / 4096).astype(np.float32).ravel()]


def plain(value):
    """numpy scalars → Python numbers for JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# --------------------------------------------------------------------------------------------------------
# token classification

NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]


def planted_logits(encoding, plan, labels, rng, noise=1.0, strength=6.0):
    """Random logits, plus `strength` on the planted label of each content token whose index is in plan."""
    logits = rng.normal(0.0, noise, size=(len(encoding["ids"]), len(labels)))
    for position, label in plan.items():
        logits[position, labels.index(label)] += strength
    return logits


INPUTS = {}


def shared(key, windows):
    """Stores a window list once in the fixture; cases refer to it by key."""
    INPUTS[key] = windows
    return key


def run_ner(name, text, windows_key, labels, strategy, ignore_labels=None, prefix="##", unk=UNK):
    windows = INPUTS[windows_key]
    port = TokenClassificationPort(labels, convert_tokens_to_string, unk, prefix)
    expected = port.postprocess(windows, text, strategy, ignore_labels, np.float32)
    check = port.postprocess(windows, text, strategy, ignore_labels, np.float64)
    shape = lambda ents: [(e.get("entity", e.get("entity_group")), e["start"], e["end"], e["word"]) for e in ents]  # noqa: E731
    if shape(expected) != shape(check):
        raise SystemExit(f"case {name}: float32 and float64 disagree (near tie); change the data")
    return {
        "name": name,
        "text": text,
        "labels": labels,
        "strategy": strategy,
        "ignoreLabels": ignore_labels,
        "continuingSubwordPrefix": prefix,
        "unkTokenId": unk,
        "windows": windows_key,
        "expected": plain(expected),
    }


def ner_cases():
    cases = []
    rng = np.random.RandomState(20240611)

    # One short sentence with hand-planted labels covering B/I runs, subword disagreements, I- without B-,
    # two consecutive B- of the same type, [UNK] and punctuation.
    text = "Hugging Face Inc. is in New York City and Paris! Its headquarters are in DUMBO, Brooklyn near Zorglub."
    [enc] = single_windows(tokenize(text), pad=False)
    tokens = enc["tokens"]
    positions = {}
    for i, t in enumerate(tokens):
        positions.setdefault(t, []).append(i)
    plan = {}
    p = lambda token, k=0: positions[token][k]  # noqa: E731
    plan[p("Hugging")] = "B-ORG"
    plan[p("Face")] = "I-ORG"
    plan[p("Inc")] = "I-ORG"
    plan[p("New")] = "B-LOC"
    plan[p("York")] = "I-LOC"
    plan[p("City")] = "B-LOC"  # B- after B-/I- of the same type: a new entity
    plan[p("Paris")] = "I-LOC"  # I- without B-: starts an entity
    plan[p("head")] = "B-MISC"
    plan[p("##quarters")] = "I-ORG"  # subword disagreeing with its word start
    plan[p("DU")] = "B-LOC"
    plan[p("##MB")] = "I-PER"  # disagreeing subword in the middle
    plan[p("##O")] = "I-LOC"
    plan[p("Brooklyn")] = "I-LOC"  # I- after a comma labelled O
    plan[p("[UNK]")] = "B-PER"  # Zorglub is not in the vocabulary
    sentence_logits = planted_logits(enc, plan, NER_LABELS, rng, noise=1.0, strength=4.0)
    for position in range(len(tokens)):
        if position not in plan and not enc["specialTokensMask"][position]:
            sentence_logits[position, 0] += 3.0
    windows = shared("ner/sentence", [{"logits": f32(sentence_logits), "encoding": enc}])
    for strategy in ["none", "simple", "first", "average", "max"]:
        cases.append(run_ner(f"sentence/{strategy}", text, windows, NER_LABELS, strategy))
    cases.append(run_ner("sentence/simple/keep-all-labels", text, windows, NER_LABELS, "simple", ignore_labels=[]))
    cases.append(run_ner("sentence/first/ignore-LOC-and-MISC", text, windows, NER_LABELS, "first", ignore_labels=["LOC", "MISC"]))
    cases.append(run_ner("sentence/none/ignore-B-LOC", text, windows, NER_LABELS, "none", ignore_labels=["O", "B-LOC"]))
    cases.append(run_ner("sentence/average/no-subword-prefix", text, windows, NER_LABELS, "average", prefix=None))

    # Labels without B-/I- prefixes (POS-style): every label continues an equal neighbour.
    pos_labels = ["NOUN", "VERB", "PROPN", "ADP", "PUNCT"]
    text2 = "Microsoft was founded by Bill Gates and Paul Allen in Albuquerque, New Mexico."
    [enc2] = single_windows(tokenize(text2), pad=False)
    pos_logits = rng.normal(0.0, 2.0, size=(len(enc2["ids"]), len(pos_labels)))
    for strategy in ["simple", "first", "average", "max"]:
        cases.append(run_ner(f"unprefixed-labels/{strategy}", text2, shared("ner/unprefixed", [{"logits": f32(pos_logits), "encoding": enc2}]), pos_labels, strategy, ignore_labels=[]))

    # Only special tokens (empty text) and a text of one token.
    [empty] = single_windows([], pad=False)
    empty_key = shared("ner/empty", [{"logits": f32(rng.normal(size=(2, len(NER_LABELS)))), "encoding": empty}])
    cases.append(run_ner("empty/simple", "", empty_key, NER_LABELS, "simple"))
    cases.append(run_ner("empty/first", "", empty_key, NER_LABELS, "first"))

    # A long document in overlapping windows (stride), the last padded. Entities are planted on both sides
    # of window borders, and the logits of the same token differ between windows, as real contexts do.
    sentences = [
        "Hugging Face Inc. is a company based in New York City and Paris!",
        "Its headquarters are in DUMBO, Brooklyn near the Manhattan Bridge which is visible from the window.",
        "Microsoft was founded by Bill Gates and Paul Allen in Albuquerque, New Mexico; later it moved to Redmond Washington.",
        "The Eiffel Tower stands in paris France. It was built in 1889 by Gustave Eiffel's company.",
    ]
    long_text = " ".join(sentences * 2)
    content = tokenize(long_text)
    entity_words = {
        "Hugging": "ORG", "Face": "ORG", "Inc": "ORG", "New": "LOC", "York": "LOC", "City": "LOC", "Paris": "LOC",
        "paris": "LOC", "DU": "LOC", "##MB": "LOC", "##O": "LOC", "Brooklyn": "LOC", "Manhattan": "LOC", "Bridge": "LOC",
        "Mic": "ORG", "##ro": "ORG", "##soft": "ORG", "Bill": "PER", "Gates": "PER", "Paul": "PER", "Allen": "PER",
        "Albuquerque": "LOC", "Mexico": "LOC", "Red": "LOC", "##mond": "LOC", "Washington": "LOC", "Eiffel": "MISC",
        "Tower": "MISC", "France": "LOC", "Gustave": "PER",
    }
    gold = []
    for i, t in enumerate(content):
        tag = entity_words.get(t["token"])
        previous = gold[-1] if gold else "O"
        if tag is None:
            gold.append("O")
        elif previous != "O" and previous[2:] == tag:
            gold.append("I-" + tag)
        else:
            gold.append("B-" + tag)
    for max_length, stride in [(24, 6), (17, 5)]:
        windows = []
        encodings = single_windows(content, max_length=max_length, stride=stride)
        begin = 0
        step = (max_length - 2) - stride
        for w, enc in enumerate(encodings):
            plan = {}
            for local in range(1, len(enc["ids"])):
                if enc["specialTokensMask"][local]:
                    continue
                plan[local] = gold[begin + local - 1]
            logits = planted_logits(enc, plan, NER_LABELS, rng, noise=1.2, strength=3.0)
            windows.append({"logits": f32(logits), "encoding": enc})
            begin += step
        key = shared(f"ner/windows-{max_length}-{stride}", windows)
        for strategy in ["none", "simple", "first", "average", "max"]:
            cases.append(run_ner(f"windows-{max_length}-{stride}/{strategy}", long_text, key, NER_LABELS, strategy))

    # Decomposed text (NFD): an uncased tokenizer strips the accent, so the token "zurich" is shorter than the
    # text it covers and HF's length rule calls it a subword of the word before it ("in"), although it has no
    # "##". Hand-made encoding, as a normalising tokenizer gives it.
    text3 = "Paris in Zu\u0308rich"
    enc3 = encoding_of(
        [special(CLS), {"token": "paris", "id": TOKEN_ID["paris"], "offset": [0, 5], "word": 0},
         {"token": "in", "id": TOKEN_ID["in"], "offset": [6, 8], "word": 1},
         {"token": "zurich", "id": 5, "offset": [9, 16], "word": 2}, special(SEP)],
        [None, 0, 0, 0, None], [0] * 5,
    )
    zurich = np.zeros((5, len(NER_LABELS)))
    zurich[1, NER_LABELS.index("B-LOC")] = 5
    zurich[2, 0] = 4
    zurich[3, NER_LABELS.index("B-LOC")] = 5
    key = shared("ner/nfd", [{"logits": f32(zurich), "encoding": enc3}])
    for strategy in ["simple", "first", "max"]:
        cases.append(run_ner(f"nfd-length-rule/{strategy}", text3, key, NER_LABELS, strategy))
    return cases


# --------------------------------------------------------------------------------------------------------
# question answering


def qa_cases():
    cases = []
    rng = np.random.RandomState(7)
    question = tokenize("Where is Hugging Face based ?")
    context = (
        "Hugging Face Inc. is a company based in New York City and Paris! Its headquarters are in DUMBO, Brooklyn "
        "near the Manhattan Bridge which is visible from the window. Microsoft was founded by Bill Gates and Paul "
        "Allen in Albuquerque, New Mexico; later it moved to Redmond Washington."
    )
    context_tokens = tokenize(context)

    def logits_for(enc, plant):
        start = rng.normal(0.0, 1.0, size=len(enc["ids"]))
        end = rng.normal(0.0, 1.0, size=len(enc["ids"]))
        for token, (ds, de) in plant.items():
            for i, t in enumerate(enc["tokens"]):
                if t == token and enc["sequenceIds"][i] == 1:
                    start[i] += ds
                    end[i] += de
        return start, end

    def case(name, windows_key, **options):
        expected = qa_postprocess(INPUTS[windows_key], context, CLS, **options)
        return {"name": name, "context": context, "clsTokenId": CLS, "options": options, "windows": windows_key, "expected": plain(expected)}

    # One window holding the whole context.
    [enc] = pair_windows(question, context_tokens, 128, 0)
    s, e = logits_for(enc, {"New": (5, 0), "City": (0, 5), "Brooklyn": (3.5, 3.5), "##O": (0, 2.5), "DU": (2, 0)})
    one = shared("qa/one", [{"startLogits": f32(s), "endLogits": f32(e), "encoding": enc}])
    cases.append(case("one-window/default", one))
    cases.append(case("one-window/top3", one, top_k=3))
    cases.append(case("one-window/top5-no-align", one, top_k=5, align_to_words=False))
    cases.append(case("one-window/max-answer-len-2", one, top_k=3, max_answer_len=2))
    cases.append(case("one-window/impossible-loses", one, top_k=2, handle_impossible_answer=True))

    # A subword start/end: align_to_words widens "##MB" … "##MB" to "DUMBO"; several spans inside one word
    # collapse into one answer whose score is the sum (HF get_answer).
    s2, e2 = logits_for(enc, {"##MB": (6, 6), "##O": (1, 4), "DU": (4, 1)})
    sub = shared("qa/subword", [{"startLogits": f32(s2), "endLogits": f32(e2), "encoding": enc}])
    cases.append(case("subword/align", sub, top_k=4))
    cases.append(case("subword/no-align", sub, top_k=4, align_to_words=False))

    # [CLS] dominant: the impossible answer wins.
    s3, e3 = logits_for(enc, {"Paris": (2, 2)})
    s3[0] += 9
    e3[0] += 9
    cls = shared("qa/cls", [{"startLogits": f32(s3), "endLogits": f32(e3), "encoding": enc}])
    cases.append(case("impossible/wins", cls, handle_impossible_answer=True))
    cases.append(case("impossible/off", cls, top_k=2))

    # Several windows (doc_stride): the answer sits in a later window; the same answer seen by two windows is
    # summed; the null score is the minimum over windows.
    windows = []
    for w, wenc in enumerate(pair_windows(question, context_tokens, 32, 8)):
        ws, we = logits_for(wenc, {"Redmond": (0, 0), "Red": (5, 0), "##mond": (0, 5), "Paris": (3, 3), "Manhattan": (2.5, 0), "Bridge": (0, 2.5)})
        ws[0] += 2.0 * (w % 3)
        we[0] += 1.0 * (w % 2)
        windows.append({"startLogits": f32(ws), "endLogits": f32(we), "encoding": wenc})
    windows = shared("qa/windows-32-8", windows)
    cases.append(case("windows/default", windows))
    cases.append(case("windows/top4", windows, top_k=4))
    cases.append(case("windows/top3-impossible", windows, top_k=3, handle_impossible_answer=True))
    cases.append(case("windows/top6-len3-no-align", windows, top_k=6, max_answer_len=3, align_to_words=False))

    # Case-insensitive merging of equal answers at different places ("paris" … "Paris").
    ctx2_windows = []
    for wenc in pair_windows(question, context_tokens, 40, 10):
        ws, we = logits_for(wenc, {"Paris": (4, 4), "New": (4, 0), "Mexico": (0, 4)})
        ctx2_windows.append({"startLogits": f32(ws), "endLogits": f32(we), "encoding": wenc})
    ctx2_windows = shared("qa/windows-40-10", ctx2_windows)
    cases.append(case("windows/top2", ctx2_windows, top_k=2))
    return cases


# --------------------------------------------------------------------------------------------------------
# text classification, fill-mask, NSP, multiple choice


def text_classification_cases():
    cases = []
    three = ["negative", "neutral", "positive"]
    logits3 = [-1.25, 0.5, 2.0]
    tie = [1.0, 3.0, 3.0]
    for name, logits, labels, problem_type, kwargs in [
        ("default-softmax", logits3, three, None, {}),
        ("top_k-none", logits3, three, None, {"top_k": None}),
        ("top_k-2", logits3, three, None, {"top_k": 2}),
        ("top_k-10", logits3, three, None, {"top_k": 10}),
        ("top_k-1", logits3, three, None, {"top_k": 1}),
        ("return_all_scores", logits3, three, None, {"return_all_scores": True}),
        ("return_all_scores-false", logits3, three, None, {"return_all_scores": False}),
        ("ties-stable", tie, three, None, {"top_k": None}),
        ("ties-argmax", tie, three, None, {}),
        ("function-sigmoid", logits3, three, None, {"function_to_apply": "sigmoid", "top_k": None}),
        ("function-none", logits3, three, None, {"function_to_apply": "none", "top_k": None}),
        ("multi-label", [2.0, -0.5, 0.25, -3.0], ["a", "b", "c", "d"], "multi_label_classification", {"top_k": None}),
        ("single-label-problem-type", logits3, three, "single_label_classification", {"top_k": None}),
        ("one-label-sigmoid", [0.75], ["LABEL_0"], None, {}),
        ("one-label-single-label-still-sigmoid", [0.75], ["LABEL_0"], "single_label_classification", {}),
        ("regression", [3.5], ["score"], "regression", {}),
        ("regression-top_k-none", [3.5], ["score"], "regression", {"top_k": None}),
    ]:
        result = text_classification_call(f32(logits), labels, problem_type, **({"top_k": ""} | kwargs))
        cases.append({"name": name, "logits": f32(logits), "labels": labels, "problemType": problem_type, "kwargs": kwargs, "expected": plain(result)})
    # Windows: the project averages the logits of the windows, then applies HF's postprocess.
    windows = [[0.5, 1.5, -1.0], [2.5, -0.5, 0.0], [0.0, 0.25, 0.75]]
    mean = np.mean(np.array([f32(w) for w in windows], dtype=np.float32), axis=0)
    cases.append({"name": "windows-averaged", "windows": [f32(w) for w in windows], "labels": three, "problemType": None,
                  "kwargs": {"top_k": None}, "expected": plain(text_classification_call(mean, three, None, top_k=None))})
    return cases


def fill_mask_cases():
    rng = np.random.RandomState(3)
    cases = []
    sentence = [CLS] + [TOKEN_ID[t] for t in "Paris is in".split()] + [MASK, TOKEN_ID["."], SEP, PAD, PAD]
    logits = rng.normal(0.0, 2.0, size=(len(sentence), len(VOCAB)))
    logits[4, TOKEN_ID["France"]] += 6
    logits[4, TOKEN_ID["Paris"]] += 4
    two_masks = [CLS, MASK, TOKEN_ID["is"], TOKEN_ID["in"], MASK, SEP]
    logits2 = rng.normal(0.0, 2.0, size=(len(two_masks), len(VOCAB)))
    targets = np.array([TOKEN_ID["France"], TOKEN_ID["Mexico"], TOKEN_ID["Brooklyn"]])
    for name, ids, lg, kwargs in [
        ("single-mask", sentence, logits, {}),
        ("single-mask-top2", sentence, logits, {"top_k": 2}),
        ("targets", sentence, logits, {"target_ids": targets}),
        ("targets-top2", sentence, logits, {"target_ids": targets, "top_k": 2}),
        ("two-masks", two_masks, logits2, {"top_k": 3}),
    ]:
        key = f"fill-mask/{len(ids)}"
        INPUTS[key] = f32(lg)
        expected = fill_mask_postprocess(ids, np.array(INPUTS[key]).reshape(len(ids), -1), MASK, PAD, decode, **kwargs)
        stored = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        cases.append({"name": name, "inputIds": ids, "logits": key, "kwargs": stored, "expected": plain(expected)})
    return cases


def softmax_cases():
    rows = [f32(x) for x in ([2.5, -1.0], [-3.0, 4.0], [0.1, 0.4, -0.2, 1.3])]
    return [{"logits": row, "expected": plain(softmax(np.array(row, dtype=np.float32)).tolist())} for row in rows]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/tasks/pipeline_postprocess.json"
    data = {
        "generatedBy": "scripts/reference/pipeline_postprocess_refs.py",
        "vocab": VOCAB,
        "tokenClassification": ner_cases(),
        "questionAnswering": qa_cases(),
        "textClassification": text_classification_cases(),
        "fillMask": fill_mask_cases(),
        "softmax": softmax_cases(),
    }
    data["inputs"] = INPUTS
    with open(out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out}: " + ", ".join(f"{k} {len(v)}" for k, v in data.items() if isinstance(v, list)))


if __name__ == "__main__":
    main()
