import { describe, expect, it } from 'vitest';
import { DEFAULT_FIELDS } from '../../../webview/form';
import {
  IDLE_JOB, MessageError, parseHostMessage, parseSavedFields, parseWebviewMessage, thinPoints, type HostMessage, type JobView,
} from '../../../webview/protocol';

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('webview → host messages', () => {
  it('accepts every message kind and copies only known fields', () => {
    expect(parseWebviewMessage({ type: 'ready', extra: 1 })).toEqual({ type: 'ready' });
    for (const type of ['pause', 'resume', 'cancel', 'refreshDataset'] as const) expect(parseWebviewMessage({ type })).toEqual({ type });
    const start = parseWebviewMessage({ type: 'start', fields: { ...DEFAULT_FIELDS, injected: 'x' } });
    expect(start).toEqual({ type: 'start', fields: DEFAULT_FIELDS });
    expect(Object.keys((start as { fields: object }).fields)).not.toContain('injected');
    expect(parseWebviewMessage({ type: 'pick', field: 'devPath' })).toEqual({ type: 'pick', field: 'devPath' });
    expect(parseWebviewMessage({ type: 'useForNer', path: '/a/checkpoint-4' })).toEqual({ type: 'useForNer', path: '/a/checkpoint-4' });
    expect(parseWebviewMessage({ type: 'problem', text: HOSTILE })).toEqual({ type: 'problem', text: HOSTILE });
    expect(parseWebviewMessage({ type: 'useRunForNer', path: '/runs/a', extra: 1 })).toEqual({ type: 'useRunForNer', path: '/runs/a' });
    expect(parseWebviewMessage({ type: 'deleteRun', path: '/runs/a' })).toEqual({ type: 'deleteRun', path: '/runs/a' });
    expect(parseWebviewMessage({ type: 'openPanel', path: '/x' })).toEqual({ type: 'openPanel' });
  });

  it.each([
    ['not an object', 'start'],
    ['null', null],
    ['an array', [{ type: 'ready' }]],
    ['unknown type', { type: 'eval', code: 'alert(1)' }],
    ['type from the prototype', Object.create({ type: 'ready' })],
    ['class instance', new (class { type = 'ready'; })()],
    ['fields missing a key', { type: 'start', fields: { ...DEFAULT_FIELDS, seed: undefined } }],
    ['a field that is not a string', { type: 'fieldsChanged', fields: { ...DEFAULT_FIELDS, learning_rate: 5e-5 } }],
    ['a huge field', { type: 'start', fields: { ...DEFAULT_FIELDS, dataFile: 'x'.repeat(5000) } }],
    ['fields as an array', { type: 'start', fields: [] }],
    ['pick of an unknown field', { type: 'pick', field: 'outputDir' }],
    ['useForNer without a path', { type: 'useForNer' }],
    ['useForNer with a blank path', { type: 'useForNer', path: '   ' }],
    ['export with a non-string path', { type: 'export', path: { toString: () => '/etc' } }],
    ['deleteRun without a path', { type: 'deleteRun' }],
    ['deleteRun with a blank path', { type: 'deleteRun', path: '' }],
    ['useRunForNer with a number', { type: 'useRunForNer', path: 42 }],
    ['a too long problem text', { type: 'problem', text: 'x'.repeat(30_000) }],
  ])('rejects %s', (_, message) => {
    expect(() => parseWebviewMessage(message)).toThrow(MessageError);
  });

  it('is not fooled by __proto__ keys from JSON', () => {
    const message = JSON.parse(`{"type":"start","fields":${JSON.stringify({ ...DEFAULT_FIELDS })},"__proto__":{"type":"cancel","polluted":true}}`) as unknown;
    const parsed = parseWebviewMessage(message);
    expect(parsed.type).toBe('start');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const fieldsOnly = JSON.parse('{"type":"start","fields":{"__proto__":{"task":"ner"}}}') as unknown;
    expect(() => parseWebviewMessage(fieldsOnly)).toThrow(/fields\.task must be a string/);
  });
});

