"""Ports of the Hugging Face transformers pipeline postprocessing, for reference fixtures.

Ported from transformers/pipelines (v4.4x; question_answering.py as in v4.53):
  token_classification.py  postprocess, gather_pre_entities, aggregate, aggregate_word, aggregate_words,
                           group_sub_entities, get_tag, group_entities, aggregate_overlapping_entities
  question_answering.py    decode_spans, select_starts_ends, postprocess, get_answer, get_indices
  text_classification.py   sigmoid, softmax, postprocess (+ the __call__ wrapping of the legacy result)
  fill_mask.py             postprocess
The code keeps HF's structure and numpy dtype (float32 logits, as the PyTorch models return them) so that
it is an independent check of src/core/tasks, which is written differently (typed arrays, no outer product).
Tokenizer calls are replaced by the small functions passed in (the same stand-ins the TypeScript tests use).
"""

import numpy as np


# --------------------------------------------------------------------------------------------------------
# token_classification.py


def get_tag(entity_name):
    if entity_name.startswith("B-"):
        return "B", entity_name[2:]
    if entity_name.startswith("I-"):
        return "I", entity_name[2:]
    return "I", entity_name


class TokenClassificationPort:
    def __init__(self, id2label, convert_tokens_to_string, unk_token_id, continuing_subword_prefix):
        self.id2label = id2label
        self.convert_tokens_to_string = convert_tokens_to_string
        self.unk_token_id = unk_token_id
        self.continuing_subword_prefix = continuing_subword_prefix

    def postprocess(self, windows, sentence, aggregation_strategy="none", ignore_labels=None, dtype=np.float32):
        if ignore_labels is None:
            ignore_labels = ["O"]
        all_entities = []
        num_labels = len(self.id2label)
        for window in windows:
            enc = window["encoding"]
            logits = np.array(window["logits"], dtype=dtype).reshape(-1, num_labels)
            maxes = np.max(logits, axis=-1, keepdims=True)
            shifted_exp = np.exp(logits - maxes)
            scores = shifted_exp / shifted_exp.sum(axis=-1, keepdims=True)
            pre_entities = self.gather_pre_entities(sentence, enc, scores, aggregation_strategy)
            grouped_entities = self.aggregate(pre_entities, aggregation_strategy)
            entities = [
                entity
                for entity in grouped_entities
                if entity.get("entity", None) not in ignore_labels
                and entity.get("entity_group", None) not in ignore_labels
            ]
            all_entities.extend(entities)
        # HF refuses stride with "none"; the project applies the same overlap rule to it (documented).
        if len(windows) > 1:
            all_entities = self.aggregate_overlapping_entities(all_entities)
        return all_entities

    def aggregate_overlapping_entities(self, entities):
        if len(entities) == 0:
            return entities
        entities = sorted(entities, key=lambda x: x["start"])
        aggregated_entities = []
        previous_entity = entities[0]
        for entity in entities:
            if previous_entity["start"] <= entity["start"] < previous_entity["end"]:
                current_length = entity["end"] - entity["start"]
                previous_length = previous_entity["end"] - previous_entity["start"]
                if (
                    current_length > previous_length
                    or current_length == previous_length
                    and entity["score"] > previous_entity["score"]
                ):
                    previous_entity = entity
            else:
                aggregated_entities.append(previous_entity)
                previous_entity = entity
        aggregated_entities.append(previous_entity)
        return aggregated_entities

    def gather_pre_entities(self, sentence, enc, scores, aggregation_strategy):
        pre_entities = []
        for idx in range(len(enc["ids"])):
            token_scores = scores[idx]
            if enc["specialTokensMask"][idx]:
                continue
            word = enc["tokens"][idx]
            start_ind, end_ind = enc["offsets"][idx]
            word_ref = sentence[start_ind:end_ind]
            if self.continuing_subword_prefix:
                is_subword = len(word) != len(word_ref)
            else:
                is_subword = start_ind > 0 and " " not in sentence[start_ind - 1 : start_ind + 1]
            if self.unk_token_id is not None and int(enc["ids"][idx]) == self.unk_token_id:
                word = word_ref
                is_subword = False
            pre_entities.append(
                {"word": word, "scores": token_scores, "start": start_ind, "end": end_ind, "index": idx, "is_subword": is_subword}
            )
        return pre_entities

    def aggregate(self, pre_entities, aggregation_strategy):
        if aggregation_strategy in {"none", "simple"}:
            entities = []
            for pre_entity in pre_entities:
                entity_idx = pre_entity["scores"].argmax()
                score = pre_entity["scores"][entity_idx]
                entities.append(
                    {
                        "entity": self.id2label[entity_idx],
                        "score": score,
                        "index": pre_entity["index"],
                        "word": pre_entity["word"],
                        "start": pre_entity["start"],
                        "end": pre_entity["end"],
                    }
                )
        else:
            entities = self.aggregate_words(pre_entities, aggregation_strategy)
        if aggregation_strategy == "none":
            return entities
        return self.group_entities(entities)

    def aggregate_word(self, entities, aggregation_strategy):
        word = self.convert_tokens_to_string([entity["word"] for entity in entities])
        if aggregation_strategy == "first":
            scores = entities[0]["scores"]
            idx = scores.argmax()
            score = scores[idx]
            entity = self.id2label[idx]
        elif aggregation_strategy == "max":
            max_entity = max(entities, key=lambda entity: entity["scores"].max())
            scores = max_entity["scores"]
            idx = scores.argmax()
            score = scores[idx]
            entity = self.id2label[idx]
        elif aggregation_strategy == "average":
            scores = np.stack([entity["scores"] for entity in entities])
            average_scores = np.nanmean(scores, axis=0)
            entity_idx = average_scores.argmax()
            entity = self.id2label[entity_idx]
            score = average_scores[entity_idx]
        else:
            raise ValueError("Invalid aggregation_strategy")
        return {"entity": entity, "score": score, "word": word, "start": entities[0]["start"], "end": entities[-1]["end"]}

    def aggregate_words(self, entities, aggregation_strategy):
        word_entities = []
        word_group = None
        for entity in entities:
            if word_group is None:
                word_group = [entity]
            elif entity["is_subword"]:
                word_group.append(entity)
            else:
                word_entities.append(self.aggregate_word(word_group, aggregation_strategy))
                word_group = [entity]
        if word_group is not None:
            word_entities.append(self.aggregate_word(word_group, aggregation_strategy))
        return word_entities

    def group_sub_entities(self, entities):
        entity = entities[0]["entity"].split("-", 1)[-1]
        scores = np.nanmean([entity["score"] for entity in entities])
        tokens = [entity["word"] for entity in entities]
        return {
            "entity_group": entity,
            "score": np.mean(scores),
            "word": self.convert_tokens_to_string(tokens),
            "start": entities[0]["start"],
            "end": entities[-1]["end"],
        }

    def group_entities(self, entities):
        entity_groups = []
        entity_group_disagg = []
        for entity in entities:
            if not entity_group_disagg:
                entity_group_disagg.append(entity)
                continue
            bi, tag = get_tag(entity["entity"])
            last_bi, last_tag = get_tag(entity_group_disagg[-1]["entity"])
            if tag == last_tag and bi != "B":
                entity_group_disagg.append(entity)
            else:
                entity_groups.append(self.group_sub_entities(entity_group_disagg))
                entity_group_disagg = [entity]
        if entity_group_disagg:
            entity_groups.append(self.group_sub_entities(entity_group_disagg))
        return entity_groups


