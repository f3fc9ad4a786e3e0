// The training job end to end: the real worker bundle in a child process, the fixture BERT, a few
// synthetic annotated documents; then the host's TrainingController and a panel session on top.
import { promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { Random } from '../../../src/core/util/random';
import { PanelSession, type PanelHost } from '../../../src/host/finetune/panelSession';
import { TrainingController } from '../../../src/host/finetune/trainingController';
import { JobError, type WorkerClient } from '../../../src/host/workerClient';
import type { TrainPayload, TrainProgress } from '../../../src/worker/jobKinds';
import { DEFAULT_FIELDS } from '../../../webview/form';
import { totalTrainingSteps } from '../../../webview/lrPreview';
import { parseHostMessage, type HostMessage, type JobView } from '../../../webview/protocol';
import { bundleWorker, clientFor, REPO } from '../host/workerHarness';

const BASE = path.join(REPO, 'test/fixtures/models/base');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-train-job-'));
let worker: { workerPath: string; dispose(): Promise<void> };
let client: WorkerClient;

beforeAll(async () => {
  worker = await bundleWorker();
  client = clientFor(worker.workerPath);
});
afterAll(async () => {
  client?.dispose();
  await worker?.dispose();
  await fs.rm(work, { recursive: true, force: true });
});

/** Documents as the annotation store holds them: lines of words the fixture vocabulary knows, PER and LOC spans. */
function documents(count: number, linesEach: number, seed: number): AnnotatedDocument[] {
  const random = new Random(seed);
  const people = ['John', 'Mary', 'Smith', 'Obama'];
  const places = ['London', 'Paris', 'Berlin', 'Texas'];
  const filler = 'the of and to in was for on with by at from his it'.split(' ');
  return Array.from({ length: count }, (_, d) => {
    let text = '';
    const spans: AnnotatedDocument['spans'] = [];
    for (let line = 0; line < linesEach; line++) {
      if (line > 0) text += '\n';
      for (let w = 0; w < 4 + random.int(5); w++) {
        if (w > 0) text += ' ';
        const r = random.next();
        const [word, label] = r < 0.2 ? [people[random.int(4)]!, 'PER'] : r < 0.35 ? [places[random.int(4)]!, 'LOC'] : [filler[random.int(filler.length)]!, undefined];
        if (label) spans.push({ start: text.length, end: text.length + word.length, label });
        text += word;
      }
    }
    return { text, spans, meta: { path: `doc-${d}.txt` } };
  });
}

function payload(outputDir: string, overrides: Partial<TrainPayload> = {}): TrainPayload {
  return {
    task: 'ner', model: { reference: BASE }, data: { kind: 'documents', documents: documents(4, 10, 1) }, dev: { kind: 'ratio', ratio: 0.25 },
    args: { learning_rate: 3e-3, num_train_epochs: 2, per_device_train_batch_size: 4, save_steps: 4, seed: 7 }, trainLayers: 'all', outputDir,
    ...overrides,
  };
}

function waitFor<T>(events: T[], predicate: (e: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const found = events.find(predicate);
      if (found) resolve(found);
      else if (Date.now() - started > timeoutMs) reject(new Error('timed out waiting for an event'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('train job in the worker', () => {
  it('streams start/log/eval/checkpoint events and writes checkpoints and the final HF folder', async () => {
    const out = path.join(work, 'run');
    const events: TrainProgress[] = [];
    const result = await client.run('train', payload(out), { onProgress: (p) => events.push(p) });
    const start = events.find((e) => e.phase === 'start') as Extract<TrainProgress, { phase: 'start' }>;
    // 40 sentences, 10 (ceil 25 %) held out for dev: 30 rows, batches of 4 → 8 steps per epoch.
    expect(start).toMatchObject({ trainExamples: 30, devExamples: 10, trainRows: 30, totalSteps: 16 });
    expect(start.totalSteps).toBe(totalTrainingSteps(start.trainRows, 4, 2));
    expect(start.labels).toEqual(['B-LOC', 'B-PER', 'O']);
    const logs = events.filter((e): e is Extract<TrainProgress, { phase: 'log' }> => e.phase === 'log');
    expect(logs.map((l) => l.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(logs.every((l) => Number.isFinite(l.loss) && l.eta_s >= 0)).toBe(true);
    expect(logs.at(-1)!.eta_s).toBe(0);
    // The preview's schedule is the one the optimizer used: linear decay from 3e-3 over 16 steps.
    logs.forEach((l, i) => expect(l.learning_rate).toBeCloseTo(3e-3 * (16 - i) / 16, 12));
    expect(events.filter((e) => e.phase === 'eval').map((e) => (e as { step: number }).step)).toEqual([8, 16]);
    const checkpoints = events.filter((e): e is Extract<TrainProgress, { phase: 'checkpoint' }> => e.phase === 'checkpoint');
    expect(checkpoints.map((c) => c.step)).toEqual([4, 8, 12, 16]);
    // save_total_limit 2 (the default), HF rotation: the newest, and the best (evaluated at 8, 16) or else the one before.
    const kept = (await fs.readdir(out)).filter((n) => /^checkpoint-\d+$/.test(n)).sort();
    expect(kept).toContain('checkpoint-16');
    expect(kept.length).toBeLessThanOrEqual(3);
    for (const name of kept) await fs.access(path.join(out, name, 'model.safetensors'));
    expect(events.some((e) => e.phase === 'info' && /dev split: 10 of 40 examples held out/.test(e.message))).toBe(true);
    expect(events.some((e) => e.phase === 'info' && /newly initialized/.test(e.message))).toBe(true);
    expect(result).toMatchObject({ outputDir: out, steps: 16 });
    expect(typeof result.metrics?.score).toBe('number');
    await fs.access(path.join(out, 'onnx', 'model.onnx'));
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { architectures: string[] };
    expect(config.architectures).toEqual(['BertForTokenClassification']);
  });

  it('pause holds between steps, resume continues, cancel stops (also while paused)', async () => {
    const out = path.join(work, 'pause');
    const events: TrainProgress[] = [];
    const startedAt = Date.now();
    const job = client.start('train', payload(out, {
      data: { kind: 'documents', documents: documents(10, 20, 2) }, dev: { kind: 'none' },
      args: { num_train_epochs: 20, per_device_train_batch_size: 2, save_steps: 5, seed: 3 },
    }), (p) => events.push(p));
    const outcome = job.result.then(() => 'finished', (error: unknown) => error);
    await waitFor(events, (e) => e.phase === 'log' && e.step >= 2);
    job.control('pause');
    const paused = await waitFor(events, (e) => e.phase === 'paused') as { step: number };
    const logsAtPause = events.filter((e) => e.phase === 'log').length;
    await new Promise((r) => setTimeout(r, 1500));
    // Nothing moves while paused (the step that was running when Pause arrived may finish).
    expect(events.filter((e) => e.phase === 'log').length).toBe(logsAtPause);
    expect(Math.max(...events.filter((e) => e.phase === 'log').map((e) => (e as { step: number }).step))).toBe(paused.step);

    job.control('resume');
    await waitFor(events, (e) => e.phase === 'resumed');
    await waitFor(events, (e) => e.phase === 'log' && e.step >= paused.step + 3);
    const afterResume = events.filter((e) => e.phase === 'log').map((e) => (e as { step: number }).step);
    expect(afterResume).toEqual(Array.from({ length: afterResume.length }, (_, i) => i + 1));
    // The ETA leaves the 1.5 s pause out: elapsed_s counts active training time only.
    const last = events.filter((e) => e.phase === 'log').at(-1) as { elapsed_s: number };
    expect(last.elapsed_s).toBeGreaterThan(0);
    expect(last.elapsed_s).toBeLessThan((Date.now() - startedAt) / 1000 - 1.4);

    job.control('pause');
    await waitFor(events, (e) => e.phase === 'paused' && events.indexOf(e) > events.findIndex((r) => r.phase === 'resumed'));
    job.cancel();
    const error = await outcome;
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).code).toBe('cancelled');
    // The job never reached its end: no final model, but the checkpoints it saved are intact.
    await expect(fs.access(path.join(out, 'onnx', 'model.onnx'))).rejects.toThrow();
    const saved = events.filter((e) => e.phase === 'checkpoint') as Array<{ path: string }>;
    for (const c of saved) await fs.access(path.join(c.path, 'model.safetensors'));
  });

  it('trains classification from the text categories: multi-label as soon as one decision is, eval by micro F1, the head saved with its labels', async () => {
    const out = path.join(work, 'categories');
    // Paragraphs of words the fixture vocabulary knows; each decision a paragraph with its labels.
    const paragraphs: Array<[string, string[]]> = [
      ['John met Mary', ['person']], ['London and Paris', ['place']], ['John in London', ['person', 'place']], ['the of and to', []],
      ['Mary and Smith', ['person']], ['Berlin to Texas', ['place']], ['Obama in Paris', ['person', 'place']], ['in the of', []],
    ];
    const text = paragraphs.map(([words]) => words).join('\n\n');
    const categories = paragraphs.map(([words, accept]) => ({ start: text.indexOf(words), end: text.indexOf(words) + words.length, scope: 'paragraph' as const, options: ['person', 'place'], multiLabel: true, accept }));
    const events: TrainProgress[] = [];
    const result = await client.run('train', payload(out, {
      task: 'classify', data: { kind: 'documents', documents: [{ text, spans: [], meta: { path: 'cats.txt' }, categories }] }, dev: { kind: 'ratio', ratio: 0.25 },
      args: { learning_rate: 3e-3, num_train_epochs: 2, per_device_train_batch_size: 2, save_steps: 100, seed: 7 },
    }), { onProgress: (p) => events.push(p) });
    const start = events.find((e) => e.phase === 'start') as Extract<TrainProgress, { phase: 'start' }>;
    expect(start).toMatchObject({ trainExamples: 6, devExamples: 2, labels: ['person', 'place'] });
    expect(events.some((e) => e.phase === 'info' && /8 classification example\(s\) from the text categories \(multi-label\)/.test(e.message))).toBe(true);
    const evals = events.filter((e): e is Extract<TrainProgress, { phase: 'eval' }> => e.phase === 'eval');
    expect(evals.length).toBeGreaterThan(0);
    for (const e of evals) {
      const metrics = e.metrics as Record<string, unknown>;
      expect(metrics.score).toBe(metrics.micro_f1);
      expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(Object.keys(metrics.per_label as object).sort()).toEqual(['person', 'place']);
    }
    expect(result.outputDir).toBe(out);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { architectures: string[]; problem_type: string; id2label: Record<string, string> };
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.problem_type).toBe('multi_label_classification');
    expect(config.id2label).toEqual({ 0: 'person', 1: 'place' });
  });

  it('refuses bad requests with clear messages', async () => {
    const out = path.join(work, 'bad');
    const onnxOnly = path.join(work, 'onnx-only');
    await fs.cp(path.join(REPO, 'test/fixtures/models/token-classification'), onnxOnly, { recursive: true });
    await fs.rm(path.join(onnxOnly, 'model.safetensors'));
    await fs.mkdir(path.join(onnxOnly, 'onnx'), { recursive: true });
    await fs.writeFile(path.join(onnxOnly, 'onnx', 'model.onnx'), 'not really a graph');
    const failures: Array<[Partial<TrainPayload>, string, RegExp]> = [
      [{ model: { reference: onnxOnly } }, 'model-folder', /has no model\.safetensors: fine-tuning needs the weights as safetensors/],
      [{ args: { learning_rate: -1 } }, 'bad-request', /learning_rate must be a positive number/],
      [{ args: { lr_scheduler_type: 'polynomial', learning_rate: 1e-8 } }, 'bad-request', /lr_end .* must be smaller than initial lr/],
      [{ args: { learningRate: 1 } as never }, 'bad-request', /unknown training argument\(s\): learningRate/],
      [{ outputDir: 'relative/out' }, 'bad-request', /outputDir must be an absolute path/],
      [{ data: { kind: 'documents', documents: [{ text: 'ab', spans: [{ start: 1, end: 9, label: 'X' }], meta: { path: 'a.txt' } }] } }, 'bad-request', /a\.txt: span 0: \[1, 9\) is outside the text/],
      [{ task: 'classify' }, 'failed', /have no text categories to train on/],
      [{ task: 'classify', data: { kind: 'documents', documents: [{ text: 'ab', spans: [], meta: { path: 'c.txt' }, categories: [{ start: 0, end: 2, scope: 'paragraph', options: ['x'], multiLabel: false, accept: ['y'] }] }] } }, 'bad-request', /c\.txt: category decision 0: accepted label "y" is not among the options/],
      [{ data: { kind: 'documents', documents: [] } }, 'failed', /no examples/],
      [{ task: 'classify', data: { kind: 'documents', documents: [], unit: 'sentence' as never } }, 'bad-request', /data\.unit must be one of all, paragraph, document/],
      [{ task: 'classify', data: { kind: 'documents', documents: [{ text: 'ab', spans: [], meta: { path: 'p.txt' }, categories: [{ start: 0, end: 2, scope: 'paragraph', options: ['x'], multiLabel: false, accept: ['x'] }] }], unit: 'document' } }, 'failed', /no text categories on whole documents to train on/],
      [{ data: { kind: 'file', path: path.join(work, 'missing.conll') } }, 'failed', /missing\.conll: no such file/],
    ];
    for (const [overrides, code, message] of failures) {
      const error = await client.run('train', payload(out, overrides)).then(() => undefined, (e: unknown) => e);
      expect(error, JSON.stringify(overrides).slice(0, 80)).toBeInstanceOf(JobError);
      expect((error as JobError).code, (error as JobError).message).toBe(code);
      expect((error as JobError).message).toMatch(message);
    }
  });
});

describe('the host side: TrainingController and panel sessions', () => {
  function fakeHost(plan: (fields: typeof DEFAULT_FIELDS) => Promise<{ payload?: TrainPayload; notices: [] }>): PanelHost {
    return {
      summarize: async () => null,
      models: async () => [],
      nerModel: () => 'bundled',
      plan,
      pick: async () => undefined,
      useForNer: async (dir) => `using ${dir}`,
      exportModel: async () => undefined,
      savedFields: () => undefined,
      saveFields: () => undefined,
      runs: async () => [],
      confirmDeleteRun: async () => false,
      deleteRun: async () => undefined,
      openPanel: () => undefined,
      log: () => undefined,
    };
  }

  it('a job survives closing the panel; a new panel gets its whole state, and only listed checkpoints are acted on', async () => {
    const controller = new TrainingController({ client: () => client });
    const out = path.join(work, 'panel');
    const long = payload(out, { data: { kind: 'documents', documents: documents(6, 20, 4) }, dev: { kind: 'ratio', ratio: 0.2 }, args: { num_train_epochs: 3, per_device_train_batch_size: 4, save_steps: 3, seed: 1 } });
    let used: string | undefined;
    const host = { ...fakeHost(async () => ({ payload: long, notices: [] })), useForNer: async (dir: string) => (used = dir, `using ${dir}`) };
    const first: HostMessage[] = [];
    const panelA = new PanelSession((m) => first.push(parseHostMessage(structuredClone(m))), host, controller);
    await panelA.receive({ type: 'ready' });
    await panelA.receive({ type: 'start', fields: DEFAULT_FIELDS });
    await waitFor(first, (m) => m.type === 'job' && m.job.status === 'running' && m.job.step >= 2);
    const stepAtClose = controller.view.step;
    panelA.dispose();
    const receivedBeforeClose = first.length;

    // While no panel is open, the job goes on in the worker.
    await new Promise<void>((resolve) => {
      const sub = controller.onDidChange((job) => {
        if (job.step >= stepAtClose + 5 || !controller.active) {
          sub.dispose();
          resolve();
        }
      });
    });
    expect(first.length).toBe(receivedBeforeClose);

    const second: HostMessage[] = [];
    const panelB = new PanelSession((m) => second.push(parseHostMessage(structuredClone(m))), host, controller);
    await panelB.receive({ type: 'ready' });
    const resync = second.find((m): m is Extract<HostMessage, { type: 'job' }> => m.type === 'job')!;
    expect(resync.job.step).toBeGreaterThanOrEqual(stepAtClose + 5);
    expect(resync.job.log.map((p) => p.step).slice(0, resync.job.step)).toEqual(Array.from({ length: resync.job.step }, (_, i) => i + 1));
    expect(resync.job.checkpoints.length).toBeGreaterThan(0);

    // A second start while one runs is refused with a message.
    if (controller.active) {
      await panelB.receive({ type: 'start', fields: DEFAULT_FIELDS });
      const state = second.filter((m): m is Extract<HostMessage, { type: 'state' }> => m.type === 'state').at(-1)!;
      expect(state.state.notices.at(-1)!.text).toMatch(/already running/);
    }
    const done = await waitFor(second, (m) => m.type === 'job' && !['starting', 'running', 'paused', 'cancelling'].includes(m.job.status), 120_000) as { job: JobView };
    expect(done.job.status).toBe('done');
    const final = done.job.checkpoints.find((c) => c.final)!;
    expect(final.path).toBe(out);
    expect(done.job.evals.length).toBe(3);
    expect(done.job.evals[0]!.perLabel.map((l) => l.label).sort()).toEqual(['LOC', 'PER']);
    // The list follows the trainer's save_total_limit rotation: exactly the checkpoints on disk, the best among them.
    const listed = done.job.checkpoints.filter((c) => !c.final).map((c) => path.basename(c.path)).sort();
    const onDisk = (await fs.readdir(out)).filter((n) => /^checkpoint-\d+$/.test(n)).sort();
    expect(listed).toEqual(onDisk);
    expect(onDisk.length).toBeLessThanOrEqual(3);
    expect(done.job.best).not.toBeNull();
    expect(onDisk).toContain(path.basename(done.job.best!.path));
    expect(done.job.diskBytes).toBeGreaterThan(0);
    const confusion = done.job.evals.at(-1)!.confusion!;
    expect(confusion.labels).toEqual(expect.arrayContaining(['O', 'B-PER', 'B-LOC']));
    expect(confusion.counts).toHaveLength(confusion.labels.length);
    expect(confusion.counts.flat().reduce((a, c) => a + c, 0)).toBeGreaterThan(0);

    // Paths the panel did not list are refused; listed ones reach the host.
    await panelB.receive({ type: 'useForNer', path: '/etc' });
    expect(used).toBeUndefined();
    await panelB.receive({ type: 'useForNer', path: final.path });
    expect(used).toBe(final.path);
    // Malformed messages are dropped without effect.
    await panelB.receive({ type: 'start', fields: { task: 'ner' } });
    await panelB.receive('cancel');
    expect(controller.view.status).toBe('done');
    panelB.dispose();
  });

  it('Pause/Resume/Cancel through the controller update the view', async () => {
    const controller = new TrainingController({ client: () => client });
    const statuses: string[] = [];
    controller.onDidChange((job) => {
      if (statuses.at(-1) !== job.status) statuses.push(job.status);
    });
    const run = controller.start(payload(path.join(work, 'controls'), {
      data: { kind: 'documents', documents: documents(8, 20, 5) }, dev: { kind: 'none' }, args: { num_train_epochs: 30, per_device_train_batch_size: 2, seed: 2 },
    }));
    await waitFor(statuses, (s) => s === 'running');
    controller.pause();
    await waitFor(statuses, (s) => s === 'paused');
    controller.resume();
    await new Promise<void>((resolve) => {
      const sub = controller.onDidChange((job) => {
        if (job.status === 'running') {
          sub.dispose();
          resolve();
        }
      });
    });
    controller.cancel();
    const final = await run;
    expect(final.status).toBe('cancelled');
    expect(final.error).toBeNull();
    expect(statuses).toEqual(['starting', 'running', 'paused', 'running', 'cancelling', 'cancelled']);
  });
});
