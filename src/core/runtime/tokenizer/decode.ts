import type { DecoderSpec } from './tokenizerSpec';

/** Rust `decoders::wordpiece::cleanup`, applied to each token (" do not" cannot match one token). */
function cleanupToken(token: string): string {
  return token
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** transformers `PreTrainedTokenizerBase.clean_up_tokenization`. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** HF WordPiece decoder: `##` pieces glue to the previous token, other tokens get a space. */
export function decodeWordPieces(tokens: readonly string[], decoder: DecoderSpec | null): string {
  if (decoder === null) return tokens.join(' ');
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i]!;
    if (i > 0) {
      token = token.startsWith(decoder.prefix) ? token.slice(decoder.prefix.length) : ` ${token}`;
    }
    out += decoder.cleanup ? cleanupToken(token) : token;
  }
  return out;
}
