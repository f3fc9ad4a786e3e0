import { DEFAULT_SEGMENTATION, SEGMENTATION_MODES, type SegmentationMode } from '../../../core/tasks/shared/segmentation';
import type { FunctionToApply } from '../../../core/tasks/textClassification/postprocess';

/** Reads a setting by its full name (e.g. 'bertLens.qa.model'); undefined when unset. */
export type SettingReader = (name: string) => unknown;

/** The model and runtime settings every task command shares (bertLens.inference.*, bertLens.hub.*). */
export interface RuntimeSettings {
  batchSize: number;
  /** bertLens.inference.segmentation: where a text longer than one window is cut (classification). */
  segmentation: SegmentationMode;
  threads: number;
  quantized: boolean;
  hubEndpoint: string | undefined;
  hubOffline: boolean;
}

export interface QaSettings {
  model: string;
  topK: number;
  maxAnswerLen: number;
  /** undefined = HF's default, min(max_seq_len / 2, 128) (setting value -1). */
  docStride: number | undefined;
  handleImpossibleAnswer: boolean;
}

export interface ClassificationSettings {
  /** '' = the bundled sentiment model. */
  model: string;
  functionToApply: FunctionToApply;
  multiLabelThreshold: number;
  /** 0 = every label. */
  topK: number;
}

export interface FillMaskSettings {
  model: string;
  topK: number;
}

export interface GenerationSettings {
  model: string;
  maxNewTokens: number;
  strategy: 'greedy' | 'top-k';
  topK: number;
  temperature: number;
  /** undefined = a new seed each run (setting value -1). */
  seed: number | undefined;
}

export interface TaskSettings {
  runtime: RuntimeSettings;
  qa: QaSettings;
  classification: ClassificationSettings;
  fillMask: FillMaskSettings;
  nspModel: string;
  generation: GenerationSettings;
  multipleChoiceModel: string;
}

/** The defaults of package.json's contributes.configuration (a test keeps the two in step). */
export const TASK_SETTING_DEFAULTS: TaskSettings = {
  runtime: { batchSize: 16, segmentation: DEFAULT_SEGMENTATION, threads: 0, quantized: false, hubEndpoint: undefined, hubOffline: false },
  qa: { model: '', topK: 3, maxAnswerLen: 15, docStride: undefined, handleImpossibleAnswer: false },
  classification: { model: '', functionToApply: 'default', multiLabelThreshold: 0.5, topK: 0 },
  fillMask: { model: '', topK: 5 },
  nspModel: '',
  generation: { model: '', maxNewTokens: 20, strategy: 'greedy', topK: 50, temperature: 1, seed: undefined },
  multipleChoiceModel: '',
};

const FUNCTIONS: readonly FunctionToApply[] = ['default', 'softmax', 'sigmoid', 'none'];
const STRATEGIES = ['greedy', 'top-k'] as const;

/**
 * The task commands' settings, validated. settings.json is hand-edited: a wrong value falls back to
 * its default and is reported in `problems`, rather than reaching the model.
 */
export function readTaskSettings(read: SettingReader): { settings: TaskSettings; problems: string[] } {
  const problems: string[] = [];
  const d = TASK_SETTING_DEFAULTS;
  const isSet = (value: unknown): boolean => value !== undefined && value !== null;
  const string = (name: string, fallback: string): string => {
    const value = read(name);
    if (!isSet(value)) return fallback;
    if (typeof value === 'string') return value.trim();
    problems.push(`${name} must be a string`);
    return fallback;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = read(name);
    if (!isSet(value)) return fallback;
    if (typeof value === 'boolean') return value;
    problems.push(`${name} must be true or false`);
    return fallback;
  };
  const number = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const value = read(name);
    if (!isSet(value)) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return value;
    problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => number(name, fallback, min, max, true);
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (!isSet(value)) return fallback;
    if (allowed.includes(value as T)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  /** -1 means "not set" for integer settings whose default is computed elsewhere. */
  const optionalInteger = (name: string, min: number, max: number): number | undefined => {
    const value = integer(name, -1, -1, max);
    if (value === -1) return undefined;
    if (value < min) {
      problems.push(`${name} must be -1 or an integer from ${min} to ${max}, got ${value}`);
      return undefined;
    }
    return value;
  };

  const endpoint = string('bertLens.hub.endpoint', '');
  const settings: TaskSettings = {
    runtime: {
      batchSize: integer('bertLens.inference.batchSize', d.runtime.batchSize, 1, 1024),
      segmentation: choice('bertLens.inference.segmentation', SEGMENTATION_MODES, d.runtime.segmentation),
      threads: integer('bertLens.inference.threads', d.runtime.threads, 0, 256),
      quantized: boolean('bertLens.inference.quantized', d.runtime.quantized),
      hubEndpoint: endpoint === '' ? undefined : endpoint,
      hubOffline: boolean('bertLens.hub.offline', d.runtime.hubOffline),
    },
    qa: {
      model: string('bertLens.qa.model', d.qa.model),
      topK: integer('bertLens.qa.topK', d.qa.topK, 1, 50),
      maxAnswerLen: integer('bertLens.qa.maxAnswerLen', d.qa.maxAnswerLen, 1, 512),
      docStride: optionalInteger('bertLens.qa.docStride', 0, 8192),
      handleImpossibleAnswer: boolean('bertLens.qa.handleImpossibleAnswer', d.qa.handleImpossibleAnswer),
    },
    classification: {
      model: string('bertLens.classification.model', d.classification.model),
      functionToApply: choice('bertLens.classification.functionToApply', FUNCTIONS, d.classification.functionToApply),
      multiLabelThreshold: number('bertLens.classification.multiLabelThreshold', d.classification.multiLabelThreshold, 0, 1, false),
      topK: integer('bertLens.classification.topK', d.classification.topK, 0, 10_000),
    },
    fillMask: {
      model: string('bertLens.fillMask.model', d.fillMask.model),
      topK: integer('bertLens.fillMask.topK', d.fillMask.topK, 1, 100),
    },
    nspModel: string('bertLens.nsp.model', d.nspModel),
    generation: {
      model: string('bertLens.generation.model', d.generation.model),
      maxNewTokens: integer('bertLens.generation.maxNewTokens', d.generation.maxNewTokens, 1, 512),
      strategy: choice('bertLens.generation.strategy', STRATEGIES, d.generation.strategy),
      topK: integer('bertLens.generation.topK', d.generation.topK, 1, 100_000),
      temperature: number('bertLens.generation.temperature', d.generation.temperature, 0.01, 100, false),
      seed: optionalInteger('bertLens.generation.seed', 0, 2 ** 31 - 1),
    },
    multipleChoiceModel: string('bertLens.multipleChoice.model', d.multipleChoiceModel),
  };
  return { settings, problems };
}
