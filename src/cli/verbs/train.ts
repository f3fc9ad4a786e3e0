import { ensureWritableFolder } from '../../core/util/writableFolder';
import { HEAD_OF_TASK, train, type TrainLayers } from '../../core/train/trainer';
import { readTaskData, type TrainTask } from '../../core/train/trainingData';
import type { TrainingArguments } from '../../core/train/trainingArguments';
import { SCHEDULE_TYPES, type ScheduleType } from '../../core/train/schedules';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError, type ParsedArgs } from '../args';
import type { Verb } from '../verb';
import { ENCODING_FLAG, ENCODING_USAGE, encodingFlag, reportDataIssues, requireExamples } from './common';

const TASKS: TrainTask[] = ['ner', 'classify', 'qa', 'mlm'];

const USAGE = `usage: bert-lens train --task ner|classify|qa|mlm --model DIR --data FILE --out DIR [options]

Fine-tunes a BERT (HF Trainer semantics) and writes an HF model folder to --out (model.safetensors,
config.json, tokenizer files, onnx/model.onnx), with checkpoints in --out/checkpoint-STEP/.
One JSON line per optimizer step (step, loss, learning_rate, grad_norm) and per evaluation on stdout.

data: NER — CoNLL/BIO (word per line, tag in the last column), Prodigy JSONL, HF token JSONL,
Label Studio JSON; classify — TSV (text<TAB>label) or JSONL {"text","label"}; qa — SQuAD-style JSONL
{"question","context","answers":{"text":[..],"answer_start":[..]}}; mlm — plain text, one text per line.

  --eval-data FILE                  evaluate after each epoch (or every --eval-steps)
  --learning-rate F                 5e-5
  --weight-decay F                  0.01 (not applied to names containing --no-decay patterns)
  --no-decay LIST                   bias,LayerNorm.bias,LayerNorm.weight
  --adam-beta1 F --adam-beta2 F --adam-epsilon F     0.9, 0.999, 1e-8
  --lr-scheduler-type NAME          ${SCHEDULE_TYPES.join(', ')} (linear)
  --num-cycles C --power P --lr-end E --timescale T  schedule parameters
  --warmup-steps N | --warmup-ratio R
  --num-train-epochs N              3 (fractions allowed)
  --max-steps N                     stop after N optimizer steps (the schedule still spans the epochs)
  --per-device-train-batch-size N   8
  --per-device-eval-batch-size N    32
  --gradient-accumulation-steps N   1
  --max-grad-norm F                 1.0 (0: no clipping)
  --max-seq-length N                128 (longer examples become overlapping windows)
  --train-layers head|N|all         all
  --dropout P                       override the config's dropout (0 switches it off)
  --no-shuffle                      keep the data in file order
  --group-by-length                 HF group_by_length: batches of similar-length rows (less padding for
                                    QA and masked-LM; NER and classification pack rows anyway); may
                                    learn worse when length goes with the kind of row
  --seed N                          42
  --save-steps N --eval-steps N
  --save-total-limit N              2 (0: keep all); the best checkpoint is never deleted
  --load-best-model-at-end true|false   true: the final model is the best checkpoint's (needs --eval-data)
  --metric-for-best-model NAME      score (entity F1, accuracy, QA F1); any evaluation metric, eval_ prefix optional
  --greater-is-better true|false    default: true unless the metric's name ends with loss
  --problem-type regression|single_label_classification|multi_label_classification
  --resume-from-checkpoint DIR      continue a run exactly where the checkpoint left it
  --threads N                       ONNX Runtime threads (default: all cores)
${ENCODING_USAGE}
`;

