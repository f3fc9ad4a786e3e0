import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { CharNormalizer } from '../../../src/core/runtime/tokenizer/bertNormalizer';
import { loadBertTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerFiles';
import { fixtureFolder, SAMPLE_TEXT } from './fixtureSpecs';
import {
  checkOffsetInvariants,
  checkOffsetsCoverTokens,
  hfFromFolder,
  hfFromSpec,
  hfNormalize,
  mulberry32,
  randomCodePoint,
  randomText,
} from './helpers';

// Equality with the reference implementation, transformers.js, over the committed fixture
// tokenizers (WordPiece vocabularies trained on sample.txt, cased and uncased).

const CURATED = [
  '',
  ' ',
  '   \t\n  ',
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'unbelievable tokenization of neighbouring researchers',
  'Café naïve résumé façade jalapeño Zürich Crème Brûlée',
  'Cafe\u0301 e\u0301te\u0301 n\u0303o decomposed accents',
  'ÅNGSTRÖM Å K İstanbul İİ ß ẞ straße STRASSE',
  'Ελληνικά γράμματα: άλφα, βήτα. Η θάλασσα.',
  'Москва — столица России. Привет!',
  '中文句子：我们今天去北京大学参观。天气很好',
  '日本語の文章：東京は日本の首都です。ひらがな カタカナ',
  '서울은 대한민국의 수도입니다. 안녕하세요!',
  '豈 更 車 compatibility ideographs',
  'Emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 heart ❤️ keycap 1️⃣',
  'https://example.com/docs?page=2&lang=en info@example.org',
  'Numbers: 3.14159, 1,000,000, 42, 2023-11-25, v1.2.3, 10:30 a.m., $12.50, €11,90, 91.2%',
  'Windows\r\nline\r\nendings\r\n',
  'tabs\tand\u000bvertical\u000cfeeds',
  'control\u0000chars\u0001inside\u007fwords\u200bzero\u200cwidth\u00adsoft\ufeffbom',
  'replacement \ufffd char and private \ue000 use',
  'no\u00a0break\u2003em\u3000ideographic\u2028line\u2029para\u0085nel',
  'combining: a\u0301\u0302\u0303 x\u20dd q\u0489',
  'supercalifragilisticexpialidocious'.repeat(4),
  'a'.repeat(100) + ' ' + 'a'.repeat(101),
  '😀'.repeat(60) + ' ' + '😀'.repeat(101),
  'The model predicts the [MASK] token; [CLS] and [SEP] mark it. [MASK][MASK]x[UNK]y [mask] [ MASK ]',
  '[PAD][PAD] padded [PAD]',
  "He said: \"I'm not sure we've seen the end of it.\" 'You're right, they'll be back.'",
  '¿Dónde está la biblioteca? ¡Qué día! «guillemets» „quotes“ — dash – en… ellipsis',
  '∑ x² + y² ≤ z³ → ← ± × ÷ © ® ™ ° µ',
  'ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ！？',
  SAMPLE_TEXT,
];

// An empty second text is a divergence of transformers.js (it drops the pair): see divergence tests.
const PAIRS: Array<[string, string]> = [
  ['What is the capital of France?', 'Paris is the capital and most populous city of France.'],
  ['', 'context only'],
  ['Où est la gare ?', 'La gare est près de l\'hôtel, à côté du café.'],
  ['[MASK] here?', '中文 and 😀 there [SEP]'],
];

describe.each(['cased', 'uncased'] as const)('BertTokenizer (%s) equals transformers.js', (kind) => {
  const folder = fixtureFolder(kind);
  const hf = hfFromFolder(folder);
  const oursPromise = loadBertTokenizer(folder);

  it('encodes curated texts to the same ids and tokens', async () => {
    const ours = await oursPromise;
    for (const text of CURATED) {
      expect(ours.encode(text).ids, JSON.stringify(text)).toEqual(hf.encode(text));
      expect(ours.encode(text, { addSpecialTokens: false }).ids).toEqual(hf.encode(text, { add_special_tokens: false }));
      expect(ours.tokenize(text)).toEqual(hf.tokenize(text));
    }
  });

  it('encodes each line of sample.txt identically', async () => {
    const ours = await oursPromise;
    for (const line of SAMPLE_TEXT.split('\n')) expect(ours.encode(line).ids, line).toEqual(hf.encode(line));
  });

  it('encodes pairs to the same ids and token type ids', async () => {
    const ours = await oursPromise;
    for (const [a, b] of PAIRS) {
      const reference = hf(a, { text_pair: b, return_tensor: false });
      const encoding = ours.encodePair(a, b);
      expect(encoding.ids).toEqual(reference.input_ids);
      expect(encoding.typeIds).toEqual(reference.token_type_ids);
      expect(ours.encodePair(a, b, { addSpecialTokens: false }).ids).toEqual(hf.encode(a, { text_pair: b, add_special_tokens: false }));
    }
  });

  it('decodes to the same strings', async () => {
    const ours = await oursPromise;
    for (const text of CURATED.filter((t) => t.trim().length > 0)) {
      const ids = ours.encode(text).ids;
      expect(ours.decode(ids)).toBe(hf.decode(ids));
      expect(ours.decode(ids, { skipSpecialTokens: true })).toBe(hf.decode(ids, { skip_special_tokens: true }));
      expect(ours.decode(ids, { cleanUpTokenizationSpaces: false })).toBe(hf.decode(ids, { clean_up_tokenization_spaces: false }));
    }
  });

  it('gives offsets whose slices are the tokens', async () => {
    const ours = await oursPromise;
    for (const text of CURATED) {
      const encoding = ours.encode(text);
      expect(checkOffsetInvariants(text, encoding), JSON.stringify(text)).toBeNull();
      expect(checkOffsetsCoverTokens(text, encoding, (s) => hfNormalize(hf, s)), JSON.stringify(text)).toBeNull();
    }
  });

  it('has the same special token ids and vocabulary', async () => {
    const ours = await oursPromise;
    expect(ours.clsTokenId).toBe(hf.convert_tokens_to_ids('[CLS]'));
    expect(ours.sepTokenId).toBe(hf.sep_token_id);
    expect(ours.padTokenId).toBe(hf.pad_token_id);
    expect(ours.maskTokenId).toBe(hf.mask_token_id);
    expect(ours.unkTokenId).toBe(hf.unk_token_id);
    expect(ours.modelMaxLength).toBe(hf.model_max_length);
    const vocab = hf.get_vocab();
    expect(ours.vocabSize).toBe(vocab.size);
    for (const [token, id] of vocab) {
      expect(ours.tokenToId(token)).toBe(id);
      expect(ours.idToToken(id)).toBe(token);
    }
  });
});

describe.each(['cased', 'uncased'] as const)('random Unicode texts (%s)', (kind) => {
  // The fixture vocabulary plus every character of a random sample (raw and normalized, with ##
  // forms), so that random words split into real pieces instead of all becoming [UNK].
  const lowercase = kind === 'uncased';
  const normalizer = new CharNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: null, lowercase });
  const rng = mulberry32(kind === 'cased' ? 1234 : 5678);
  const extra = new Set<string>();
  for (let k = 0; k < 3000; k++) {
    const ch = String.fromCodePoint(randomCodePoint(rng));
    for (const form of [ch, normalizer.normalize(ch).trim()]) {
      if (form.length === 0 || /\s/.test(form)) continue;
      extra.add(form);
      extra.add(`##${form}`);
    }
  }
  it('encode to the same ids as transformers.js, with valid offsets', async () => {
    const fixture = await loadBertTokenizer(fixtureFolder(kind));
    const tokens: string[] = [];
    for (let id = 0; id < fixture.vocabSize; id++) tokens.push(fixture.idToToken(id)!);
    for (const token of extra) if (fixture.tokenToId(token) === undefined) tokens.push(token);
    const ours = BertTokenizer.fromVocab(tokens, { lowercase });
    const hf = hfFromSpec(ours);
    const textRng = mulberry32(kind === 'cased' ? 42 : 43);
    let multiPieceWords = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const text = randomText(textRng, 80);
      const encoding = ours.encode(text);
      expect(encoding.ids, JSON.stringify(text)).toEqual(hf.encode(text));
      expect(checkOffsetInvariants(text, encoding), JSON.stringify(text)).toBeNull();
      expect(checkOffsetsCoverTokens(text, encoding, (s) => hfNormalize(hf, s)), JSON.stringify(text)).toBeNull();
      for (let k = 1; k < encoding.ids.length; k++) {
        if (encoding.wordIds[k] !== null && encoding.wordIds[k] === encoding.wordIds[k - 1]) multiPieceWords++;
      }
    }
    // The test only means something if words really split into several pieces.
    expect(multiPieceWords).toBeGreaterThan(500);
  });
});

