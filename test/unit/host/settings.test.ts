import * as os from 'node:os';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JobError } from '../../../src/host/workerClient';
import { failureMessage } from '../../../src/host/ner/failureMessage';
import { chooseModel, ModelSettingError, type ModelChoice } from '../../../src/host/ner/modelChoice';
import { bundledDescription, parseBundledManifest, readBundledManifest } from '../../../src/host/ner/modelManifest';
import { NER_SETTING_DEFAULTS, readNerSettings } from '../../../src/host/ner/nerSettings';
import { ProgressSteps } from '../../../src/host/ner/progressSteps';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; title: string }>;
    configuration: { properties: Record<string, { default: unknown; markdownDescription?: string; description?: string }> };
    views: Record<string, Array<{ id: string }>>;
    viewsContainers: { activitybar: Array<{ id: string; icon: string }> };
  };
};
const PROPERTIES = PACKAGE.contributes.configuration.properties;

describe('NER settings', () => {
  it('reads the package.json defaults as NER_SETTING_DEFAULTS, and every setting is documented', () => {
    const { settings, problems } = readNerSettings((name) => PROPERTIES[name]?.default);
    expect(problems).toEqual([]);
    expect(settings).toEqual(NER_SETTING_DEFAULTS);
    for (const [name, property] of Object.entries(PROPERTIES)) {
      expect((property.markdownDescription ?? property.description ?? '').length, name).toBeGreaterThan(20);
    }
    for (const name of ['bertLens.ner.model', 'bertLens.ner.aggregationStrategy', 'bertLens.ner.ignoreLabels', 'bertLens.ner.runOnSave',
      'bertLens.inference.maxLength', 'bertLens.inference.stride', 'bertLens.inference.batchSize', 'bertLens.inference.threads',
      'bertLens.inference.quantized', 'bertLens.hub.endpoint', 'bertLens.hub.offline']) {
      expect(PROPERTIES[name], name).toBeDefined();
    }
  });

  it('reads valid values as given', () => {
    const values: Record<string, unknown> = {
      'bertLens.ner.model': ' ./my-ner ', 'bertLens.ner.aggregationStrategy': 'max', 'bertLens.ner.ignoreLabels': [],
      'bertLens.inference.maxLength': 64, 'bertLens.inference.stride': 0, 'bertLens.inference.batchSize': 4,
      'bertLens.inference.threads': 2, 'bertLens.inference.quantized': true, 'bertLens.ner.runOnSave': true,
      'bertLens.hub.endpoint': 'http://127.0.0.1:9', 'bertLens.hub.offline': true,
      'bertLens.inference.segmentation': 'sentence', 'bertLens.inference.segmentPacking': 'isolated',
    };
    const { settings, problems } = readNerSettings((name) => values[name]);
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      model: './my-ner', aggregationStrategy: 'max', ignoreLabels: [], maxLength: 64, stride: 0, batchSize: 4, threads: 2,
      quantized: true, runOnSave: true, hubEndpoint: 'http://127.0.0.1:9', hubOffline: true,
      segmentation: 'sentence', packing: 'isolated',
    });
  });

  it('segmentPacking "model" (the default) or unset leaves the packing to the model folder; a packing the user chose is passed on', () => {
    for (const value of ['model', undefined]) {
      expect(readNerSettings((name) => (name === 'bertLens.inference.segmentPacking' ? value : undefined)).settings.packing).toBeUndefined();
    }
    for (const value of ['isolated', 'context']) {
      expect(readNerSettings((name) => (name === 'bertLens.inference.segmentPacking' ? value : undefined)).settings.packing).toBe(value);
    }
  });

  it('falls back to the default for each invalid value and names the setting', () => {
    const values: Record<string, unknown> = {
      'bertLens.ner.model': 42, 'bertLens.ner.aggregationStrategy': 'mean', 'bertLens.ner.ignoreLabels': 'O',
      'bertLens.inference.maxLength': 2.5, 'bertLens.inference.batchSize': 0, 'bertLens.inference.threads': -1,
      'bertLens.inference.quantized': 'yes', 'bertLens.inference.segmentation': 'paragraph', 'bertLens.inference.segmentPacking': 2,
    };
    const { settings, problems } = readNerSettings((name) => values[name]);
    expect(settings).toEqual(NER_SETTING_DEFAULTS);
    expect(problems.join('\n')).toMatch(/bertLens\.ner\.model must be a string/);
    for (const name of ['aggregationStrategy must be one of none, simple, first, average, max, got "mean"', 'ignoreLabels', 'maxLength', 'batchSize', 'threads', 'quantized',
      'bertLens.inference.segmentation must be one of sentence, line, none, got "paragraph"', 'bertLens.inference.segmentPacking must be one of model, context, isolated, got 2']) {
      expect(problems.join('\n')).toContain(name);
    }
  });

  it('rejects a stride that leaves no room in the window', () => {
    const { settings, problems } = readNerSettings((name) => ({ 'bertLens.inference.maxLength': 32, 'bertLens.inference.stride': 30 } as Record<string, unknown>)[name]);
    expect(settings.stride).toBeUndefined();
    expect(problems).toEqual(['bertLens.inference.stride (30) must be smaller than bertLens.inference.maxLength − 2 (30)']);
  });
});

