import { describe, expect, it } from 'vitest';
import { defaultGreaterIsBetter, isImprovement, metricValue } from '../../../src/core/train/bestModel';
import { checkpointsToDelete, sortedCheckpoints } from '../../../src/core/train/checkpointRotation';

// Expected values worked by hand from transformers 4.46 Trainer._sorted_checkpoints / _rotate_checkpoints.
const dirs = (...steps: number[]) => steps.map((s) => `/run/checkpoint-${s}`);

describe('HF checkpoint rotation', () => {
  it('sorts by step number, not by name', () => {
    expect(sortedCheckpoints(['/run/checkpoint-10', '/run/checkpoint-2', '/run/other', '/run/checkpoint-9'])).toEqual(dirs(2, 9, 10));
  });

  it('moves the best checkpoint to the second-to-last place', () => {
    expect(sortedCheckpoints(dirs(1, 2, 3, 4, 5), '/run/checkpoint-1')).toEqual(dirs(2, 3, 4, 1, 5));
    expect(sortedCheckpoints(dirs(1, 2, 3, 4, 5), '/run/checkpoint-5')).toEqual(dirs(1, 2, 3, 4, 5));
    expect(sortedCheckpoints(dirs(1, 2, 3), '/run/checkpoint-9')).toEqual(dirs(1, 2, 3));
  });

  it('deletes the oldest beyond save_total_limit; 0 keeps all', () => {
    expect(checkpointsToDelete(dirs(1, 2, 3, 4), 2)).toEqual(dirs(1, 2));
    expect(checkpointsToDelete(dirs(1, 2), 2)).toEqual([]);
    expect(checkpointsToDelete(dirs(1, 2, 3, 4), 0)).toEqual([]);
  });

  it('never deletes the best checkpoint', () => {
    expect(checkpointsToDelete(dirs(1, 2, 3, 4), 2, '/run/checkpoint-1')).toEqual(dirs(2, 3));
    expect(checkpointsToDelete(dirs(1, 2, 3, 4), 3, '/run/checkpoint-2')).toEqual(dirs(1));
  });

  it('with save_total_limit 1 keeps 2 while the best is not the last, 1 when it is', () => {
    expect(checkpointsToDelete(dirs(1, 2, 3), 1, '/run/checkpoint-1')).toEqual(dirs(2));
    expect(checkpointsToDelete(dirs(1, 2, 3), 1, '/run/checkpoint-3')).toEqual(dirs(1, 2));
    expect(checkpointsToDelete(dirs(1, 2, 3), 1)).toEqual(dirs(1, 2));
  });
});

describe('best-model bookkeeping', () => {
  it('greater_is_better defaults to false only for metrics ending with loss', () => {
    expect(defaultGreaterIsBetter('f1')).toBe(true);
    expect(defaultGreaterIsBetter('eval_loss')).toBe(false);
    expect(defaultGreaterIsBetter('loss')).toBe(false);
  });

  it('finds the metric with or without the eval_ prefix', () => {
    expect(metricValue({ score: 0.5, f1: 0.4, eval_loss: 1.5 }, 'eval_f1')).toBe(0.4);
    expect(metricValue({ score: 0.5, eval_loss: 1.5 }, 'loss')).toBe(1.5);
    expect(metricValue({ score: 0.5, per_label: {} }, 'per_label')).toBeUndefined();
  });

  it('a checkpoint is the best only on a strict improvement', () => {
    const best = { checkpoint: '/run/checkpoint-1', metric: 0.4, step: 1 };
    expect(isImprovement(0.1, undefined, true)).toBe(true);
    expect(isImprovement(0.4, best, true)).toBe(false);
    expect(isImprovement(0.41, best, true)).toBe(true);
    expect(isImprovement(0.39, best, false)).toBe(true);
    expect(isImprovement(Number.NaN, best, true)).toBe(false);
  });
});