const FLAGS = {
  task: 'string', model: 'string', data: 'string', 'eval-data': 'string', out: 'string',
  'learning-rate': 'string', 'weight-decay': 'string', 'no-decay': 'string', 'adam-beta1': 'string', 'adam-beta2': 'string',
  'adam-epsilon': 'string', 'lr-scheduler-type': 'string', 'num-cycles': 'string', power: 'string', 'lr-end': 'string',
  timescale: 'string', 'warmup-steps': 'string', 'warmup-ratio': 'string', 'num-train-epochs': 'string', 'max-steps': 'string',
  'per-device-train-batch-size': 'string', 'per-device-eval-batch-size': 'string', 'gradient-accumulation-steps': 'string',
  'max-grad-norm': 'string', 'max-seq-length': 'string', 'train-layers': 'string', dropout: 'string', 'no-shuffle': 'boolean', 'group-by-length': 'boolean',
  seed: 'string', 'save-steps': 'string', 'save-total-limit': 'string', 'eval-steps': 'string', 'problem-type': 'string',
  'load-best-model-at-end': 'string', 'metric-for-best-model': 'string', 'greater-is-better': 'string',
  'resume-from-checkpoint': 'string', threads: 'string', 'doc-stride': 'string', ...ENCODING_FLAG,
} as const;

function required(args: ParsedArgs, name: string): string {
  const value = stringFlag(args, name);
  if (!value) throw new UsageError(`--${name} is required (try --help)`);
  return value;
}

