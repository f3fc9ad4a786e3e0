import type { Tokenizer } from '../../runtime/tokenizer/tokenizer';
import type { FillMaskPrediction } from './postprocess';

/**
 * What goes in place of a mask in the user's text for one prediction: whether the token begins a new
 * word (the document's own spacing around the mask stays) or continues the word before the mask (the
 * editor joins them, as the tokenizer's decoder does in HF's `sequence`), and the token's text
 * without its word marker. HF's `token_str` stays untouched in the prediction: it is the decoded
 * token, which keeps a byte-level BPE's leading space (" Paris") and a WordPiece "##" ("##ing"), and
 * which for SentencePiece cannot tell "▁Paris" from "Paris"; the flag comes from the raw piece.
 */
export interface MaskFill {
  startsWord: boolean;
  text: string;
}

export function maskFill(tokenizer: Pick<Tokenizer, 'startsWord' | 'continuingSubwordPrefix'>, prediction: Pick<FillMaskPrediction, 'token' | 'token_str'>): MaskFill {
  const startsWord = tokenizer.startsWord(prediction.token);
  const prefix = tokenizer.continuingSubwordPrefix;
  let text = prediction.token_str;
  // The space a byte-level BPE folds into a word's first piece is the one already before the mask.
  if (startsWord) text = text.replace(/^[ \t]+/, '');
  else if (prefix && text.startsWith(prefix)) text = text.slice(prefix.length);
  return { startsWord, text };
}
