import { DEFAULT_SEGMENTATION, SEGMENT_PACKINGS, SEGMENTATION_MODES, type SegmentationMode, type SegmentPacking } from '../../core/tasks/shared/segmentation';
import { AGGREGATION_STRATEGIES, type AggregationStrategy } from '../../core/tasks/tokenClassification/types';

/** The `bertLens.*` settings the NER command uses, validated, with their defaults (see package.json). */
export interface NerSettings {
  /** bertLens.ner.model: '' = the bundled model. */
  model: string;
  aggregationStrategy: AggregationStrategy;
  ignoreLabels: string[];
  maxLength: number;
  /** undefined = a quarter of maxLength (setting value -1). */
  stride: number | undefined;
  batchSize: number;
  /** bertLens.inference.segmentation: windows follow sentences / lines, or not. */
  segmentation: SegmentationMode;
  /**
   * bertLens.inference.segmentPacking: segments sharing a window see each other, or not; undefined
   * (the setting's "model") = as the model folder states (segmentPackingOf), else isolated.
   */
  packing: SegmentPacking | undefined;
  threads: number;
  quantized: boolean;
  runOnSave: boolean;
  hubEndpoint: string | undefined;
  hubOffline: boolean;
}

export const NER_SETTING_DEFAULTS: NerSettings = {
  model: '',
  aggregationStrategy: 'first',
  ignoreLabels: ['O'],
  maxLength: 256,
  stride: undefined,
  batchSize: 16,
  segmentation: DEFAULT_SEGMENTATION,
  packing: undefined,
  threads: 0,
  quantized: false,
  runOnSave: false,
  hubEndpoint: undefined,
  hubOffline: false,
};

/** bertLens.inference.segmentPacking's values: a packing, or "model" (the default: as the model folder states). */
const PACKING_SETTINGS: ReadonlyArray<SegmentPacking | 'model'> = ['model', ...SEGMENT_PACKINGS];

function packingSetting(value: SegmentPacking | 'model'): SegmentPacking | undefined {
  return value === 'model' ? undefined : value;
}

/** Reads a setting by its full name (e.g. 'bertLens.ner.model'); undefined when unset. */
export type SettingReader = (name: string) => unknown;

/**
 * Settings as the user wrote them can be anything (settings.json is hand-edited): a wrong value
 * falls back to the default and is reported, rather than reaching the model.
 */
export function readNerSettings(read: SettingReader): { settings: NerSettings; problems: string[] } {
  const problems: string[] = [];
  const d = NER_SETTING_DEFAULTS;
  const string = (name: string, fallback: string): string => {
    const value = read(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value.trim();
    problems.push(`${name} must be a string`);
    return fallback;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const value = read(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    problems.push(`${name} must be true or false`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = read(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return fallback;
  };

  const aggregation = read('bertLens.ner.aggregationStrategy');
  let aggregationStrategy = d.aggregationStrategy;
  if (aggregation !== undefined && aggregation !== null) {
    if (AGGREGATION_STRATEGIES.includes(aggregation as AggregationStrategy)) aggregationStrategy = aggregation as AggregationStrategy;
    else problems.push(`bertLens.ner.aggregationStrategy must be one of ${AGGREGATION_STRATEGIES.join(', ')}, got ${JSON.stringify(aggregation)}`);
  }

  const labels = read('bertLens.ner.ignoreLabels');
  let ignoreLabels = d.ignoreLabels;
  if (labels !== undefined && labels !== null) {
    if (Array.isArray(labels) && labels.every((label) => typeof label === 'string')) ignoreLabels = labels as string[];
    else problems.push('bertLens.ner.ignoreLabels must be a list of labels, e.g. ["O"]');
  }

  const maxLength = integer('bertLens.inference.maxLength', d.maxLength, 8, 8192);
  let stride: number | undefined = integer('bertLens.inference.stride', -1, -1, 8192);
  if (stride === -1) stride = undefined;
  else if (stride >= maxLength - 2) {
    problems.push(`bertLens.inference.stride (${stride}) must be smaller than bertLens.inference.maxLength − 2 (${maxLength - 2})`);
    stride = undefined;
  }
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined || value === null) return fallback;
    if (allowed.includes(value as T)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const endpoint = string('bertLens.hub.endpoint', '');
  return {
    settings: {
      model: string('bertLens.ner.model', d.model),
      aggregationStrategy,
      ignoreLabels,
      maxLength,
      stride,
      batchSize: integer('bertLens.inference.batchSize', d.batchSize, 1, 1024),
      segmentation: choice('bertLens.inference.segmentation', SEGMENTATION_MODES, d.segmentation),
      packing: packingSetting(choice('bertLens.inference.segmentPacking', PACKING_SETTINGS, 'model')),
      threads: integer('bertLens.inference.threads', d.threads, 0, 256),
      quantized: boolean('bertLens.inference.quantized', d.quantized),
      runOnSave: boolean('bertLens.ner.runOnSave', d.runOnSave),
      hubEndpoint: endpoint === '' ? undefined : endpoint,
      hubOffline: boolean('bertLens.hub.offline', d.hubOffline),
    },
    problems,
  };
}