describe('non-default BertNormalizer settings equal transformers.js', () => {
  // With clean_text off, whitespace is what the pre-tokenizer says: Rust uses White_Space, which
  // includes U+0085 and excludes U+FEFF, while transformers.js uses JS \s (the reverse). Texts with
  // those two characters are left out here.
  const texts = CURATED.filter((text) => !/[\u0085\ufeff]/.test(text));
  const settings = [
    { cleanText: false, handleChineseChars: true, stripAccents: null, lowercase: true },
    { cleanText: true, handleChineseChars: false, stripAccents: null, lowercase: true },
    { cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: false },
    { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true },
    { cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false },
  ];

  it.each(settings)('%o', async (normalizer) => {
    const fixture = await loadBertTokenizer(fixtureFolder(normalizer.lowercase ? 'uncased' : 'cased'));
    const ours = new BertTokenizer({ ...fixture.spec, normalizer });
    const hf = hfFromSpec(ours);
    for (const text of texts) {
      const encoding = ours.encode(text);
      expect(encoding.ids, JSON.stringify(text)).toEqual(hf.encode(text));
      expect(checkOffsetInvariants(text, encoding), JSON.stringify(text)).toBeNull();
      expect(checkOffsetsCoverTokens(text, encoding, (s) => hfNormalize(hf, s)), JSON.stringify(text)).toBeNull();
    }
  });
});
