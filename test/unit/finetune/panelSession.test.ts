import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FallingScoreDetector } from '../../../src/core/train/overfitting';
import { PanelSession, type PanelHost } from '../../../src/host/finetune/panelSession';
import { StatusSession } from '../../../src/host/finetune/statusSession';
import { confusionOf, TrainingController } from '../../../src/host/finetune/trainingController';
import type { JobHandle, WorkerClient } from '../../../src/host/workerClient';
import type { TrainJob, TrainPayload, TrainProgress } from '../../../src/worker/jobKinds';
import { DEFAULT_FIELDS } from '../../../webview/form';
import { parseHostMessage, type HostMessage, type JobView, type RunView } from '../../../webview/protocol';

/** A training worker driven by the test: progress and the end are sent by hand. */
class ScriptedClient {
  progress: (p: TrainProgress) => void = () => undefined;
  finish: (result: TrainJob['result']) => void = () => undefined;
  payload: TrainPayload | undefined;
  readonly client: Pick<WorkerClient, 'start'> = {
    start: ((_kind: 'train', payload: TrainPayload, onProgress: (p: TrainProgress) => void): JobHandle<TrainJob['result']> => {
      this.payload = payload;
      this.progress = onProgress;
      return {
        id: 1 as never,
        result: new Promise((resolve) => (this.finish = resolve)),
        cancel: () => undefined,
        control: () => undefined,
      };
    }) as unknown as Pick<WorkerClient, 'start'>['start'],
  };
}

function payload(outputDir: string, args: TrainPayload['args'] = {}): TrainPayload {
  return { task: 'ner', model: { reference: '/models/ner' }, data: { kind: 'file', path: '/data/train.conll' }, dev: { kind: 'ratio', ratio: 0.2 }, args, trainLayers: 'all', outputDir };
}

const RUN = path.resolve('/runs/2026-12-03_10-00-00-ner');
const ck = (step: number): string => path.join(RUN, `checkpoint-${step}`);

describe('TrainingController: the checkpoint list follows the trainer', () => {
  it('drops what save_total_limit rotation deletes, keeps the best (HF: limit 1 keeps best and last), and marks it', async () => {
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    const ended = controller.start(payload(RUN, { save_total_limit: 1 }));
    const send = (p: TrainProgress): void => scripted.progress(p);
    const names = (): string[] => controller.view.checkpoints.map((c) => c.name);
    // The trainer's order: checkpoint (after its rotation with the new best), then best.
    send({ phase: 'checkpoint', step: 2, path: ck(2) });
    send({ phase: 'best', step: 2, path: ck(2), metric: 'score', value: 0.4 });
    expect(names()).toEqual(['checkpoint-2']);
    send({ phase: 'checkpoint', step: 4, path: ck(4) });
    // Not a new best: HF keeps the best and the newest.
    expect(names()).toEqual(['checkpoint-2', 'checkpoint-4']);
    send({ phase: 'checkpoint', step: 6, path: ck(6) });
    send({ phase: 'best', step: 6, path: ck(6), metric: 'score', value: 0.5 });
    expect(names()).toEqual(['checkpoint-6']);
    expect(controller.view.best).toEqual({ path: ck(6), metric: 'score', value: 0.5 });
    expect(controller.view.loadBestAtEnd).toBe(true);
    scripted.finish({ outputDir: RUN, steps: 6, bestModelCheckpoint: ck(6), diskBytes: 123_456 });
    const view = await ended;
    expect(view.checkpoints.map((c) => c.name)).toEqual(['checkpoint-6', 'final model']);
    expect(view.diskBytes).toBe(123_456);
    expect(view.best?.path).toBe(ck(6));
  });

  it('save_total_limit 0 keeps every checkpoint; a best named only by the result is kept too', async () => {
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    const ended = controller.start(payload(RUN, { save_total_limit: 0, load_best_model_at_end: false }));
    for (const step of [1, 2, 3]) scripted.progress({ phase: 'checkpoint', step, path: ck(step) });
    expect(controller.view.checkpoints).toHaveLength(3);
    expect(controller.view.loadBestAtEnd).toBe(false);
    scripted.finish({ outputDir: RUN, steps: 3, bestModelCheckpoint: ck(1) });
    const view = await ended;
    expect(view.best).toEqual({ path: ck(1), metric: 'metric_for_best_model', value: null });
    expect(view.diskBytes).toBeNull();
  });

  it('the overfitting warning (FallingScoreDetector) becomes the view\'s warning; other messages do not', async () => {
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    void controller.start(payload(RUN));
    scripted.progress({ phase: 'info', message: 'warning: dev split is small' });
    expect(controller.view.overfitting).toBeNull();
    const detector = new FallingScoreDetector(2);
    const warning = [0.5, 0.4, 0.3].map((v) => detector.add(v, 'score')).at(-1)!;
    scripted.progress({ phase: 'info', message: warning });
    expect(controller.view.overfitting).toBe(warning);
    expect(controller.view.messages).toContain(warning);
  });

  it('eval metrics carry the confusion matrix when it is well-formed and small enough', async () => {
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    void controller.start(payload(RUN));
    scripted.progress({ phase: 'eval', step: 2, epoch: 1, metrics: { score: 0.5, f1: 0.5, confusion: { labels: ['O', 'B-PER'], counts: [[3, 1], [0, 2]] } } });
    expect(controller.view.evals[0]!.confusion).toEqual({ labels: ['O', 'B-PER'], counts: [[3, 1], [0, 2]] });
    expect(confusionOf({ labels: ['O', 'B-PER'], counts: [[3, 1], [0]] })).toBeNull();
    expect(confusionOf({ labels: ['O'], counts: [[1.5]] })).toBeNull();
    expect(confusionOf({ labels: [1], counts: [[1]] })).toBeNull();
    const many = Array.from({ length: 300 }, (_, i) => `L${i}`);
    expect(confusionOf({ labels: many, counts: many.map(() => many.map(() => 0)) })).toBeNull();
    expect(confusionOf(undefined)).toBeNull();
  });
});