function job(overrides: Partial<JobView> = {}): JobView {
  return {
    ...IDLE_JOB, status: 'running', task: 'ner', outputDir: '/runs/a', step: 3, totalSteps: 10, epoch: 0.3, elapsedSeconds: 1.5, etaSeconds: 3.2,
    log: [{ step: 1, epoch: 0.1, loss: 2.1, learning_rate: 5e-5, grad_norm: 1.2 }],
    evals: [{
      step: 3, epoch: 0.3, score: 0.5, metrics: [{ name: 'f1', value: 0.5 }], perLabel: [{ label: HOSTILE, precision: 1, recall: 0.5, f1: 2 / 3, support: 2 }],
      confusion: { labels: ['O', `B-${HOSTILE}`], counts: [[5, 1], [0, 2]] },
    }],
    checkpoints: [{ step: 3, path: '/runs/a/checkpoint-3', name: 'checkpoint-3', final: false }],
    messages: ['newly initialized: classifier.weight'], error: null, scoreName: 'f1',
    best: { path: '/runs/a/checkpoint-3', metric: 'score', value: 0.5 }, loadBestAtEnd: true, diskBytes: 1234,
    overfitting: 'warning: dev score got worse 3 evaluations in a row (0.5 → 0.4 → 0.3 → 0.2): ...',
    ...overrides,
  };
}

