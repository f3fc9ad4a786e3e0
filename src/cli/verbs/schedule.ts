import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import { plotLine } from '../plot';
import type { Verb } from '../verb';
import {
  isScheduleType,
  learningRates,
  MAX_LISTED_STEPS,
  SCHEDULE_TYPES,
  ScheduleError,
  warmupStepsFor,
  type LearningRateOptions,
  type ScheduleType,
} from '../../core/train/schedules';

const USAGE = `usage: bert-lens schedule --type NAME --lr F --steps N [--warmup-steps K | --warmup-ratio R]
                         [--num-cycles C] [--power P] [--lr-end E] [--timescale T] [--json]

Prints the learning rate of optimizer steps 0..N-1 (lr × λ(step), HF's λ functions as torch's LambdaLR):
a JSON array with --json, otherwise a chart.

  --type NAME        ${SCHEDULE_TYPES.join(', ')}
  --lr F             base learning rate (HF learning_rate)
  --steps N          total optimizer steps (HF num_training_steps)
  --warmup-steps K   linear warmup steps (default 0)
  --warmup-ratio R   warmup as a fraction of the steps: ceil(R × N), as HF
  --num-cycles C     cosine: waves (default 0.5); cosine_with_restarts: restarts (integer, default 1)
  --power P          polynomial: exponent (default 1.0)
  --lr-end E         polynomial: final learning rate (default 1e-7)
  --timescale T      inverse_sqrt: default the warmup steps, or 10000 without warmup
  --json             print a JSON array of N numbers
`;

// Options that only some schedules read; passing them elsewhere is a mistake worth reporting.
const ONLY_FOR: Record<string, readonly ScheduleType[]> = {
  'num-cycles': ['cosine', 'cosine_with_restarts'],
  power: ['polynomial'],
  'lr-end': ['polynomial'],
  timescale: ['inverse_sqrt'],
};

function required(value: number | undefined, flag: string): number {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  return value;
}

export const scheduleVerb: Verb = {
  name: 'schedule',
  summary: 'print or plot a learning-rate schedule',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      type: 'string',
      lr: 'string',
      steps: 'string',
      'warmup-steps': 'string',
      'warmup-ratio': 'string',
      'num-cycles': 'string',
      power: 'string',
      'lr-end': 'string',
      timescale: 'string',
      json: 'boolean',
    });
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const type = stringFlag(args, 'type');
    if (type === undefined) throw new UsageError(`--type is required (${SCHEDULE_TYPES.join(', ')})`);
    if (!isScheduleType(type)) throw new UsageError(`unknown --type "${type}" (${SCHEDULE_TYPES.join(', ')})`);
    for (const [flag, types] of Object.entries(ONLY_FOR)) {
      if (args.flags.has(flag) && !types.includes(type)) throw new UsageError(`--${flag} applies to ${types.join(' and ')} only, not ${type}`);
    }
    const lr = required(numberFlag(args, 'lr'), 'lr');
    const steps = required(numberFlag(args, 'steps', { integer: true, min: 1 }), 'steps');
    if (steps > MAX_LISTED_STEPS) throw new UsageError(`--steps ${steps} is too many to list (at most ${MAX_LISTED_STEPS})`);
    const warmupSteps = numberFlag(args, 'warmup-steps', { integer: true, min: 0 });
    const warmupRatio = numberFlag(args, 'warmup-ratio', { min: 0 });
    if (warmupSteps !== undefined && warmupRatio !== undefined) throw new UsageError('give --warmup-steps or --warmup-ratio, not both');
    // HF's get_scheduler ignores warmup for "constant"; a user who asks for warmup wants the other one.
    if (type === 'constant' && (warmupSteps || warmupRatio)) throw new UsageError('constant has no warmup; use --type constant_with_warmup');

    let rates: number[];
    let warmup: number;
    try {
      warmup = warmupStepsFor(steps, { warmupSteps, warmupRatio });
      const options: LearningRateOptions = {
        type,
        lr,
        numTrainingSteps: steps,
        numWarmupSteps: warmup,
        numCycles: numberFlag(args, 'num-cycles'),
        power: numberFlag(args, 'power'),
        lrEnd: numberFlag(args, 'lr-end'),
        timescale: numberFlag(args, 'timescale'),
      };
      rates = learningRates(steps, options);
      // HF accepts warmup longer than training; the run then never leaves warmup, which is rarely meant.
      if (warmup > steps) io.stderr(`warning: --warmup-steps ${warmup} exceeds --steps ${steps}: every step is a warmup step (HF allows this)\n`);
    } catch (error) {
      if (error instanceof ScheduleError) throw new UsageError(error.message);
      throw error;
    }

    if (booleanFlag(args, 'json')) {
      io.stdout(JSON.stringify(rates) + '\n');
      return 0;
    }
    const peak = Math.max(...rates);
    io.stdout(`${type}  lr ${lr}  steps ${steps}  warmup ${warmup}  peak ${peak.toPrecision(4)}  last ${rates[rates.length - 1]!.toPrecision(4)}\n`);
    io.stdout(plotLine(rates, { formatY: (v) => (v === 0 ? '0' : v.toExponential(2)), formatX: (i) => `step ${i}` }));
    return 0;
  },
};