function run(name: string, overrides: Partial<RunView> = {}): RunView {
  const dir = path.resolve('/runs', name);
  return { name, path: dir, diskBytes: 2 ** 20, bestCheckpoint: path.join(dir, 'checkpoint-4'), nerModel: dir, checkpoints: ['checkpoint-4'], training: false, ...overrides };
}

function fakeHost(overrides: Partial<PanelHost> = {}): PanelHost & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    summarize: async () => null,
    models: async () => [],
    nerModel: () => 'bundled',
    plan: async () => ({ notices: [] }),
    pick: async () => undefined,
    useForNer: async (dir) => (calls.push(`useForNer ${dir}`), `using ${dir}`),
    exportModel: async () => undefined,
    savedFields: () => undefined,
    saveFields: () => undefined,
    runs: async () => [run('a'), run('b', { nerModel: null, bestCheckpoint: null, checkpoints: [] })],
    confirmDeleteRun: async (r) => (calls.push(`confirm ${r.name}`), true),
    deleteRun: async (dir) => void calls.push(`delete ${dir}`),
    openPanel: () => void calls.push('openPanel'),
    log: () => undefined,
    ...overrides,
  };
}

function lastNotice(messages: HostMessage[]): string | undefined {
  return messages.filter((m): m is Extract<HostMessage, { type: 'state' }> => m.type === 'state').at(-1)?.state.notices.at(-1)?.text;
}

