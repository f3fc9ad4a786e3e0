/**
 * Overflow windows with HF semantics, as found in the Rust `tokenizers` crate (what a fast
 * tokenizer called with `truncation=..., max_length=M, stride=S, return_overflowing_tokens=True`
 * runs):
 *
 * - `TokenizerImpl::post_process` first lowers the budget by the number of special tokens the
 *   post-processor adds (2 for `[CLS] A [SEP]`, 3 for `[CLS] A [SEP] B [SEP]`).
 * - `truncate_encodings` (utils/truncation.rs): `to_remove = len(A) + len(B) - budget`; with
 *   `only_second` the target is B and it must keep at least one token (`len(B) > to_remove`, else
 *   "Sequence to truncate too short to respect the provided max_length"); B is truncated to
 *   `len(B) - to_remove`. A single sequence (longest_first) is truncated to `budget`.
 * - `Encoding::truncate(max_len, stride, Right)` (tokenizer/encoding.rs): requires
 *   `stride < max_len`; windows start at 0, max_len - stride, 2 (max_len - stride), ... and each is
 *   `[start, min(start + max_len, len))`; the first window that reaches the end is the last one. So
 *   consecutive windows share exactly `stride` tokens (the last may share more, being shorter).
 * - Every window then gets the special tokens again; for a pair, sequence A is repeated whole in
 *   each window (`Encoding::merge_with` of A with every overflowing part of B).
 */
export function strideRanges(length: number, maxLength: number, stride: number): Array<[number, number]> {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`a window must hold at least one token besides the special tokens (got ${maxLength})`);
  }
  if (!Number.isInteger(stride) || stride < 0) throw new RangeError(`stride must be a non-negative integer (got ${stride})`);
  if (maxLength >= length) return [[0, length]];
  if (stride >= maxLength) {
    throw new RangeError(
      `stride ${stride} must be strictly less than the number of tokens per window (${maxLength}, after the special tokens)`,
    );
  }
  const step = maxLength - stride;
  const ranges: Array<[number, number]> = [];
  for (let start = 0; start < length; start += step) {
    const stop = Math.min(start + maxLength, length);
    ranges.push([start, stop]);
    if (stop === length) break;
  }
  return ranges;
}