# --------------------------------------------------------------------------------------------------------
# question_answering.py


def decode_spans(start, end, topk, max_answer_len, undesired_tokens):
    if start.ndim == 1:
        start = start[None]
    if end.ndim == 1:
        end = end[None]
    outer = np.matmul(np.expand_dims(start, -1), np.expand_dims(end, 1))
    candidates = np.tril(np.triu(outer), max_answer_len - 1)
    scores_flat = candidates.flatten()
    if topk == 1:
        idx_sort = [np.argmax(scores_flat)]
    elif len(scores_flat) < topk:
        idx_sort = np.argsort(-scores_flat)
    else:
        idx = np.argpartition(-scores_flat, topk)[0:topk]
        idx_sort = idx[np.argsort(-scores_flat[idx])]
    starts, ends = np.unravel_index(idx_sort, candidates.shape)[1:]
    desired_spans = np.isin(starts, undesired_tokens.nonzero()) & np.isin(ends, undesired_tokens.nonzero())
    starts = starts[desired_spans]
    ends = ends[desired_spans]
    scores = candidates[0, starts, ends]
    return starts, ends, scores


def select_starts_ends(start, end, p_mask, attention_mask, min_null_score=1000000, top_k=1, handle_impossible_answer=False, max_answer_len=15):
    undesired_tokens = np.abs(np.array(p_mask) - 1)
    if attention_mask is not None:
        undesired_tokens = undesired_tokens & attention_mask
    undesired_tokens_mask = undesired_tokens == 0.0
    start = np.where(undesired_tokens_mask, -10000.0, start)
    end = np.where(undesired_tokens_mask, -10000.0, end)
    start = np.exp(start - start.max(axis=-1, keepdims=True))
    start = start / start.sum()
    end = np.exp(end - end.max(axis=-1, keepdims=True))
    end = end / end.sum()
    if handle_impossible_answer:
        min_null_score = min(min_null_score, (start[0, 0] * end[0, 0]).item())
    start[0, 0] = end[0, 0] = 0.0
    starts, ends, scores = decode_spans(start, end, top_k, max_answer_len, undesired_tokens)
    return starts, ends, scores, min_null_score


