import { promises as fs, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import { headFromArchitecture } from '../../../src/core/bert/heads';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { inspectModelFolder, loadSafetensorsWeights } from '../../../src/core/runtime/modelFolder';
import { tensor } from '../../../src/core/runtime/ort';
import { readSafetensors, writeSafetensors } from '../../../src/core/runtime/safetensors';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';
import type { Tokenizer } from '../../../src/core/runtime/tokenizer/tokenizer';
import { packSegments } from '../../../src/core/tasks/shared/packing';
import { segments } from '../../../src/core/tasks/shared/segmentation';
import type { PackOptions } from '../../../src/core/tasks/shared/packing';
import { recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';
import { fillMask, loadTaskModel } from '../../../src/core/tasks/pipelines';
import type { JobContext } from '../../../src/worker/jobHandler';
import type { JobKinds, JobPayload, JobProgress, JobResult } from '../../../src/worker/jobKinds';
import { jobRegistry } from '../../../src/worker/jobs/index';
import { ModelCache } from '../../../src/worker/modelCache';
import { cli, scratch } from '../cli/harness';

// Hub-shaped RoBERTa (byte-level BPE tokenizer.json, <s> </s> <pad>=1 <mask>) and DistilBERT (WordPiece)
// folders, as a user brings them: config.json with model_type + architectures, model.safetensors,
// tokenizer.json, tokenizer_config.json, special_tokens_map.json; and ELECTRA folders shaped like
// google/electra-small-discriminator's fine-tunes (config.json with its field set, embedding_size ≠
// hidden_size; an uncased WordPiece vocab.txt and tokenizer_config.json only). Written by
// test/fixtures/family/generateHubFolders.ts (tokenizers, ids of the texts) and the PyTorch ports
// scripts/reference/{roberta,distilbert,electra}_torch.py hub-fixtures (seeded weights, float64 outputs for
// those ids). Tolerance 1e-4 absolute on logits and on probabilities computed from them.
const FAMILY = path.join(__dirname, '..', '..', 'fixtures', 'family');
const hub = (name: string): string => path.join(FAMILY, name);
const work = scratch('family-hub');
afterAll(() => fs.rm(work.dir, { recursive: true, force: true }));

const FOLDERS = [
  'roberta-hub-token-classification', 'roberta-hub-sequence-classification', 'roberta-hub-question-answering', 'roberta-hub-masked-lm',
  'xlm-roberta-hub-token-classification',
  'distilbert-hub-token-classification', 'distilbert-hub-sequence-classification', 'distilbert-hub-question-answering',
  'electra-hub-token-classification', 'electra-hub-sequence-classification', 'electra-hub-question-answering', 'electra-hub-masked-lm',
  // microsoft/deberta-v3-xsmall's config fields and spm.model layout ([PAD] [CLS] [SEP] [UNK] first), tokenizer_config.json as the hub's.
  'deberta-v3-hub-token-classification', 'deberta-v3-hub-sequence-classification', 'deberta-v3-hub-question-answering', 'deberta-v3-hub-masked-lm',
  // answerdotai/ModernBERT-base's config fields (mean pooling, window ±4 in rows of up to 40) and its tokenizer.json shape:
  // byte-level BPE with [CLS] [SEP] [PAD] [MASK] after the vocabulary, TemplateProcessing.
  'modernbert-hub-token-classification', 'modernbert-hub-sequence-classification', 'modernbert-hub-masked-lm', 'modernbert-hub-question-answering',
];

interface Texts { texts?: string[]; pairs?: Array<[string, string]>; document?: string; documentPacking?: PackOptions; documentRows?: number }
const json = <T>(dir: string, name: string): T => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;
const texts = (name: string): Texts => json<Texts>(hub(name), 'texts.json');
const reference = (name: string): Record<string, unknown> => json<{ outputs: Record<string, unknown> }>(hub(name), 'reference.json').outputs;
const inputs = (name: string): Record<string, number[][]> => json<Record<string, number[][]>>(hub(name), 'inputs.json');

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

function maxAbsDiff(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(Number(actual[i]) - expected[i]!));
  return max;
}

function softmax(row: readonly number[]): number[] {
  const top = Math.max(...row);
  const exps = row.map((x) => Math.exp(x - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((x) => x / sum);
}

const argmax = (row: readonly number[]): number => row.indexOf(Math.max(...row));

/** The unpadded ids of row r. */
function row(batch: Record<string, number[][]>, r: number): number[] {
  return batch.input_ids![r]!.filter((_, t) => batch.attention_mask![r]![t] === 1);
}

describe.each(FOLDERS)('%s loads as a user brings it and matches the PyTorch port', (name) => {
  it('loadModel builds its graph; its tokenizer gives the ids the port ran; outputs within 1e-4', async () => {
    const dir = hub(name);
    const config = parseBertConfig(json(dir, 'config.json'));
    const head = headFromArchitecture(config.architectures![0]!)!;
    const model = await loadModel(dir, { head });
    expect(model.graphSource).toBe('converted');
    const batch = inputs(name);
    const given = texts(name);
    const encodings = given.pairs
      ? given.pairs.map(([q, c]) => model.tokenizer.encodePair(q, c))
      : given.texts!.map((t) => model.tokenizer.encode(t));
    encodings.forEach((encoding, r) => expect(encoding.ids, `row ${r}`).toEqual(row(batch, r)));
    // DeBERTa-v3 folders: the ids sentencepiece itself gives the texts (written by deberta_v2_torch.py).
    const spmIds = json<{ sentencepiece_ids?: number[][] }>(dir, 'reference.json').sentencepiece_ids;
    if (spmIds) expect(encodings.map((e) => e.ids)).toEqual(spmIds);
    if (name.startsWith('deberta') && head !== 'masked-lm') expect(spmIds !== undefined || given.pairs !== undefined).toBe(true);

    const [rows, length] = [batch.input_ids!.length, batch.input_ids![0]!.length];
    // A converted token-classification graph takes packed rows (LoadedModel.packedRows): one example a
    // row here, so its position ids are 0, 1, … as forwardWindows feeds them.
    const positions = { position_ids: batch.input_ids!.map((ids) => ids.map((_, t) => t)) };
    expect(model.session.inputNames.includes('position_ids')).toBe(model.packedRows);
    const feeds = Object.fromEntries(
      Object.entries({ ...batch, ...positions }).filter(([k]) => model.session.inputNames.includes(k)).map(([k, v]) => [k, tensor('int64', BigInt64Array.from(flat(v).map(BigInt)), [rows, length])]),
    );
    expect(Object.keys(feeds).sort()).toEqual([...model.session.inputNames].sort());
    const outputs = await model.session.run(feeds);
    const expected = reference(name);
    if (head === 'masked-lm') {
      const positions = expected.mask_positions as Array<[number, number]>;
      expect(positions.length).toBe(rows);
      const logits = outputs.logits!;
      const vocab = logits.dims[2]!;
      positions.forEach(([b, t], i) => {
        const at = (b * length + t) * vocab;
        expect(maxAbsDiff((logits.data as Float32Array).subarray(at, at + vocab), (expected.mask_logits as number[][])[i]!)).toBeLessThan(1e-4);
      });
    } else {
      for (const output of model.session.outputNames) expect(maxAbsDiff(outputs[output]!.data as Float32Array, flat(expected[output]))).toBeLessThan(1e-4);
    }
    await model.session.release();
  });
});

interface TokenEntity { entity: string; score: number; index: number; word: string; start: number; end: number }
interface EntityGroup { entity_group: string; score: number; word: string; start: number; end: number }

async function ner(file: string, model: string, ...flags: string[]): Promise<unknown[]> {
  const result = await cli('ner', file, '--model', model, '--json', ...flags);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as unknown[];
}

describe.each(['roberta-hub-token-classification', 'xlm-roberta-hub-token-classification', 'distilbert-hub-token-classification',
  'electra-hub-token-classification', 'deberta-v3-hub-token-classification', 'modernbert-hub-token-classification'])('bert-lens ner on %s', (name) => {
  const dir = hub(name);
  const id2label = parseBertConfig(json(dir, 'config.json')).id2label;
  const logits = reference(name).logits as number[][][];
  const given = texts(name);
  // XLM-R's and DeBERTa-v3's folders share the committed SentencePiece fixture (no precompiled_charsmap).
  const sentencePiece = name.startsWith('xlm-roberta') || name.startsWith('deberta');
  let tokenizer: Tokenizer;

  /**
   * Every token entity against the port, row by row: the label of its argmax, its probability, and the
   * token's offsets as the tokenizer gives them, narrowed to the text they cover (a SentencePiece
   * "▁Paris" covers " Paris"; a lone "▁" only a space and is no entity).
   */
  function checkTokens(text: string, entities: TokenEntity[], rows: Array<{ row: number; encoding: Encoding }>): void {
    const expected: Array<Pick<TokenEntity, 'entity' | 'index' | 'start' | 'end'>> = [];
    const scores: number[] = [];
    for (const { row: r, encoding } of rows) {
      encoding.offsets.forEach(([s, e], t) => {
        if (encoding.specialTokensMask[t]) return;
        let [start, end] = [s, e];
        while (start < end && /\s/.test(text[start]!)) start++;
        while (end > start && /\s/.test(text[end - 1]!)) end--;
        if (start === end && e > s) return;
        expected.push({ entity: id2label[String(argmax(logits[r]![t]!))]!, index: t, start, end });
        scores.push(Math.max(...softmax(logits[r]![t]!)));
      });
    }
    expect(entities.map(({ entity, index, start, end }) => ({ entity, index, start, end }))).toEqual(expected);
    entities.forEach((e, i) => expect(Math.abs(e.score - scores[i]!)).toBeLessThan(1e-4));
    for (const e of entities) {
      const covered = text.slice(e.start, e.end);
      expect(covered).toBe(covered.trim());
      // The text under the offsets is the token without the space a byte-level BPE token carries ("ĠParis" → "Paris");
      // not so for SentencePiece, whose prepended "▁" shares the offsets of the next character (HF tokenizers #1018).
      // An uncased WordPiece (ELECTRA's, do_lower_case) gives the lower-cased token of the text it covers.
      const token = tokenizer.convertTokensToString([e.word]).replace(/^ /, '').replace(/^##/, '');
      if (name.startsWith('electra')) expect(covered.toLowerCase()).toBe(token);
      else if (!sentencePiece) expect(covered).toBe(token);
    }
  }

  it('labels every token as the port\'s argmax, with offsets that slice the text exactly (whole text and line segmentation)', async () => {
    tokenizer = await loadTokenizer(dir);
    for (const [r, text] of given.texts!.entries()) {
      const file = work.file(`${name}-${r}.txt`, text);
      for (const segmentation of ['none', 'line']) {
        const entities = (await ner(file, dir, '--aggregation', 'none', '--ignore-labels', '', '--segmentation', segmentation)) as TokenEntity[];
        checkTokens(text, entities, [{ row: r, encoding: tokenizer.encode(text) }]);
      }
    }
  });

  it('a document of several segments: each segment gets the tokens of the whole text (the space before it included) and the port\'s labels', async () => {
    tokenizer = await loadTokenizer(dir);
    const text = given.document!;
    const spans = [...segments(text, 'line')];
    expect(spans.length).toBe(given.documentRows);
    // HF tokenizes the whole text: a segment's tokens are the whole text's tokens inside it.
    const whole = tokenizer.encode(text);
    const windows = [...packSegments(tokenizer, text, spans, given.documentPacking!)];
    windows.forEach((window, k) => {
      const [start, end] = spans[k]!;
      // This SentencePiece fixture has no precompiled_charsmap (real XLM-R's maps a line break to a
      // space): after a line break the whole text spells the next word without "▁", a segment with it.
      if (sentencePiece && text[start - 1] === '\n') return;
      const inside = whole.ids.filter((_, t) => !whole.specialTokensMask[t] && whole.offsets[t]![1] > start && whole.offsets[t]![0] < end);
      expect(window.encoding.ids.filter((_, t) => !window.encoding.specialTokensMask[t]), `segment ${k}`).toEqual(inside);
      for (const [t, [s, e]] of window.encoding.offsets.entries()) if (!window.encoding.specialTokensMask[t]) expect(s >= start && e <= end).toBe(true);
    });
    if (name.startsWith('roberta')) {
      // What the bare segment would have given: "Then" as the first word of a text, not "ĠThe" "n" as after a space.
      const second = text.slice(spans[1]![0], spans[1]![1]);
      expect(tokenizer.encode(second).ids.slice(1, -1)).not.toEqual(windows[1]!.encoding.ids.slice(1, -1));
    }
    const file = work.file(`${name}-document.txt`, text);
    const entities = (await ner(file, dir, '--aggregation', 'none', '--ignore-labels', '')) as TokenEntity[];
    checkTokens(text, entities, windows.map((w, k) => ({ row: given.texts!.length + k, encoding: w.encoding })));
  });

  it('grouped entities (the default aggregation) hold no surrounding space and never cross a segment', async () => {
    const text = given.document!;
    const spans = [...segments(text, 'line')];
    const file = work.file(`${name}-grouped.txt`, text);
    for (const aggregation of ['first', 'simple', 'max']) {
      const entities = (await ner(file, dir, '--aggregation', aggregation)) as EntityGroup[];
      for (const e of entities) {
        const covered = text.slice(e.start, e.end);
        expect(covered.length).toBeGreaterThan(0);
        expect(covered).toBe(covered.trim());
        expect(spans.some(([s, end]) => e.start >= s && e.end <= end)).toBe(true);
        expect(['PER', 'LOC']).toContain(e.entity_group);
      }
    }
  });
});

describe('classify, qa and fill-mask on the hub folders', () => {
  it.each(['roberta-hub-sequence-classification', 'distilbert-hub-sequence-classification', 'electra-hub-sequence-classification', 'deberta-v3-hub-sequence-classification',
    'modernbert-hub-sequence-classification'])('classify on %s: the port\'s softmax', async (name) => {
    const dir = hub(name);
    const id2label = parseBertConfig(json(dir, 'config.json')).id2label;
    const logits = reference(name).logits as number[][];
    for (const [r, text] of texts(name).texts!.entries()) {
      const result = await cli('classify', work.file(`${name}-${r}.txt`, text), '--model', dir, '--json');
      expect(result.code, result.stderr).toBe(0);
      const scores = JSON.parse(result.stdout) as Array<{ label: string; score: number }>;
      const expected = softmax(logits[r]!);
      expect(scores[0]!.label).toBe(id2label[String(argmax(logits[r]!))]);
      for (const { label, score } of scores) expect(Math.abs(score - expected[Number(Object.keys(id2label).find((k) => id2label[k] === label))]!)).toBeLessThan(1e-4);
    }
  });

  it.each(['roberta-hub-question-answering', 'distilbert-hub-question-answering', 'electra-hub-question-answering', 'deberta-v3-hub-question-answering',
    'modernbert-hub-question-answering'])('qa on %s: answers that slice the context', async (name) => {
    const dir = hub(name);
    for (const [r, [question, context]] of texts(name).pairs!.entries()) {
      const result = await cli('qa', work.file(`${name}-${r}.txt`, context), '--question', question, '--model', dir, '--top-k', '3', '--json');
      expect(result.code, result.stderr).toBe(0);
      const answers = JSON.parse(result.stdout) as Array<{ answer: string; start: number; end: number; score: number }>;
      expect(answers.length).toBeGreaterThan(0);
      for (const a of answers) {
        expect(a.answer).toBe(context.slice(a.start, a.end));
        // A SentencePiece word's "▁" carries the offsets of the space before it, so HF's pipeline (context[start:end])
        // may start a DeBERTa-v3 answer with that one space; byte-level BPE and WordPiece answers never have one.
        // ModernBERT's tokenizer.json (TemplateProcessing, no ByteLevel post-processor) keeps a byte-level token's
        // space in its offsets too: HF tokenizers trims them only in the ByteLevel post-processor (RoBERTa's has it).
        expect(name.startsWith('deberta') || name.startsWith('modernbert') ? a.answer.replace(/^ /, '') : a.answer).toBe(a.answer.trim());
        expect(a.score).toBeGreaterThan(0);
        expect(a.score).toBeLessThanOrEqual(1);
      }
    }
  });

  it.each(['roberta-hub-masked-lm', 'electra-hub-masked-lm', 'deberta-v3-hub-masked-lm', 'modernbert-hub-masked-lm'])('fill-mask on %s: its mask token (<mask>, [MASK]; DeBERTa-v3\'s from added_tokens.json), the port\'s best token and its probability', async (name) => {
    const dir = hub(name);
    const tokenizer = await loadTokenizer(dir);
    const mask = tokenizer.maskToken!;
    expect(mask).toBe(name.startsWith('roberta') ? '<mask>' : '[MASK]');
    const expected = reference(name).mask_logits as number[][];
    for (const [r, text] of texts(name).texts!.entries()) {
      expect(text).toContain(mask);
      const result = await cli('fill-mask', '--text', text, '--model', dir, '--top-k', '2', '--json');
      expect(result.code, result.stderr).toBe(0);
      const [predictions] = JSON.parse(result.stdout) as Array<Array<{ score: number; token: number; token_str: string; sequence: string }>>;
      const best = predictions![0]!;
      expect(best.token).toBe(argmax(expected[r]!));
      expect(Math.abs(best.score - Math.max(...softmax(expected[r]!)))).toBeLessThan(1e-4);
      expect(best.token_str).toBe(tokenizer.decode([best.token]));
      expect(best.sequence).not.toContain(mask);
    }
  });
});

describe('choice on the multiple-choice hub folders (RoBERTa, DistilBERT, ELECTRA)', () => {
  const MC = ['roberta-hub-multiple-choice', 'distilbert-hub-multiple-choice', 'electra-hub-multiple-choice'];

  it.each(MC)('%s: its tokenizer pairs the prompt with each choice as the port ran them', async (name) => {
    const tokenizer = await loadTokenizer(hub(name));
    const { prompt, choices } = json<{ prompt: string; choices: string[] }>(hub(name), 'texts.json');
    // inputs.json is one [1, choices, seq] batch.
    const batch = inputs(name) as unknown as Record<string, number[][][]>;
    const rows = { input_ids: batch.input_ids![0]!, attention_mask: batch.attention_mask![0]! };
    choices.forEach((choice, c) => expect(tokenizer.encodePair(prompt, choice).ids, `choice ${c}`).toEqual(row(rows, c)));
  });

  it.each(MC)('bert-lens choice on %s: the port\'s softmax over the choices, best first', async (name) => {
    const dir = hub(name);
    const { prompt, choices } = json<{ prompt: string; choices: string[] }>(dir, 'texts.json');
    const result = await cli('choice', '--prompt', prompt, ...choices.flatMap((c) => ['--choice', c]), '--model', dir, '--json');
    expect(result.code, result.stderr).toBe(0);
    const scores = JSON.parse(result.stdout) as Array<{ index: number; choice: string; score: number }>;
    const expected = softmax((reference(name).logits as number[][])[0]!);
    expect(scores.map((s) => s.index).sort()).toEqual(choices.map((_, i) => i));
    for (const { index, choice, score } of scores) {
      expect(choice).toBe(choices[index]);
      expect(Math.abs(score - expected[index]!)).toBeLessThan(1e-4);
    }
    for (let i = 1; i < scores.length; i++) expect(scores[i - 1]!.score).toBeGreaterThanOrEqual(scores[i]!.score);
  });
});

type Kind = keyof JobKinds;

describe('worker jobs on the RoBERTa hub folders', () => {
  const models = new ModelCache();
  afterAll(() => models.dispose());

  async function runJob<K extends Kind>(kind: K, payload: unknown): Promise<JobResult<K>> {
    const handler = jobRegistry[kind] as unknown as { validate(p: unknown): JobPayload<K>; run(p: JobPayload<K>, c: JobContext<JobProgress<K>>): Promise<JobResult<K>> };
    const context: JobContext<JobProgress<K>> = { signal: new AbortController().signal, progress: () => {}, onControl: () => {}, log: () => {}, models };
    return handler.run(handler.validate(payload), context);
  }

  it('recognizeEntities gives what the pipeline gives, offsets into the text', async () => {
    const name = 'roberta-hub-token-classification';
    const text = texts(name).document!;
    const result = await runJob('recognizeEntities', { model: { reference: hub(name), threads: 1 }, texts: [text], options: { ignoreLabels: [] } });
    const model = await loadTaskModel(hub(name), { head: 'token-classification', threads: 1 });
    expect(result.entities).toEqual([await recognizeEntities(model, text, { ignoreLabels: [] })]);
    expect(result.entities[0]!.length).toBeGreaterThan(0);
    for (const e of result.entities[0]!) expect(text.slice(e.start, e.end)).toBe(text.slice(e.start, e.end).trim());
    await model.session.release();
  });

  it('fillMask finds <mask> where the text has it and fills it as the pipeline does', async () => {
    const name = 'roberta-hub-masked-lm';
    const text = texts(name).texts![0]!;
    const result = await runJob('fillMask', { model: { reference: hub(name), threads: 1 }, text, options: { topK: 2 } });
    expect(result.maskToken).toBe('<mask>');
    expect(result.masks.map(({ start, end }) => text.slice(start, end))).toEqual(['<mask>']);
    const model = await loadTaskModel(hub(name), { head: 'masked-lm', threads: 1 });
    expect(result.predictions).toEqual(await fillMask(model, text, { topK: 2 }));
    await model.session.release();
  });
});

/** A copy of a fixture folder under the scratch dir, with its config edited. */
async function copy(name: string, target: string, edit: (config: Record<string, unknown>) => void = () => {}, skip: readonly string[] = []): Promise<string> {
  const dir = path.join(work.dir, target);
  await fs.mkdir(dir, { recursive: true });
  for (const entry of await fs.readdir(hub(name), { withFileTypes: true })) {
    if (entry.isFile() && !skip.includes(entry.name)) await fs.copyFile(path.join(hub(name), entry.name), path.join(dir, entry.name));
  }
  const config = json<Record<string, unknown>>(dir, 'config.json');
  edit(config);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

describe('bad input names the file and the right class', () => {
  it('a task needing another head names both classes of the architecture', async () => {
    const text = work.file('mask.txt', 'Merkel met Macron in <mask>.');
    const fill = await cli('fill-mask', text, '--model', hub('roberta-hub-token-classification'));
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toMatch(/is a RobertaForTokenClassification \(a token-classification head\); this needs a masked-LM head \(RobertaForMaskedLM\)/);
    const entities = await cli('ner', text, '--model', hub('roberta-hub-masked-lm'));
    expect(entities.stderr).toMatch(/is a RobertaForMaskedLM \(a masked-LM head\); this needs a token-classification head \(RobertaForTokenClassification\)/);
    const qa = await cli('qa', text, '--question', 'Where?', '--model', hub('distilbert-hub-sequence-classification'));
    expect(qa.stderr).toMatch(/is a DistilBertForSequenceClassification .*; this needs a question-answering head \(DistilBertForQuestionAnswering\)/);
    const distilFill = await cli('fill-mask', text, '--model', hub('distilbert-hub-token-classification'));
    expect(distilFill.stderr).toMatch(/this needs a masked-LM head \(DistilBertForMaskedLM\)/);
    const distilNsp = await cli('nsp', '--a', 'Merkel met Macron.', '--b', 'Then they left.', '--model', hub('distilbert-hub-token-classification'));
    expect(distilNsp.stderr).toMatch(/none for distilbert in BERT Lens/);
  });

  it('DeBERTa-v2 names its own classes (DebertaV2For…), and a ConvLayer config is refused naming the file', async () => {
    const text = work.file('deberta.txt', 'Merkel met Macron in Paris.');
    const qa = await cli('qa', text, '--question', 'Where?', '--model', hub('deberta-v3-hub-token-classification'));
    expect(qa.code).not.toBe(0);
    expect(qa.stderr).toMatch(/is a DebertaV2ForTokenClassification \(a token-classification head\); this needs a question-answering head \(DebertaV2ForQuestionAnswering\)/);
    const ner = await cli('ner', text, '--model', hub('deberta-v3-hub-sequence-classification'));
    expect(ner.stderr).toMatch(/is a DebertaV2ForSequenceClassification .*; this needs a token-classification head \(DebertaV2ForTokenClassification\)/);
    const fill = await cli('fill-mask', text, '--model', hub('deberta-v3-hub-token-classification'));
    expect(fill.stderr).toMatch(/this needs a masked-LM head \(DebertaV2ForMaskedLM\)/);
    const dir = await copy('deberta-v3-hub-token-classification', 'deberta-conv', (c) => {
      c.conv_kernel_size = 3;
    });
    const conv = await cli('ner', text, '--model', dir);
    expect(conv.code).not.toBe(0);
    expect(conv.stderr).toContain(path.join(dir, 'config.json'));
    expect(conv.stderr).toMatch(/conv_kernel_size 3 asks for DeBERTa-v2's ConvLayer/);
  });

  it('ModernBERT names its own classes (ModernBertFor…), says it has no multiple-choice head here, and refuses a bad config naming the file', async () => {
    const text = work.file('modernbert.txt', 'Merkel met Macron in Paris.');
    const ner = await cli('ner', text, '--model', hub('modernbert-hub-sequence-classification'));
    expect(ner.code).not.toBe(0);
    expect(ner.stderr).toMatch(/is a ModernBertForSequenceClassification \(a sequence-classification head\); this needs a token-classification head \(ModernBertForTokenClassification\)/);
    const fill = await cli('fill-mask', text, '--model', hub('modernbert-hub-token-classification'));
    expect(fill.stderr).toMatch(/this needs a masked-LM head \(ModernBertForMaskedLM\)/);
    const qa = await cli('qa', text, '--question', 'Where?', '--model', hub('modernbert-hub-token-classification'));
    expect(qa.code).not.toBe(0);
    expect(qa.stderr).toMatch(/this needs a question-answering head \(ModernBertForQuestionAnswering\)/);
    const choice = await cli('choice', '--prompt', 'Merkel met', '--choice', 'Macron.', '--choice', 'a dog.', '--model', hub('modernbert-hub-token-classification'));
    expect(choice.code).not.toBe(0);
    expect(choice.stderr).toMatch(/none for modernbert in BERT Lens/);
    const dir = await copy('modernbert-hub-token-classification', 'modernbert-pooling', (c) => {
      c.local_attention = -8;
    });
    const bad = await cli('ner', text, '--model', dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(path.join(dir, 'config.json'));
    expect(bad.stderr).toMatch(/local_attention must be a positive integer, got -8/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('ELECTRA names its own classes, and refuses another architecture\'s weights under model_type electra', async () => {
    const text = work.file('electra.txt', 'Merkel met Macron in [MASK].');
    const qa = await cli('qa', text, '--question', 'Where?', '--model', hub('electra-hub-token-classification'));
    expect(qa.code).not.toBe(0);
    expect(qa.stderr).toMatch(/is a ElectraForTokenClassification \(a token-classification head\); this needs a question-answering head \(ElectraForQuestionAnswering\)/);
    const ner = await cli('ner', text, '--model', hub('electra-hub-sequence-classification'));
    expect(ner.stderr).toMatch(/is a ElectraForSequenceClassification .*; this needs a token-classification head \(ElectraForTokenClassification\)/);
    const dir = await copy('distilbert-hub-token-classification', 'distilbert-as-electra', (c) => {
      c.model_type = 'electra';
      c.architectures = ['ElectraForTokenClassification'];
    });
    const foreign = await cli('ner', work.file('e.txt', 'Paris.'), '--model', dir);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/model_type is "electra", but model\.safetensors holds the weights of another architecture \(model_type "distilbert"/);
  });

  it('an ELECTRA discriminator (ElectraForPreTraining weights, no classifier) for ner / classify names the head and the missing weights', async () => {
    const dir = await copy('electra-hub-token-classification', 'electra-discriminator', (c) => {
      c.architectures = ['ElectraForPreTraining'];
      delete c.id2label;
      delete c.label2id;
    });
    const weights = await readSafetensors(path.join(dir, 'model.safetensors'));
    const kept = [...weights.names()].filter((n) => !n.startsWith('classifier.')).map((n) => [n, { dtype: 'F32' as const, shape: [...weights.info(n).shape], data: weights.float32(n) }] as const);
    const h = json<{ hidden_size: number }>(dir, 'config.json').hidden_size;
    const discriminator = [['discriminator_predictions.dense.weight', [h, h]], ['discriminator_predictions.dense.bias', [h]],
      ['discriminator_predictions.dense_prediction.weight', [1, h]], ['discriminator_predictions.dense_prediction.bias', [1]]] as Array<[string, number[]]>;
    await writeSafetensors(path.join(dir, 'model.safetensors'), new Map([...kept,
      ...discriminator.map(([n, shape]) => [n, { dtype: 'F32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }] as const)]));
    const file = work.file('d.txt', 'Paris.');
    const ner = await cli('ner', file, '--model', dir);
    expect(ner.code).not.toBe(0);
    expect(ner.stderr).toMatch(/cannot serve as a token-classification model \(ElectraForTokenClassification\): the weights lack classifier\.weight, classifier\.bias/);
    const classify = await cli('classify', file, '--model', dir);
    expect(classify.stderr).toMatch(/cannot serve as a sequence-classification model \(ElectraForSequenceClassification\): the weights lack classifier\.dense\.weight/);
  });

  it('an ELECTRA config whose embedding_size is not the weights\' names the field', async () => {
    const dir = await copy('electra-hub-token-classification', 'electra-embedding-size', (c) => {
      c.embedding_size = 20;
    });
    const result = await cli('ner', work.file('s.txt', 'Paris.'), '--model', dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/electra\.embeddings\.word_embeddings\.weight in model\.safetensors has shape \[\d+, 12\], but the config's vocab_size × embedding_size is \[\d+, 20\]/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('XLM-RoBERTa names its own classes', async () => {
    const dir = await copy('roberta-hub-masked-lm', 'xlmr-mlm', (c) => {
      c.model_type = 'xlm-roberta';
      c.architectures = ['XLMRobertaForMaskedLM'];
    });
    const result = await cli('ner', work.file('x.txt', 'Paris.'), '--model', dir);
    expect(result.stderr).toMatch(/is a XLMRobertaForMaskedLM .*this needs a token-classification head \(XLMRobertaForTokenClassification\)/);
  });

  it('weights of one architecture under another model_type', async () => {
    const cases: Array<[string, string, (c: Record<string, unknown>) => void, RegExp]> = [
      ['roberta-hub-token-classification', 'roberta-as-distilbert', (c) => {
        c.model_type = 'distilbert';
        c.architectures = ['DistilBertForTokenClassification'];
        Object.assign(c, { dim: c.hidden_size, n_heads: c.num_attention_heads, n_layers: c.num_hidden_layers, hidden_dim: c.intermediate_size });
      }, /model_type is "distilbert", but model\.safetensors holds the weights of another architecture \(model_type "roberta" \/ "xlm-roberta" \/ "camembert": "roberta\.embeddings\.word_embeddings\.weight"\)/],
      ['distilbert-hub-token-classification', 'distilbert-as-roberta', (c) => {
        c.model_type = 'roberta';
        c.architectures = ['RobertaForTokenClassification'];
      }, /model_type is "roberta", but model\.safetensors holds the weights of another architecture \(model_type "distilbert": "distilbert\.embeddings\.word_embeddings\.weight"\)/],
      ['deberta-v3-hub-token-classification', 'deberta-as-roberta', (c) => {
        c.model_type = 'roberta';
        c.architectures = ['RobertaForTokenClassification'];
        c.type_vocab_size = 1;
      }, /model_type is "roberta", but model\.safetensors holds the weights of another architecture \(model_type "deberta-v2": "deberta\.embeddings\.word_embeddings\.weight"\)/],
    ];
    for (const [name, target, edit, message] of cases) {
      const dir = await copy(name, target, edit);
      const result = await cli('ner', work.file('w.txt', 'Paris.'), '--model', dir);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(path.join(dir, 'config.json'));
      expect(result.stderr).toMatch(message);
    }
  });

  it('a BERT pytorch_model.bin under model_type roberta is refused when read', async () => {
    const dir = path.join(work.dir, 'bert-bin-as-roberta');
    await fs.mkdir(dir, { recursive: true });
    const bert = path.join(FAMILY, '..', 'models', 'masked-lm');
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) await fs.copyFile(path.join(bert, file), path.join(dir, file));
    await fs.copyFile(path.join(FAMILY, '..', 'pytorch', 'masked-lm', 'pytorch_model.bin'), path.join(dir, 'pytorch_model.bin'));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...json<Record<string, unknown>>(bert, 'config.json'), model_type: 'roberta', architectures: ['RobertaForMaskedLM'] }));
    const result = await cli('fill-mask', '--text', 'a [MASK] b', '--model', dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/config\.json does not describe the weights: model_type is "roberta", but pytorch_model\.bin holds the weights of another architecture \(model_type "bert": "bert\.embeddings\.word_embeddings\.weight"\)/);
  });

  it('RoBERTa from pytorch_model.bin gives the labels model.safetensors gives', async () => {
    const dir = await copy('roberta-hub-token-classification', 'roberta-bin', () => {}, ['model.safetensors']);
    await fs.copyFile(path.join(hub('roberta-hub-token-classification'), 'bin', 'pytorch_model.bin'), path.join(dir, 'pytorch_model.bin'));
    const file = work.file('bin.txt', texts('roberta-hub-token-classification').document!);
    expect(await ner(file, dir, '--aggregation', 'none', '--ignore-labels', '')).toEqual(await ner(file, hub('roberta-hub-token-classification'), '--aggregation', 'none', '--ignore-labels', ''));
  });

  it('a bare model saved without its prefix (RobertaModel, DistilBertModel) gets the architecture\'s prefix, not bert.', async () => {
    for (const [name, tokenizerFrom, expected] of [
      ['roberta-base', 'roberta-hub-token-classification', 'roberta.encoder.layer.1.attention.self.query.weight'],
      ['distilbert-base', 'distilbert-hub-token-classification', 'distilbert.transformer.layer.1.attention.q_lin.weight'],
      // ElectraModel's embeddings_project is a top-level module of the base model too.
      ['electra-base', 'electra-hub-token-classification', 'electra.embeddings_project.weight'],
      // DebertaV2Model: the relative table sits in encoder., under the deberta. prefix.
      ['deberta-v3-base', 'deberta-v3-hub-token-classification', 'deberta.encoder.rel_embeddings.weight'],
    ] as const) {
      const dir = path.join(work.dir, `${name}-bare`);
      await fs.mkdir(dir, { recursive: true });
      for (const file of ['config.json', 'model.safetensors']) await fs.copyFile(path.join(FAMILY, name, file), path.join(dir, file));
      const tokenizerFile = name.startsWith('electra') ? 'vocab.txt' : name.startsWith('deberta') ? 'spm.model' : 'tokenizer.json';
      await fs.copyFile(path.join(hub(tokenizerFrom), tokenizerFile), path.join(dir, tokenizerFile));
      const weights = await loadSafetensorsWeights(await inspectModelFolder(dir));
      expect(weights.has(expected)).toBe(true);
      expect(weights.names().some((n) => n.startsWith('bert.'))).toBe(false);
      expect(weights.renamed.every((r) => r.reasons.includes('missing-base-model-prefix') && r.to === `${name.split('-')[0]}.${r.from}`)).toBe(true);
    }
  });

  it('a DebertaV2ForMaskedLM saved by transformers 4.2x–4.46 (cls.predictions.*) reads as lm_predictions.lm_head.*', async () => {
    const dir = path.join(work.dir, 'deberta-mlm-cls-names');
    await fs.mkdir(dir, { recursive: true });
    await fs.copyFile(path.join(FAMILY, 'deberta-v3-masked-lm', 'config.json'), path.join(dir, 'config.json'));
    await fs.copyFile(path.join(hub('deberta-v3-hub-masked-lm'), 'spm.model'), path.join(dir, 'spm.model'));
    const source = await readSafetensors(path.join(FAMILY, 'deberta-v3-masked-lm', 'model.safetensors'));
    const old = (n: string) => n.replace('lm_predictions.lm_head.dense.', 'cls.predictions.transform.dense.')
      .replace('lm_predictions.lm_head.LayerNorm.', 'cls.predictions.transform.LayerNorm.').replace('lm_predictions.lm_head.bias', 'cls.predictions.bias');
    await writeSafetensors(path.join(dir, 'model.safetensors'), new Map([...source.names()].map((n) => [old(n), { dtype: 'F32' as const, shape: [...source.info(n).shape], data: source.float32(n) }])));
    const weights = await loadSafetensorsWeights(await inspectModelFolder(dir));
    for (const name of ['lm_predictions.lm_head.dense.weight', 'lm_predictions.lm_head.LayerNorm.bias', 'lm_predictions.lm_head.bias']) {
      expect([...weights.float32(name)], name).toEqual([...source.float32(name)]);
    }
    expect(weights.renamed.filter((r) => r.reasons.includes('legacy-module-name')).map((r) => r.from).sort()).toEqual(
      ['cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight']);
  });

  it('num_labels disagreeing with the classifier\'s rows', async () => {
    const cases: Array<[string, string, string]> = [
      ['roberta-hub-token-classification', 'classifier.weight', 'ner'],
      ['roberta-hub-sequence-classification', 'classifier.out_proj.weight', 'classify'],
      ['distilbert-hub-sequence-classification', 'classifier.weight', 'classify'],
      ['electra-hub-sequence-classification', 'classifier.out_proj.weight', 'classify'],
    ];
    for (const [name, tensorName, verb] of cases) {
      const dir = await copy(name, `${name}-labels`, (c) => {
        delete c.id2label;
        delete c.label2id;
        c.num_labels = 7;
      });
      const rows = Object.keys(json<{ id2label: object }>(hub(name), 'config.json').id2label).length;
      const result = await cli(verb, work.file('l.txt', 'Paris.'), '--model', dir);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`${path.join(dir, 'config.json')} does not describe the weights: the config has 7 labels (id2label, or num_labels without it), but ${tensorName} in model.safetensors has ${rows} rows`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
