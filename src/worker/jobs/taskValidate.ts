import { BadRequestError } from '../jobHandler';
import type { ClassifyOptionsPayload } from '../taskJobKinds';
import { SEGMENTATION_MODES } from '../../core/tasks/shared/segmentation';
import { oneOf, optionalInteger, record } from './validate';

/* Payload checks the task jobs share beyond validate.ts; each names the field that is wrong. */

/** A string that must be present; empty is allowed (the task itself says what is wrong with it). */
export function requiredString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new BadRequestError(`${what} must be a string`);
  return value;
}

export function optionalNumber(value: unknown, what: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new BadRequestError(`${what} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

const FUNCTIONS = ['default', 'sigmoid', 'softmax', 'none'] as const;

export function classifyOptions(value: unknown): ClassifyOptionsPayload {
  const options = record(value ?? {}, 'options');
  const maxLength = optionalInteger(options.maxLength, 'options.maxLength', 3);
  const stride = optionalInteger(options.stride, 'options.stride', 0);
  // null = every label (HF top_k=None); undefined = the best label only.
  const topK = options.topK === null ? null : optionalInteger(options.topK, 'options.topK', 0);
  return {
    functionToApply: oneOf(options.functionToApply, FUNCTIONS, 'options.functionToApply'),
    topK,
    maxLength,
    stride,
    batchSize: optionalInteger(options.batchSize, 'options.batchSize', 1),
    segmentation: oneOf(options.segmentation, SEGMENTATION_MODES, 'options.segmentation'),
  };
}
