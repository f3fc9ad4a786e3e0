/** The tokenizer files of a model folder, in the order transformers prefers them. */
export const TOKENIZER_FILES = {
  tokenizerJson: 'tokenizer.json',
  vocabTxt: 'vocab.txt',
  vocabJson: 'vocab.json',
  merges: 'merges.txt',
  /** SentencePiece models: XLM-R / CamemBERT, DeBERTa-v2/v3, ALBERT / T5, generic. */
  sentencePiece: ['sentencepiece.bpe.model', 'spm.model', 'spiece.model', 'sentencepiece.model'],
  tokenizerConfig: 'tokenizer_config.json',
  specialTokensMap: 'special_tokens_map.json',
  /** The slow tokenizers' save_pretrained writes the tokens added to the vocabulary here. */
  addedTokens: 'added_tokens.json',
} as const;

/** Every file name a folder's tokenizer may be read from (hub downloads ask for these). */
export const ALL_TOKENIZER_FILE_NAMES: readonly string[] = [
  TOKENIZER_FILES.tokenizerJson,
  TOKENIZER_FILES.vocabTxt,
  TOKENIZER_FILES.vocabJson,
  TOKENIZER_FILES.merges,
  ...TOKENIZER_FILES.sentencePiece,
  TOKENIZER_FILES.tokenizerConfig,
  TOKENIZER_FILES.specialTokensMap,
];

/**
 * Every file that makes up a folder's tokenizer, whatever its type: what a saved or fine-tuned folder
 * copies from the folder it came from (byte for byte: SentencePiece models are binary), so that it
 * tokenizes exactly as its source did.
 */
export const TOKENIZER_FOLDER_FILES: readonly string[] = [...ALL_TOKENIZER_FILE_NAMES, TOKENIZER_FILES.addedTokens];
