import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelSettingError } from '../../../../src/host/ner/modelChoice';
import { JobError } from '../../../../src/host/workerClient';
import { reanchorSpans } from '../../../../src/host/tasks/shared/anchoredSpans';
import { SpanStore } from '../../../../src/host/tasks/shared/spanStore';
import { taskFailure } from '../../../../src/host/tasks/shared/taskFailure';
import { chooseTaskModel, TASK_MODELS, type TaskModelContext } from '../../../../src/host/tasks/shared/taskModels';
import { readTaskSettings, TASK_SETTING_DEFAULTS } from '../../../../src/host/tasks/shared/taskSettings';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; title: string }>;
    configuration: { properties: Record<string, { default: unknown; markdownDescription?: string }> };
    menus: Record<string, Array<{ command: string; when?: string }>>;
  };
};
const PROPERTIES = PACKAGE.contributes.configuration.properties;

describe('task settings', () => {
  it('package.json defaults read as TASK_SETTING_DEFAULTS; every task setting is contributed and documented', () => {
    const { settings, problems } = readTaskSettings((name) => PROPERTIES[name]?.default);
    expect(problems).toEqual([]);
    expect(settings).toEqual(TASK_SETTING_DEFAULTS);
    const read: string[] = [];
    readTaskSettings((name) => {
      read.push(name);
      return undefined;
    });
    for (const name of read) {
      expect(PROPERTIES[name], name).toBeDefined();
      expect(PROPERTIES[name]!.markdownDescription!.length, name).toBeGreaterThan(20);
    }
    for (const info of Object.values(TASK_MODELS)) expect(read).toContain(info.setting);
  });

  it('every command the tasks register is contributed with a title', () => {
    const source = ['qa/questionAnswering.ts', 'classification/classification.ts', 'fillMask/fillMaskCommand.ts', 'nsp/nspCommand.ts', 'generation/continueTextCommand.ts', 'multipleChoice/multipleChoiceCommand.ts']
      .map((file) => readFileSync(path.join(__dirname, '../../../../src/host/tasks', file), 'utf8')).join('\n');
    const ids = [...source.matchAll(/_COMMAND = '([\w.]+)'/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(11);
    for (const id of ids) expect(PACKAGE.contributes.commands.find((c) => c.command === id)?.title, id).toBeTruthy();
  });

  it('wrong values fall back to their defaults and are reported by name', () => {
    const values: Record<string, unknown> = {
      'bertLens.qa.topK': 0, 'bertLens.qa.docStride': 64, 'bertLens.classification.functionToApply': 'tanh',
      'bertLens.classification.multiLabelThreshold': 1.5, 'bertLens.generation.strategy': 'top-k', 'bertLens.generation.temperature': 0.7,
      'bertLens.generation.seed': 42, 'bertLens.fillMask.model': 7, 'bertLens.nsp.model': ' ./nsp ',
    };
    const { settings, problems } = readTaskSettings((name) => values[name]);
    expect(settings.qa).toMatchObject({ topK: 3, docStride: 64 });
    expect(settings.classification).toMatchObject({ functionToApply: 'default', multiLabelThreshold: 0.5 });
    expect(settings.generation).toMatchObject({ strategy: 'top-k', temperature: 0.7, seed: 42 });
    expect(settings.fillMask.model).toBe('');
    expect(settings.nspModel).toBe('./nsp');
    expect(problems).toEqual([
      'bertLens.qa.topK must be an integer from 1 to 50, got 0',
      'bertLens.classification.functionToApply must be one of default, softmax, sigmoid, none, got "tanh"',
      'bertLens.classification.multiLabelThreshold must be a number from 0 to 1, got 1.5',
      'bertLens.fillMask.model must be a string',
    ]);
  });
});

describe('task models', () => {
  const context: TaskModelContext = {
    bundledRoot: '/ext/models',
    bundledDescription: (name) => (name === 'sentiment' ? 'bundled (untrained demo)' : 'bundled'),
    workspaceFolder: '/ws',
    isDirectory: (p) => p === '/ws/models/qa',
  };

  it('classification falls back to the bundled sentiment model; the other tasks ask for a model by setting', () => {
    expect(chooseTaskModel('classification', '', context)).toEqual({ kind: 'bundled', reference: '/ext/models/sentiment', description: 'bundled (untrained demo)' });
    for (const task of ['qa', 'fillMask', 'nsp', 'generation', 'multipleChoice'] as const) {
      expect(() => chooseTaskModel(task, ' ', context)).toThrow(ModelSettingError);
      expect(() => chooseTaskModel(task, '', context)).toThrow(new RegExp(`has no bundled model: set ${TASK_MODELS[task].setting.replace(/\./g, '\\.')} to `));
    }
  });

  it('folders, workspace paths and hub ids as for NER; a relative path without a workspace names the task setting', () => {
    expect(chooseTaskModel('qa', 'models/qa', context)).toMatchObject({ kind: 'folder', reference: '/ws/models/qa' });
    expect(chooseTaskModel('qa', 'deepset/bert-base-cased-squad2', context)).toMatchObject({ kind: 'hub', reference: 'deepset/bert-base-cased-squad2' });
    expect(() => chooseTaskModel('nsp', './nsp', { ...context, workspaceFolder: undefined })).toThrow('bertLens.nsp.model is a relative path ("./nsp")');
  });

  it('failures read as one line: bad input is a warning, model problems offer the setting', () => {
    const model = { kind: 'folder' as const, reference: '/m', description: 'folder m' };
    expect(taskFailure(new JobError({ code: 'bad-input', message: 'the question is empty' }), 'question answering', model))
      .toEqual({ message: 'BERT Lens: the question is empty', offerSettings: false, isInputProblem: true });
    expect(taskFailure(new JobError({ code: 'head-mismatch', message: '/m is a BertForMaskedLM' }), 'fill-mask', model))
      .toEqual({ message: 'BERT Lens: /m is a BertForMaskedLM', offerSettings: true, isInputProblem: false });
    expect(taskFailure(new JobError({ code: 'model-folder', message: 'config.json missing' }), 'classification', model).message)
      .toBe('BERT Lens: the classification model (folder m) cannot be loaded: config.json missing');
    expect(taskFailure(new ModelSettingError('set it'), 'x', undefined)).toEqual({ message: 'BERT Lens: set it.', offerSettings: true, isInputProblem: false });
    expect(taskFailure(new Error('boom'), 'Continue Text', undefined).message).toBe('BERT Lens: Continue Text failed: boom');
  });
});

describe('results that follow edits', () => {
  const text = 'alpha beta gamma';
  const span = (word: string) => ({ start: text.indexOf(word), end: text.indexOf(word) + word.length, text: word });

  it('spans move with edits before them, are dropped when their text is edited or not found', () => {
    const spans = [span('alpha'), span('beta'), span('gamma')];
    const changes = [{ rangeOffset: 0, rangeLength: 0, text: '>> ' }, { rangeOffset: 9, rangeLength: 2, text: 'TA' }];
    const after = '>> alpha beTA gamma';
    const { kept, dropped } = reanchorSpans(spans, changes, after);
    expect(kept.map((s) => after.slice(s.start, s.end))).toEqual(['alpha', 'gamma']);
    expect(dropped.map((s) => s.text)).toEqual(['beta']);
    // A missed edit cannot misplace a span: the text check drops it.
    expect(reanchorSpans([span('gamma')], [], 'alpha beta GAMMA').dropped).toHaveLength(1);
  });

  it('the store tells listeners only when a span is dropped, and forgets a document left without spans', () => {
    const store = new SpanStore<ReturnType<typeof span>, string>();
    const heard: string[] = [];
    store.onDidChange((key) => heard.push(key));
    store.set('doc', { info: 'i', spans: [span('alpha'), span('gamma')] });
    store.applyChanges('doc', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }]);
    expect(heard).toEqual(['doc']);
    expect(store.spanAt('doc', 1)?.text).toBe('alpha');
    expect(store.spanAt('doc', 0)).toBeUndefined();
    store.applyChanges('doc', [{ rangeOffset: 2, rangeLength: 1, text: '' }]);
    expect(heard).toEqual(['doc', 'doc']);
    expect(store.get('doc')!.spans.map((s) => s.text)).toEqual(['gamma']);
    store.applyChanges('doc', [{ rangeOffset: 12, rangeLength: 3, text: '' }]);
    expect(store.get('doc')).toBeUndefined();
  });
});
