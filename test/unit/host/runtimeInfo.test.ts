// Show Runtime Info: which execution providers work here is found by trying each (a tiny session
// with only that provider), not by listing what the ONNX Runtime build knows; the report is a
// markdown document with the model of every command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as OrtModule from 'onnxruntime-node';
import { probeExecutionProviders } from '../../../src/core/runtime/executionProviders';
import { ort } from '../../../src/core/runtime/ort';
import { activeModels, runtimeReportLine, runtimeReportMarkdown, runtimeReportToast, type RuntimeReport } from '../../../src/host/commands/runtimeReport';
import type { WorkerClient } from '../../../src/host/workerClient';
import { bundleWorker, clientFor } from './workerHarness';

/** The real ORT with listSupportedBackends and session creation replaced, for a machine we do not have. */
function ortWith(backends: string[], failing: Record<string, string>): typeof OrtModule {
  const real = ort();
  return {
    ...real,
    listSupportedBackends: () => backends.map((name) => ({ name, bundled: name === 'cpu' })),
    InferenceSession: {
      create: (model: Uint8Array, options: { executionProviders: string[] }) => {
        const provider = options.executionProviders[0]!;
        if (failing[provider]) return Promise.reject(new Error(failing[provider]));
        return real.InferenceSession.create(model);
      },
    },
  } as unknown as typeof OrtModule;
}

describe('probeExecutionProviders', () => {
  it('on this machine: CPU computes the test graph; every listed provider is reported, unusable ones with a reason', async () => {
    const probes = await probeExecutionProviders();
    expect(probes.map((p) => p.name)).toEqual(ort().listSupportedBackends().map((b) => b.name));
    expect(probes.find((p) => p.name === 'cpu')).toMatchObject({ usable: true });
    for (const probe of probes.filter((p) => !p.usable)) {
      expect(probe.reason, probe.name).toMatch(/\S/);
      expect(probe.reason).not.toContain('\n');
    }
  });

  it('a provider whose library does not load is listed as not usable, with the first line of the error', async () => {
    const probes = await probeExecutionProviders(ortWith(['cpu', 'webgpu', 'cuda', 'tensorrt'], {
      webgpu: 'WebGpuContext::Initialize: no adapter\n  at somewhere',
      cuda: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library 1',
      tensorrt: 'OrtSessionOptionsAppendExecutionProvider_TensorRT: Failed to load shared library 0',
    }));
    expect(probes).toEqual([
      { name: 'cpu', bundled: true, usable: true },
      { name: 'webgpu', bundled: false, usable: false, reason: 'WebGpuContext::Initialize: no adapter' },
      { name: 'cuda', bundled: false, usable: false, reason: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library 1' },
      { name: 'tensorrt', bundled: false, usable: false, reason: 'OrtSessionOptionsAppendExecutionProvider_TensorRT: Failed to load shared library 0' },
    ]);
  });
});

describe('the runtimeInfo worker job', () => {
  let worker: { workerPath: string; dispose(): Promise<void> };
  let client: WorkerClient;
  beforeAll(async () => {
    worker = await bundleWorker();
    client = clientFor(worker.workerPath);
  });
  afterAll(async () => {
    client?.dispose();
    await worker?.dispose();
  });

  it('reports the worker\'s ORT version and the providers tried there', async () => {
    const info = await client.run('runtimeInfo', {});
    expect(info.ortVersion).toMatch(/^1\.\d+\.\d+/);
    expect(info.platform).toBe(`${process.platform}-${process.arch}`);
    expect(info.providers.find((p) => p.name === 'cpu')?.usable).toBe(true);
  });
});

const context = {
  bundledRoot: '/ext/models',
  bundledDescription: (name: string) => (name === 'ner' ? 'bundled (untrained demo)' : name === 'sentiment' ? 'bundled SST-2 sentiment' : 'bundled'),
  workspaceFolder: undefined,
  isDirectory: () => false,
};

describe('the report', () => {
  const settings: Record<string, unknown> = { 'bertLens.qa.model': 'deepset/bert-base-cased-squad2' };
  const models = activeModels((name) => settings[name], context);
  const report: RuntimeReport = {
    extensionVersion: '0.1.0', ortVersion: '1.30.0', platform: 'linux-x64', nodeVersion: '20.20.2',
    providers: [
      { name: 'cpu', bundled: true, usable: true },
      { name: 'cuda', bundled: false, usable: false, reason: 'Failed to load | libcudart.so.12' },
    ],
    models,
  };

  it('names the model of every command: bundled, hub, or what to set', () => {
    expect(models.map((m) => m.setting)).toEqual([
      'bertLens.ner.model', 'bertLens.qa.model', 'bertLens.classification.model', 'bertLens.fillMask.model',
      'bertLens.nsp.model', 'bertLens.generation.model', 'bertLens.multipleChoice.model',
    ]);
    expect(models[0]).toMatchObject({ task: 'entity recognition', model: 'bundled (untrained demo)' });
    expect(models[1]).toMatchObject({ task: 'question answering', model: 'hub deepset/bert-base-cased-squad2 (deepset/bert-base-cased-squad2)' });
    expect(models[2]).toMatchObject({ model: 'bundled SST-2 sentiment' });
    expect(models[3]!.problem).toMatch(/^fill-mask has no bundled model: set bertLens\.fillMask\.model/);
  });

  it('is markdown: only usable providers in the summary, each tried provider in a table whose cells cannot be broken', () => {
    const markdown = runtimeReportMarkdown(report);
    expect(markdown).toContain('Usable here: **cpu**.');
    expect(markdown).toContain('| cpu | yes |  |');
    expect(markdown).toContain('| cuda | no | Failed to load \\| libcudart.so.12 |');
    expect(markdown).toContain('| fill-mask | `bertLens.fillMask.model` | none: fill-mask has no bundled model');
    for (const line of markdown.split('\n').filter((l) => l.startsWith('|'))) {
      expect(line.replace(/\\\|/g, '').split('|').length, line).toBe(5);
    }
  });

  it('the toast and the log line say which providers work, not merely which ORT lists', () => {
    expect(runtimeReportToast(report)).toBe('BERT Lens: onnxruntime-node 1.30.0 on linux-x64; usable providers: cpu (details in the opened document)');
    expect(runtimeReportLine(report)).toContain('providers: cpu usable, cuda not usable');
  });
});