describe('PanelSession: runs', () => {
  it('"Use for NER" on a run takes the folder the host listed for it; unlisted runs and runs without a model are refused', async () => {
    const host = fakeHost();
    const messages: HostMessage[] = [];
    const session = new PanelSession((m) => messages.push(parseHostMessage(structuredClone(m))), host, new TrainingController({ client: () => new ScriptedClient().client }));
    await session.receive({ type: 'ready' });
    const state = messages.filter((m) => m.type === 'state').at(-1) as Extract<HostMessage, { type: 'state' }>;
    expect(state.state.runs.map((r) => r.name)).toEqual(['a', 'b']);
    await session.receive({ type: 'useRunForNer', path: run('a').path });
    expect(host.calls).toEqual([`useForNer ${run('a').path}`]);
    await session.receive({ type: 'useRunForNer', path: '/etc' });
    expect(lastNotice(messages)).toMatch(/not one of the runs/);
    await session.receive({ type: 'useRunForNer', path: run('b').path });
    expect(lastNotice(messages)).toMatch(/holds no model yet/);
    // The run's model folder may also be exported (it was listed).
    await session.receive({ type: 'export', path: run('a').nerModel! });
    expect(lastNotice(messages)).not.toMatch(/not one of the models/);
    expect(host.calls).toHaveLength(1);
    session.dispose();
  });

  it('Delete run asks first, deletes, and refreshes; a cancelled dialog deletes nothing', async () => {
    let confirm = false;
    const host = fakeHost({ confirmDeleteRun: async () => confirm });
    const messages: HostMessage[] = [];
    const session = new PanelSession((m) => messages.push(parseHostMessage(structuredClone(m))), host, new TrainingController({ client: () => new ScriptedClient().client }));
    await session.receive({ type: 'ready' });
    await session.receive({ type: 'deleteRun', path: run('a').path });
    expect(host.calls).toEqual([]);
    confirm = true;
    await session.receive({ type: 'deleteRun', path: run('a').path });
    expect(host.calls).toEqual([`delete ${run('a').path}`]);
    expect(lastNotice(messages)).toBe('Deleted the run a.');
    await session.receive({ type: 'deleteRun', path: '/home' });
    expect(host.calls).toHaveLength(1);
    expect(lastNotice(messages)).toMatch(/not one of the runs/);
    session.dispose();
  });

  it('a page opened while the job runs (the panel was closed and opened again) lists the run as finished when it ends', async () => {
    const training = run('2026-12-03_10-00-00-ner');
    let listing: RunView[] = [{ ...training, training: true }];
    const host = fakeHost({ runs: async () => listing, plan: async () => ({ payload: payload(training.path), notices: [] }) });
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    const first = new PanelSession(() => undefined, host, controller);
    await first.receive({ type: 'ready' });
    await first.receive({ type: 'start', fields: DEFAULT_FIELDS });
    first.dispose();
    const messages: HostMessage[] = [];
    const reopened = new PanelSession((m) => messages.push(parseHostMessage(structuredClone(m))), host, controller);
    await reopened.receive({ type: 'ready' });
    const runsNow = (): RunView[] => (messages.filter((m) => m.type === 'state').at(-1) as Extract<HostMessage, { type: 'state' }>).state.runs;
    expect(runsNow().map((r) => r.training)).toEqual([true]);
    listing = [{ ...training, training: false, diskBytes: 1234 }];
    scripted.finish({ outputDir: training.path, steps: 1 });
    await expect.poll(() => runsNow()[0]).toMatchObject({ training: false, diskBytes: 1234 });
    reopened.dispose();
  });

  it('Delete run refuses the run being trained without asking', async () => {
    const training = run('2026-12-03_10-00-00-ner');
    const host = fakeHost({ runs: async () => [training], plan: async () => ({ payload: payload(training.path), notices: [] }) });
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    const messages: HostMessage[] = [];
    const session = new PanelSession((m) => messages.push(parseHostMessage(structuredClone(m))), host, controller);
    await session.receive({ type: 'ready' });
    await session.receive({ type: 'start', fields: DEFAULT_FIELDS });
    expect(controller.active).toBe(true);
    await session.receive({ type: 'deleteRun', path: training.path });
    expect(host.calls).toEqual([]);
    expect(lastNotice(messages)).toMatch(/is training: cancel the job/);
    // Once it ended, the same run can go.
    scripted.finish({ outputDir: training.path, steps: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await session.receive({ type: 'deleteRun', path: training.path });
    expect(host.calls).toEqual([`confirm ${training.name}`, `delete ${training.path}`]);
    session.dispose();
  });
});

describe('StatusSession: the sidebar\'s compact status', () => {
  it('sends the job, opens the panel, and acts on nothing else', async () => {
    const scripted = new ScriptedClient();
    const controller = new TrainingController({ client: () => scripted.client });
    const posted: HostMessage[] = [];
    const calls: string[] = [];
    const status = new StatusSession((m) => posted.push(parseHostMessage(structuredClone(m))), controller, { openPanel: () => calls.push('open'), log: (_, m) => calls.push(m) });
    status.receive({ type: 'ready' });
    expect((posted[0] as { job: JobView }).job.status).toBe('idle');
    status.receive({ type: 'openPanel' });
    expect(calls).toEqual(['open']);
    status.receive({ type: 'deleteRun', path: '/runs/a' });
    status.receive({ type: 'start', fields: DEFAULT_FIELDS });
    expect(controller.active).toBe(false);
    expect(calls.slice(1)).toEqual([expect.stringMatching(/ignored "deleteRun"/), expect.stringMatching(/ignored "start"/)]);
    void controller.start(payload(RUN));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((posted.at(-1) as { job: JobView }).job.status).toBe('starting');
    status.dispose();
  });
});