function trainingArguments(args: ParsedArgs): Partial<TrainingArguments> {
  const out: Partial<TrainingArguments> = {};
  const numbers: Array<[string, keyof TrainingArguments, boolean]> = [
    ['learning-rate', 'learning_rate', false], ['weight-decay', 'weight_decay', false], ['adam-beta1', 'adam_beta1', false],
    ['adam-beta2', 'adam_beta2', false], ['adam-epsilon', 'adam_epsilon', false], ['warmup-steps', 'warmup_steps', true],
    ['warmup-ratio', 'warmup_ratio', false], ['num-train-epochs', 'num_train_epochs', false],
    ['per-device-train-batch-size', 'per_device_train_batch_size', true], ['per-device-eval-batch-size', 'per_device_eval_batch_size', true],
    ['gradient-accumulation-steps', 'gradient_accumulation_steps', true], ['max-grad-norm', 'max_grad_norm', false],
    ['max-seq-length', 'max_seq_length', true], ['seed', 'seed', true], ['save-steps', 'save_steps', true],
    ['save-total-limit', 'save_total_limit', true], ['eval-steps', 'eval_steps', true],
  ];
  for (const [flag, key, integer] of numbers) {
    const value = numberFlag(args, flag, { integer, min: 0 });
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  if (stringFlag(args, 'warmup-steps') && stringFlag(args, 'warmup-ratio')) throw new UsageError('give --warmup-steps or --warmup-ratio, not both');
  const schedule = stringFlag(args, 'lr-scheduler-type');
  if (schedule !== undefined) {
    if (!(SCHEDULE_TYPES as readonly string[]).includes(schedule)) throw new UsageError(`--lr-scheduler-type must be one of ${SCHEDULE_TYPES.join(', ')}`);
    out.lr_scheduler_type = schedule as ScheduleType;
  }
  const kwargs: TrainingArguments['lr_scheduler_kwargs'] = {};
  const cycles = numberFlag(args, 'num-cycles', { min: 0 });
  if (cycles !== undefined) kwargs.num_cycles = cycles;
  const power = numberFlag(args, 'power', { min: 0 });
  if (power !== undefined) kwargs.power = power;
  const lrEnd = numberFlag(args, 'lr-end', { min: 0 });
  if (lrEnd !== undefined) kwargs.lr_end = lrEnd;
  const timescale = numberFlag(args, 'timescale', { min: 1 });
  if (timescale !== undefined) kwargs.timescale = timescale;
  out.lr_scheduler_kwargs = kwargs;
  if (booleanFlag(args, 'group-by-length')) out.group_by_length = true;
  for (const [flag, key] of [['load-best-model-at-end', 'load_best_model_at_end'], ['greater-is-better', 'greater_is_better']] as const) {
    const value = stringFlag(args, flag);
    if (value === undefined) continue;
    if (value !== 'true' && value !== 'false') throw new UsageError(`--${flag} must be true or false, got "${value}"`);
    out[key] = value === 'true';
  }
  const metric = stringFlag(args, 'metric-for-best-model');
  if (metric !== undefined) out.metric_for_best_model = metric;
  const noDecay = stringFlag(args, 'no-decay');
  if (noDecay !== undefined) out.no_decay = noDecay.split(',').map((s) => s.trim()).filter(Boolean);
  return out;
}

function trainLayers(value: string | undefined): TrainLayers {
  if (value === undefined || value === 'all') return 'all';
  if (value === 'head') return 'head';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--train-layers must be head, all or a number of top layers, got "${value}"`);
  return n;
}

export const trainVerb: Verb = {
  name: 'train',
  summary: 'fine-tune a BERT for NER, classification, QA or masked-LM',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const task = required(args, 'task') as TrainTask;
    if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
    const model = required(args, 'model');
    const out = required(args, 'out');
    const problemType = stringFlag(args, 'problem-type');
    if (problemType && !['regression', 'single_label_classification', 'multi_label_classification'].includes(problemType)) {
      throw new UsageError('--problem-type must be regression, single_label_classification or multi_label_classification');
    }
    const trainingArgs = trainingArguments(args);
    const encoding = encodingFlag(args);
    const trainData = await readTaskData(task, required(args, 'data'), { encoding });
    const evalFile = stringFlag(args, 'eval-data');
    const evalData = evalFile ? await readTaskData(task, evalFile, { encoding }) : undefined;
    reportDataIssues(io, [...trainData.issues, ...(evalData?.issues ?? [])]);
    requireExamples(trainData, required(args, 'data'));
    if (evalData) requireExamples(evalData, evalFile!);
    await ensureWritableFolder(out);
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      await train({
        task,
        modelDir: model,
        train: trainData,
        eval: evalData,
        outputDir: out,
        args: trainingArgs,
        trainLayers: trainLayers(stringFlag(args, 'train-layers')),
        dropout: numberFlag(args, 'dropout', { min: 0 }),
        shuffle: !booleanFlag(args, 'no-shuffle'),
        problemType: problemType as 'regression' | undefined,
        resumeFrom: stringFlag(args, 'resume-from-checkpoint'),
        maxSteps: numberFlag(args, 'max-steps', { integer: true, min: 1 }),
        docStride: numberFlag(args, 'doc-stride', { integer: true, min: 0 }),
        threads: numberFlag(args, 'threads', { integer: true, min: 0 }),
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'log') io.stdout(`${JSON.stringify({ step: event.step, epoch: round(event.epoch), loss: event.loss, learning_rate: event.learning_rate, grad_norm: event.grad_norm })}\n`);
          else if (event.type === 'eval') io.stdout(`${JSON.stringify({ step: event.step, epoch: round(event.epoch), ...prefixed(event.metrics) })}\n`);
          else if (event.type === 'info') io.stderr(`${event.message}\n`);
          else if (event.type === 'start') io.stderr(`training ${HEAD_OF_TASK[task]}: ${event.trainRows} rows, ${event.totalSteps} steps, ${event.trainable.toLocaleString('en')} trainable parameters\n`);
          else if (event.type === 'checkpoint') io.stderr(`saved ${event.path}\n`);
          else if (event.type === 'best') io.stderr(`best so far: ${event.path} (${event.metric} ${event.value})\n`);
          else if (event.type === 'done') io.stderr(`model saved to ${event.outputDir}${event.bestModelCheckpoint ? ` (best checkpoint ${event.bestModelCheckpoint})` : ''}${event.diskBytes !== undefined ? `; the run takes ${(event.diskBytes / 2 ** 20).toFixed(1)} MiB on disk` : ''}\n`);
        },
      });
    } finally {
      process.removeListener('SIGINT', onSignal);
    }
    return 0;
  },
};

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function prefixed(metrics: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metrics).filter(([k]) => k !== 'score').map(([k, v]) => [`eval_${k}`, v]));
}