describe('chooseModel', () => {
  const workspace = path.join(os.tmpdir(), 'ws');
  /** `null`: no workspace folder is open. */
  const context = (existing: string[] = [], workspaceFolder: string | null = workspace) => ({
    bundledDir: '/ext/models/ner',
    bundledDescription: 'bundled (untrained demo)',
    workspaceFolder: workspaceFolder ?? undefined,
    isDirectory: (p: string) => existing.includes(p),
  });

  it('uses the bundled model for an empty setting, with the manifest\'s wording', () => {
    expect(chooseModel('  ', context())).toEqual({ kind: 'bundled', reference: '/ext/models/ner', description: 'bundled (untrained demo)' });
  });

  it('resolves relative paths against the workspace folder and refuses them without one', () => {
    expect(chooseModel('./models/my-ner', context())).toEqual({ kind: 'folder', reference: path.join(workspace, 'models', 'my-ner'), description: 'folder my-ner' });
    expect(() => chooseModel('../x', context([], null))).toThrow(ModelSettingError);
  });

  it('takes owner/name as a workspace folder when one exists there, else as a hub id', () => {
    expect(chooseModel('models/ner', context([path.join(workspace, 'models', 'ner')])).kind).toBe('folder');
    expect(chooseModel('dslim/bert-base-NER', context())).toEqual({ kind: 'hub', reference: 'dslim/bert-base-NER', description: 'hub dslim/bert-base-NER' });
    expect(chooseModel('dslim/bert-base-NER@main', context([], null)).kind).toBe('hub');
  });

  it('keeps absolute paths and expands ~', () => {
    expect(chooseModel('/opt/models/ner-x', context())).toEqual({ kind: 'folder', reference: '/opt/models/ner-x', description: 'folder ner-x' });
    expect(chooseModel('~/ner', context()).reference).toBe(path.join(os.homedir(), 'ner'));
  });
});

describe('bundled model manifest', () => {
  it('the committed models/manifest.json describes the bundled NER model', async () => {
    const problems: string[] = [];
    const manifest = await readBundledManifest(new URL('../../../models/manifest.json', import.meta.url).pathname, (p) => problems.push(p));
    expect(problems).toEqual([]);
    expect(bundledDescription(manifest, 'ner')).toMatch(/^bundled /);
  });

  it('rejects entries without a description and falls back to "bundled" when the file is unreadable', async () => {
    expect(() => parseBundledManifest('{"ner": {}}')).toThrow(/"ner" needs a "description"/);
    expect(() => parseBundledManifest('[]')).toThrow(/object of tasks/);
    const problems: string[] = [];
    const manifest = await readBundledManifest('/nonexistent/manifest.json', (p) => problems.push(p));
    expect(manifest).toBeUndefined();
    expect(problems[0]).toContain('/nonexistent/manifest.json');
    expect(bundledDescription(manifest, 'ner')).toBe('bundled');
    expect(bundledDescription(parseBundledManifest('{"ner": {"description": " bundled WikiANN NER "}}'), 'ner')).toBe('bundled WikiANN NER');
  });
});

describe('progress notification steps', () => {
  it('turns job progress into increments that sum to exactly 100 and never go back', () => {
    const steps = new ProgressSteps();
    const events = [
      { phase: 'loading' as const },
      { phase: 'download' as const, file: 'onnx/model.onnx', loaded: 50, total: 200 },
      { phase: 'inference' as const, fraction: 0.25 },
      { phase: 'inference' as const, fraction: 0.2 },
      { phase: 'inference' as const, fraction: 0.999 },
      { phase: 'inference' as const, fraction: 1 },
    ];
    const reported = events.map((event) => steps.next(event));
    expect(reported.map((r) => r.message)).toEqual(['loading the model…', 'downloading onnx/model.onnx 25%', '25%', '25%', '99%', '100%']);
    expect(reported.every((r) => r.increment >= 0)).toBe(true);
    expect(reported.reduce((sum, r) => sum + r.increment, 0)).toBeCloseTo(100, 10);
    expect(steps.percentShown).toBe(100);
  });
});

describe('failure messages', () => {
  const folder: ModelChoice = { kind: 'folder', reference: '/m/broken', description: 'folder broken' };

  it('keeps the worker\'s detail (file, head) and says which model was meant', () => {
    const missing = failureMessage(new JobError({ code: 'model-folder', message: '/m/broken/config.json is missing', file: '/m/broken/config.json' }), folder);
    expect(missing).toEqual({ message: 'BERT Lens: the NER model (folder broken) cannot be loaded: /m/broken/config.json is missing', offerSettings: true });
    const head = failureMessage(new JobError({ code: 'head-mismatch', message: 'x is a BertForSequenceClassification; this needs a token-classification head' }), folder);
    expect(head.message).toContain('needs a token-classification head');
    expect(failureMessage(new ModelSettingError('bertLens.ner.model is a relative path'), undefined)).toEqual({ message: 'BERT Lens: bertLens.ner.model is a relative path.', offerSettings: true });
    expect(failureMessage(new JobError({ code: 'worker-crashed', message: 'The BERT Lens worker process was killed by SIGKILL.' }), folder).message).toBe('The BERT Lens worker process was killed by SIGKILL.');
    expect(failureMessage(new JobError({ code: 'failed', message: 'Load model from /m/broken/onnx/model.onnx failed' }), folder).message).toContain('/m/broken/onnx/model.onnx');
  });
});

describe('manifest contributions', () => {
  it('contributes the NER commands, the BERT Lens activity-bar container with its icon, and the Entities view', () => {
    const commands = PACKAGE.contributes.commands.map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['bertLens.recognizeEntities', 'bertLens.clearEntities', 'bertLens.revealEntity', 'bertLens.showRuntimeInfo']));
    const container = PACKAGE.contributes.viewsContainers.activitybar.find((c) => c.id === 'bertLens');
    expect(container).toBeDefined();
    expect(readFileSync(new URL(`../../../${container!.icon}`, import.meta.url), 'utf8')).toContain('<svg');
    expect(PACKAGE.contributes.views.bertLens!.map((v) => v.id)).toContain('bertLens.entities');
  });
});
