import { loadModel } from '../../core/runtime/loadModel';
import { bundledModelDir } from '../../core/runtime/bundledModels';
import { recognizeEntities } from '../../core/tasks/tokenClassification/pipeline';
import { AGGREGATION_STRATEGIES, type AggregationStrategy, type TokenClassificationResult } from '../../core/tasks/tokenClassification/types';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { ENCODING_FLAG, ENCODING_USAGE, encodingFlag, packingFlag, readTextFile, segmentationFlag, splitList } from './common';

const USAGE = `usage: bert-lens ner FILE [--model DIR|ID] [--aggregation none|simple|first|average|max]
                     [--ignore-labels O,MISC] [--max-length N] [--stride N] [--batch-size N]
                     [--segmentation line|sentence|none] [--packing isolated|context]
                     [--threads N] [--quantized] [--encoding NAME] [--json]

Named-entity recognition with a token-classification BERT (HF TokenClassificationPipeline semantics).
FILE may be - for standard input. Offsets are UTF-16 code units into the file's text (after a BOM).

  --model DIR|ID      model folder or hub id (default: the bundled NER model)
  --aggregation S     HF aggregation_strategy (default first: whole words, labelled by their first piece)
  --ignore-labels L   comma-separated labels to drop (default O; "" keeps every label)
  --max-length N      tokens per window, [CLS] and [SEP] included (default 256, capped by the model)
  --stride N          tokens shared by consecutive windows (default max-length/4)
  --batch-size N      windows per forward pass (default 16)
  --segmentation M    windows hold whole segments and no entity crosses one: line (every line break
                      and sentence end, the default), sentence (blank lines and sentence ends; a line
                      break inside a paragraph is not a boundary), none (windows over the whole text)
  --packing P         isolated (each segment its own input, as if run alone) or context (whole
                      segments share a window and see each other); default: the model's
                      config.json "bert_lens_packing", else isolated
  --threads N         ONNX Runtime threads (default: all cores)
  --quantized         int8 weights (faster, slightly less exact)
  --json              print a JSON array of HF-shaped results
${ENCODING_USAGE}
`;

const FLAGS = {
  model: 'string', aggregation: 'string', 'ignore-labels': 'string', 'max-length': 'string', stride: 'string',
  'batch-size': 'string', segmentation: 'string', packing: 'string', threads: 'string', quantized: 'boolean', json: 'boolean',
  ...ENCODING_FLAG,
} as const;

export function formatEntities(entities: readonly TokenClassificationResult[]): string {
  return entities
    .map((e) => {
      const label = 'entity_group' in e ? e.entity_group : e.entity;
      return `${String(e.start).padStart(7)}-${String(e.end).padEnd(7)} ${label.padEnd(10)} ${e.score.toFixed(3)}  ${e.word}`;
    })
    .join('\n');
}

export const nerVerb: Verb = {
  name: 'ner',
  summary: 'recognize named entities in a text file',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [file, ...extra] = args.positionals;
    if (!file) throw new UsageError('missing FILE (try --help)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const aggregation = stringFlag(args, 'aggregation') ?? 'first';
    if (!AGGREGATION_STRATEGIES.includes(aggregation as AggregationStrategy)) {
      throw new UsageError(`--aggregation must be one of ${AGGREGATION_STRATEGIES.join(', ')}, got "${aggregation}"`);
    }
    const maxLength = numberFlag(args, 'max-length', { integer: true, min: 3 });
    const stride = numberFlag(args, 'stride', { integer: true, min: 0 });
    // Refused whatever the text's length: a short text fitting one window must not hide the mistake.
    if (stride !== undefined && maxLength !== undefined && stride >= maxLength) {
      throw new UsageError(`--stride ${stride} must be smaller than --max-length ${maxLength}`);
    }
    const segmentation = segmentationFlag(args);
    const packing = packingFlag(args);
    const text = await readTextFile(file, encodingFlag(args));
    const model = await loadModel(stringFlag(args, 'model') ?? bundledModelDir('ner'), {
      head: 'token-classification',
      quantized: booleanFlag(args, 'quantized'),
      threads: numberFlag(args, 'threads', { integer: true, min: 0 }),
      onProgress: (p) => {
        if (!args.flags.has('json') && p.total) io.stderr(`\rdownloading ${p.file}: ${Math.round((100 * p.loaded) / p.total)}%`);
      },
    });
    const entities = await recognizeEntities(model, text, {
      aggregationStrategy: aggregation as AggregationStrategy,
      ignoreLabels: splitList(stringFlag(args, 'ignore-labels')),
      maxLength,
      stride,
      batchSize: numberFlag(args, 'batch-size', { integer: true, min: 1 }),
      segmentation,
      packing,
    });
    await model.session.release();
    io.stdout(booleanFlag(args, 'json') ? `${JSON.stringify(entities)}\n` : entities.length ? `${formatEntities(entities)}\n` : '(no entities)\n');
    return 0;
  },
};
