/**
 * Entity spans without whitespace at their ends. Some tokenizers' offsets cover the space a token
 * stands for: SentencePiece as transformers' current SpmConverter writes it ("▁Paris" covers
 * " Paris"), a byte-level BPE with trim_offsets false. HF's pipeline then reports " Paris", which in an
 * editor is a decoration starting on the space; a lone "▁" token labelled as an entity would be a
 * decoration of nothing but a space. Such spans are narrowed to their text, and dropped when no text
 * is left. Offsets that never cover whitespace (WordPiece, RoBERTa's trimmed byte-level BPE) are
 * returned as they are.
 */
export function withoutSurroundingWhitespace<T extends { start: number; end: number }>(text: string, entities: readonly T[]): T[] {
  const out: T[] = [];
  for (const entity of entities) {
    let { start, end } = entity;
    while (start < end && isWhitespace(text.charCodeAt(start))) start++;
    while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
    if (start === end && entity.end > entity.start) continue;
    out.push(start === entity.start && end === entity.end ? entity : { ...entity, start, end });
  }
  return out;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff || code === 0x85;
}