def word_to_chars(enc, word, sequence_index):
    """tokenizers' Encoding::word_to_tokens then offsets, over the tokens of that sequence (Rust semantics)."""
    start = end = None
    for i, (w, s) in enumerate(zip(enc["wordIds"], enc["sequenceIds"])):
        if s != sequence_index:
            continue
        if w is not None and w > word:
            break
        if w == word:
            if start is None:
                start = i
            end = i + 1
    if start is None:
        raise ValueError("word not in sequence")
    return enc["offsets"][start][0], enc["offsets"][end - 1][1]


def get_indices(enc, s, e, sequence_index, align_to_words):
    if align_to_words:
        try:
            start_word = enc["wordIds"][s]
            end_word = enc["wordIds"][e]
            if start_word is None or end_word is None:
                raise ValueError("special token")
            start_index = word_to_chars(enc, start_word, sequence_index)[0]
            end_index = word_to_chars(enc, end_word, sequence_index)[1]
        except Exception:
            start_index = enc["offsets"][s][0]
            end_index = enc["offsets"][e][1]
    else:
        start_index = enc["offsets"][s][0]
        end_index = enc["offsets"][e][1]
    return start_index, end_index


def get_answer(answers, target):
    for answer in answers:
        if answer["answer"].lower() == target.lower():
            return answer
    return None


def qa_postprocess(windows, context, cls_token_id, top_k=1, handle_impossible_answer=False, max_answer_len=15, align_to_words=True):
    """Returns a list always (HF returns answers[0] alone when there is one)."""
    min_null_score = 1000000
    answers = []
    for window in windows:
        enc = window["encoding"]
        # preprocess: p_mask = sequence id != 1, with every [CLS] unmasked.
        p_mask = [[tok != 1 for tok in enc["sequenceIds"]]]
        for i, token_id in enumerate(enc["ids"]):
            if token_id == cls_token_id:
                p_mask[0][i] = 0
        p_mask = np.array(p_mask, dtype=np.int64)
        attention_mask = np.ones_like(p_mask)
        start_ = np.array([window["startLogits"]], dtype=np.float32)
        end_ = np.array([window["endLogits"]], dtype=np.float32)
        starts, ends, scores, min_null_score = select_starts_ends(
            start_, end_, p_mask, attention_mask, min_null_score, top_k, handle_impossible_answer, max_answer_len
        )
        for s, e, score in zip(starts, ends, scores):
            start_index, end_index = get_indices(enc, int(s), int(e), 1, align_to_words)
            target_answer = context[start_index:end_index]
            answer = get_answer(answers, target_answer)
            if answer:
                answer["score"] += score.item()
            else:
                answers.append({"score": score.item(), "start": start_index, "end": end_index, "answer": context[start_index:end_index]})
    if handle_impossible_answer:
        answers.append({"score": min_null_score, "start": 0, "end": 0, "answer": ""})
    answers = sorted(answers, key=lambda x: x["score"], reverse=True)[:top_k]
    return answers


