import type { FillMaskPrediction } from '../../../core/tasks/fillMask/postprocess';
import type { MaskFill } from '../../../core/tasks/fillMask/maskFill';
import { formatScore, scoreBar } from '../shared/presentation';

/** Where fill-mask looks: the selection when there is one, else the line of the cursor (document offsets). */
export function fillMaskTarget(text: string, selection: { start: number; end: number }, cursor: number): { offset: number; text: string } {
  const start = Math.min(selection.start, selection.end);
  const end = Math.max(selection.start, selection.end);
  if (end > start) return { offset: start, text: text.slice(start, end) };
  let lineStart = cursor;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
  let lineEnd = cursor;
  while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
  return { offset: lineStart, text: text.slice(lineStart, lineEnd) };
}

export interface TextReplacement {
  start: number;
  end: number;
  text: string;
}

/**
 * The edit that puts a prediction in place of its mask. A token that begins a word takes the mask's
 * place, the document's spacing around it kept (a byte-level BPE's folded space is not doubled). A
 * token that continues a word ("##ing" in WordPiece, "ing" without "Ġ"/"▁" in BPE and SentencePiece)
 * joins the word before the mask, as the tokenizer's decoder does in HF's `sequence` ("play [MASK]"
 * with "##ing" reads "playing"): the spaces between that word and the mask go.
 */
export function maskReplacement(documentText: string, mask: { start: number; end: number }, fill: MaskFill): TextReplacement {
  if (fill.startsWord) return { start: mask.start, end: mask.end, text: fill.text };
  let start = mask.start;
  while (start > 0 && (documentText[start - 1] === ' ' || documentText[start - 1] === '\t')) start--;
  // Only a continuation of a word: at a line start (or after nothing) the spaces stay.
  if (start === 0 || /\s/.test(documentText[start - 1]!)) start = mask.start;
  return { start, end: mask.end, text: fill.text };
}

export interface FillMaskPickItem {
  label: string;
  description: string;
  detail?: string;
  /** Which mask (index into the job's masks) and which prediction of it. */
  mask: number;
  prediction: number;
  /** Separator rows (one per mask when there are several) have no mask. */
  separator?: true;
}

/** Quick-pick rows: the candidates of each mask with their scores and the sentence they make; a separator per mask when there are several. */
export function fillMaskPickItems(predictions: readonly FillMaskPrediction[][], maskToken: string): FillMaskPickItem[] {
  const items: FillMaskPickItem[] = [];
  predictions.forEach((candidates, mask) => {
    if (predictions.length > 1) items.push({ label: `${maskToken} ${mask + 1} of ${predictions.length}`, description: '', mask, prediction: -1, separator: true });
    candidates.forEach((candidate, prediction) => {
      items.push({
        label: candidate.token_str,
        description: `${formatScore(candidate.score)}  ${scoreBar(candidate.score)}`,
        detail: candidate.sequence,
        mask,
        prediction,
      });
    });
  });
  return items;
}
