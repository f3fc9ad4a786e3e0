import { HEAD_KINDS, type HeadKind } from '../../core/bert/heads';
import { BadRequestError } from '../jobHandler';
import type { ModelSpec } from '../jobKinds';

/* Small checks for payloads: each names the field that is wrong. */

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${what} must be a string`);
  return value;
}

export function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new BadRequestError(`${what} must be true or false`);
  return value;
}

export function optionalInteger(value: unknown, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new BadRequestError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return value;
}

export function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new BadRequestError(`${what} must be a list of strings`);
  return value as string[];
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw new BadRequestError(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

export function headKind(value: unknown, what: string): HeadKind {
  const head = oneOf(value, HEAD_KINDS, what);
  if (!head) throw new BadRequestError(`${what} is required`);
  return head;
}

export function modelSpec(value: unknown): ModelSpec {
  const spec = record(value, 'model');
  const reference = optionalString(spec.reference, 'model.reference');
  if (!reference || reference.trim() === '') throw new BadRequestError('model.reference must name a model folder or hub id');
  return {
    reference,
    quantized: optionalBoolean(spec.quantized, 'model.quantized'),
    threads: optionalInteger(spec.threads, 'model.threads', 0),
    cacheDir: optionalString(spec.cacheDir, 'model.cacheDir'),
    hubCacheDir: optionalString(spec.hubCacheDir, 'model.hubCacheDir'),
    endpoint: optionalString(spec.endpoint, 'model.endpoint'),
    offline: optionalBoolean(spec.offline, 'model.offline'),
  };
}
