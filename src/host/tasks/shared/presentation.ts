/** Text from a document or a model, shown on one line: line breaks become spaces, long text is cut. */
export function oneLine(text: string, maxChars = 80): string {
  const flat = text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}

/**
 * A score as the user reads it: three decimals. Not a percentage — a QA score can exceed 1 (HF adds
 * up the scores of the same answer found in several windows) and a regression value is no probability.
 */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return String(score);
  return score.toFixed(3);
}

/** A ten-cell bar for a probability in [0, 1]; empty for other values (raw scores, summed QA scores). */
export function scoreBar(score: number): string {
  if (!(score >= 0 && score <= 1)) return '';
  const filled = Math.round(score * 10);
  return '█'.repeat(filled) + '░'.repeat(10 - filled);
}

/** 1-based line number of a UTF-16 offset (what the editor shows), counting \n, \r\n and lone \r. */
export function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) line++;
    else if (code === 13 && text.charCodeAt(i + 1) !== 10) line++;
  }
  return line;
}