# --------------------------------------------------------------------------------------------------------
# text_classification.py


def sigmoid(_outputs):
    return 1.0 / (1.0 + np.exp(-_outputs))


def softmax(_outputs):
    maxes = np.max(_outputs, axis=-1, keepdims=True)
    shifted_exp = np.exp(_outputs - maxes)
    return shifted_exp / shifted_exp.sum(axis=-1, keepdims=True)


def text_classification_call(logits, id2label, problem_type, top_k="", function_to_apply=None, return_all_scores=None):
    """_sanitize_parameters + postprocess + __call__'s wrapping for one string input; top_k="" = not passed."""
    postprocess_params = {}
    if isinstance(top_k, int) or top_k is None:
        postprocess_params["top_k"] = top_k
        postprocess_params["_legacy"] = False
    elif return_all_scores is not None:
        postprocess_params["top_k"] = None if return_all_scores else 1
    if function_to_apply is not None:
        postprocess_params["function_to_apply"] = function_to_apply
    result = text_classification_postprocess(np.array(logits, dtype=np.float32), id2label, problem_type, **postprocess_params)
    legacy = top_k == ""
    return [result] if legacy and isinstance(result, dict) else result


def text_classification_postprocess(outputs, id2label, problem_type, function_to_apply=None, top_k=1, _legacy=True):
    num_labels = len(id2label)
    if function_to_apply is None:
        if problem_type == "regression":
            function_to_apply = "none"
        elif problem_type == "multi_label_classification" or num_labels == 1:
            function_to_apply = "sigmoid"
        elif problem_type == "single_label_classification" or num_labels > 1:
            function_to_apply = "softmax"
        else:
            function_to_apply = "none"
    if function_to_apply == "sigmoid":
        scores = sigmoid(outputs)
    elif function_to_apply == "softmax":
        scores = softmax(outputs)
    elif function_to_apply == "none":
        scores = outputs
    else:
        raise ValueError(function_to_apply)
    if top_k == 1 and _legacy:
        return {"label": id2label[scores.argmax().item()], "score": scores.max().item()}
    dict_scores = [{"label": id2label[i], "score": score.item()} for i, score in enumerate(scores)]
    if not _legacy:
        dict_scores.sort(key=lambda x: x["score"], reverse=True)
        if top_k is not None:
            dict_scores = dict_scores[:top_k]
    return dict_scores


# --------------------------------------------------------------------------------------------------------
# fill_mask.py (torch ops replaced by numpy equivalents: softmax over the vocabulary, topk)


def fill_mask_postprocess(input_ids, logits, mask_token_id, pad_token_id, decode, top_k=5, target_ids=None):
    """Returns one row per mask (HF returns result[0] alone for a single mask)."""
    if target_ids is not None and target_ids.shape[0] < top_k:
        top_k = target_ids.shape[0]
    input_ids = np.array(input_ids)
    masked_index = np.nonzero(input_ids == mask_token_id)[0]
    rows = np.array(logits, dtype=np.float32)[masked_index, :]
    probs = softmax(rows)
    if target_ids is not None:
        probs = probs[..., target_ids]
    order = np.argsort(-probs, axis=-1, kind="stable")[:, :top_k]
    values = np.take_along_axis(probs, order, axis=-1)
    predictions = order
    result = []
    single_mask = values.shape[0] == 1
    for i, (_values, _predictions) in enumerate(zip(values.tolist(), predictions.tolist())):
        row = []
        for v, p in zip(_values, _predictions):
            tokens = input_ids.copy()
            if target_ids is not None:
                p = target_ids[p].tolist()
            tokens[masked_index[i]] = p
            tokens = tokens[np.where(tokens != pad_token_id)]
            sequence = decode(tokens.tolist(), skip_special_tokens=single_mask)
            row.append({"score": v, "token": p, "token_str": decode([p]), "sequence": sequence})
        result.append(row)
    return result
