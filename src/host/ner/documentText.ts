/** What kind of text a document holds, before any model sees it. */
export type TextKind = 'text' | 'blank' | 'binary';

/** Characters sampled at the start of a document: enough to recognise binary content, cheap on 5 MB. */
const SAMPLE_CHARS = 65_536;

/**
 * A binary file opened anyway in VS Code arrives as text with NUL characters (or, decoded as UTF-8,
 * full of U+FFFD replacement characters and control codes). Such text gives the model nothing to
 * work with; the user gets a clear message instead of noise.
 */
export function classifyText(text: string): TextKind {
  if (text.trim() === '') return 'blank';
  const sample = text.slice(0, SAMPLE_CHARS);
  if (sample.includes('\u0000')) return 'binary';
  let suspicious = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    // C0 controls other than tab, LF, VT, FF, CR; DEL; the replacement character.
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0x7f || code === 0xfffd) suspicious++;
  }
  return suspicious > sample.length * 0.1 ? 'binary' : 'text';
}