describe('host → webview messages', () => {
  it('round-trips state, job and picked messages', () => {
    const messages: HostMessage[] = [
      {
        type: 'state', state: {
          dataset: { task: 'ner', source: 'workspace annotations', documents: 2, examples: 5, labelCounts: [{ label: HOSTILE, count: 2 }], train: 4, dev: 1, warnings: ['w'], errors: [] },
          models: [{ label: 'run / checkpoint-3', path: '/runs/a/checkpoint-3' }], fields: { ...DEFAULT_FIELDS }, notices: [{ level: 'warning', text: HOSTILE }], nerModel: 'bundled',
          runs: [
            { name: HOSTILE, path: '/runs/a', diskBytes: 1 << 20, bestCheckpoint: '/runs/a/checkpoint-3', nerModel: '/runs/a', checkpoints: ['checkpoint-3'], training: false },
            { name: 'b', path: '/runs/b', diskBytes: 0, bestCheckpoint: null, nerModel: null, checkpoints: [], training: true },
          ],
        },
      },
      { type: 'state', state: { dataset: null, models: [], fields: null, notices: [], nerModel: '', runs: [] } },
      { type: 'job', job: job() },
      { type: 'job', job: { ...IDLE_JOB } },
      { type: 'job', job: job({ best: { path: '/runs/a/checkpoint-3', metric: 'metric_for_best_model', value: null }, diskBytes: null, overfitting: null }) },
      { type: 'picked', field: 'dataFile', path: '/data/train.conll' },
    ];
    for (const message of messages) expect(parseHostMessage(structuredClone(message))).toEqual(message);
  });

  it.each([
    ['a NaN loss', { log: [{ step: 1, epoch: 0, loss: NaN, learning_rate: 1, grad_norm: 1 }] }],
    ['an infinite ETA', { etaSeconds: Infinity }],
    ['a negative step', { step: -1 }],
    ['a fractional step', { step: 1.5 }],
    ['an unknown status', { status: 'hacked' }],
    ['a checkpoint without a path', { checkpoints: [{ step: 1, path: '', name: 'x', final: false }] }],
    ['final as a string', { checkpoints: [{ step: 1, path: '/x', name: 'x', final: 'yes' }] }],
    ['a label that is not text', { evals: [{ step: 1, epoch: 0, score: 0, metrics: [], perLabel: [{ label: { html: HOSTILE }, precision: 0, recall: 0, f1: 0, support: 0 }] }] }],
    ['too many chart points', { log: Array.from({ length: 2001 }, (_, i) => ({ step: i, epoch: 0, loss: 1, learning_rate: 1, grad_norm: 1 })) }],
    ['messages that are not text', { messages: [42] }],
    ['a confusion matrix that is not square', { evals: [{ ...job().evals[0]!, confusion: { labels: ['O', 'B-PER'], counts: [[1, 2], [3]] } }] }],
    ['a negative count in the confusion matrix', { evals: [{ ...job().evals[0]!, confusion: { labels: ['O'], counts: [[-1]] } }] }],
    ['a confusion label that is markup in an object', { evals: [{ ...job().evals[0]!, confusion: { labels: [{ html: HOSTILE }], counts: [[1]] } }] }],
    ['a best checkpoint without a path', { best: { path: '', metric: 'score', value: 1 } }],
    ['a fractional disk use', { diskBytes: 1.5 }],
  ])('rejects a job with %s', (_, overrides) => {
    expect(() => parseHostMessage({ type: 'job', job: { ...job(), ...overrides } })).toThrow(MessageError);
  });

  it('rejects malformed state and picked messages', () => {
    expect(() => parseHostMessage({ type: 'state', state: { dataset: null, models: [], fields: null, notices: [{ level: 'fatal', text: 'x' }], nerModel: '' } })).toThrow(/level/);
    expect(() => parseHostMessage({ type: 'state', state: { dataset: { task: 'ner' }, models: [], fields: null, notices: [], nerModel: '' } })).toThrow(/dataset\.source/);
    expect(() => parseHostMessage({ type: 'picked', field: 'baseModel' })).toThrow(/path/);
    const run = { name: 'a', path: '/runs/a', diskBytes: 1, bestCheckpoint: null, nerModel: null, checkpoints: [], training: false };
    const state = (runs: unknown[]): unknown => ({ type: 'state', state: { dataset: null, models: [], fields: null, notices: [], nerModel: '', runs } });
    expect(parseHostMessage(state([run]))).toMatchObject({ state: { runs: [run] } });
    expect(() => parseHostMessage(state([{ ...run, training: 'no' }]))).toThrow(/training/);
    expect(() => parseHostMessage(state([{ ...run, diskBytes: -1 }]))).toThrow(/diskBytes/);
    expect(() => parseHostMessage(state([{ ...run, path: '' }]))).toThrow(/path/);
    expect(() => parseHostMessage({ type: 'run', code: 'x' })).toThrow(/unknown message type/);
    expect(() => parseHostMessage('state')).toThrow(MessageError);
  });

  it('thinPoints keeps the first and last points and at most the maximum', () => {
    const points = Array.from({ length: 5000 }, (_, i) => i);
    const thin = thinPoints(points, 1000);
    expect(thin).toHaveLength(1000);
    expect(thin[0]).toBe(0);
    expect(thin[999]).toBe(4999);
    expect(thinPoints([1, 2, 3], 1000)).toEqual([1, 2, 3]);
  });
});

describe('saved form fields', () => {
  it('keeps what an earlier version saved and gives fields it did not have their defaults', () => {
    const { group_by_length: _added, ...older } = { ...DEFAULT_FIELDS, learning_rate: '3e-4', seed: '7' };
    const restored = parseSavedFields(older);
    expect(restored.learning_rate).toBe('3e-4');
    expect(restored.seed).toBe('7');
    expect(restored.group_by_length).toBe(DEFAULT_FIELDS.group_by_length);
  });

  it('still refuses saved fields of the wrong type or size', () => {
    expect(() => parseSavedFields({ ...DEFAULT_FIELDS, seed: 7 })).toThrow(MessageError);
    expect(() => parseSavedFields('fields')).toThrow(MessageError);
    expect(() => parseSavedFields({ ...DEFAULT_FIELDS, baseModel: 'x'.repeat(100_000) })).toThrow(/longer than/);
  });
});
