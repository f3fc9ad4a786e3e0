/**
 * How a raw vocabulary piece tells whether it begins a word in decoded text. Each tokenizer type marks
 * a different side: WordPiece marks the pieces that continue a word ("##ing"); byte-level BPE and
 * SentencePiece (Metaspace) mark the pieces that begin one ("Ġparis", "▁paris"), the space before
 * the word folded into the piece. A decoded piece alone (HF's `token_str`) loses the difference for
 * SentencePiece ("▁Paris" and "Paris" both decode to "Paris"), so it is read from the piece itself.
 */
export type WordBoundary =
  /** WordPiece: a piece that starts with `prefix` (and is longer than it) continues the word before it. */
  | { marks: 'continuation'; prefix: string }
  /** Byte-level BPE ("Ġ", the byte of a space) and Metaspace ("▁"): a piece starting with `prefix` begins a word. */
  | { marks: 'wordStart'; prefix: string }
  /** No marker known (e.g. a BPE without a space-folding pre-tokenizer): every piece counts as a word. */
  | { marks: 'none' };

/** The byte-level alphabet's spelling of the space byte (GPT-2 `bytes_to_unicode()[0x20]`). */
const BYTE_LEVEL_SPACE = '\u0120';

/** Whether `piece` begins a word under `boundary`; special and added tokens always do. */
export function pieceStartsWord(boundary: WordBoundary, piece: string): boolean {
  if (boundary.marks !== 'none' && boundary.prefix.length === 0) return true;
  if (boundary.marks === 'continuation') return !(piece.startsWith(boundary.prefix) && piece.length > boundary.prefix.length);
  if (boundary.marks === 'wordStart') return piece.startsWith(boundary.prefix);
  return true;
}

/**
 * A tokenizer.json's word boundary, read from its decoder (the component that turns the markers back
 * into spaces), else its pre-tokenizer; Sequence components are searched in order.
 */
export function wordBoundaryOf(root: Record<string, unknown>, continuingSubwordPrefix: string | null): WordBoundary {
  return componentBoundary(root.decoder) ?? componentBoundary(root.pre_tokenizer) ?? (continuingSubwordPrefix ? { marks: 'continuation', prefix: continuingSubwordPrefix } : { marks: 'none' });
}

function componentBoundary(component: unknown): WordBoundary | undefined {
  if (component === null || typeof component !== 'object') return undefined;
  const c = component as Record<string, unknown>;
  switch (c.type) {
    case 'WordPiece':
      return { marks: 'continuation', prefix: typeof c.prefix === 'string' ? c.prefix : '##' };
    case 'ByteLevel':
      return { marks: 'wordStart', prefix: BYTE_LEVEL_SPACE };
    case 'Metaspace':
      return { marks: 'wordStart', prefix: typeof c.replacement === 'string' ? c.replacement : '▁' };
    case 'Replace': {
      // SentencePiece BPE decoders (Llama-style): Replace("▁", " ") puts the word-start marker back.
      const pattern = c.pattern as Record<string, unknown> | undefined;
      return typeof pattern?.String === 'string' && c.content === ' ' && pattern.String !== ' ' ? { marks: 'wordStart', prefix: pattern.String } : undefined;
    }
    case 'Sequence': {
      const parts = Array.isArray(c.decoders) ? c.decoders : Array.isArray(c.pretokenizers) ? c.pretokenizers : [];
      for (const part of parts) {
        const found = componentBoundary(part);
        if (found) return found;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
