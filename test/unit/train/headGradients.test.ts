import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import { headFromArchitecture } from '../../../src/core/bert/heads';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { tensor } from '../../../src/core/runtime/ort';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { batchFeeds, type Batch } from '../../../src/core/train/batch';
import { buildTrainingGraph } from '../../../src/core/train/trainingGraph';
import { GRAD_PREFIX } from '../../../src/core/train/trainingGraph';
import { writeOnnx } from '../../../src/core/graph/onnxWriter';
import { createSession } from '../../../src/core/runtime/ort';
import { Random } from '../../../src/core/util/random';

// Whole-head gradients (forward + HF loss + autodiff) against central finite differences of the
// loss, in float64 (eps 1e-6: truncation and rounding errors near 1e-9). ORT has no float64 Erf,
// so these configs use the tanh GELU; the erf form is checked op by op in test/unit/graph.
const CONFORMANCE = path.join(__dirname, '..', '..', 'fixtures', 'train', 'conformance');
const CASES = [
  'token-classification-linear', 'sequence-classification-restarts', 'sequence-classification-multilabel-polynomial',
  'sequence-classification-regression-inverse-sqrt', 'question-answering-linear', 'masked-lm-tied-linear',
  'pretraining-constant', 'causal-lm-linear', 'multiple-choice-linear', 'next-sentence-linear',
];

describe.each(CASES)('%s', (name) => {
  it('matches central finite differences of the loss', async () => {
    const spec = JSON.parse(readFileSync(path.join(CONFORMANCE, name, 'batches.json'), 'utf8')) as { model: string; batches: Batch[]; problem_type?: string };
    const modelDir = path.resolve(CONFORMANCE, name, spec.model);
    const raw = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const config = parseBertConfig({ ...raw, hidden_act: 'gelu_new', ...(spec.problem_type ? { problem_type: spec.problem_type } : {}) });
    const head = headFromArchitecture(config.architectures![0]!)!;
    const file = await readSafetensors(path.join(modelDir, 'model.safetensors'));
    const specs = weightSpecs(config, head);
    const params = new Map(specs.map((s) => [s.name, Float64Array.from(file.float32(s.name))]));
    const graph = buildTrainingGraph({ config, head, trainable: new Set(params.keys()), weights: () => { throw new Error('all trainable'); }, dtype: 'float64' });
    const session = await createSession(writeOnnx(graph.graph), { graphOptimizationLevel: 'disabled' });
    const shapes = new Map(specs.map((s) => [s.name, s.shape]));
    const feeds = batchFeeds(graph, config, spec.batches[0]!, 'float64');
    const run = async (overrides: Map<string, Float64Array> = new Map()) => {
      const all = { ...feeds };
      for (const [n, v] of params) all[n] = tensor('float64', overrides.get(n) ?? v, shapes.get(n)!);
      return session.run(all);
    };
    const base = await run();
    const random = new Random(7);
    // Embeddings, attention, LayerNorm, FFN, pooler and the head: a few elements of each.
    const checked = graph.parameterNames.filter((n) => /word_embeddings|layer\.0\.attention\.self\.query|layer\.1\.output\.LayerNorm\.weight|intermediate\.dense\.bias|pooler\.dense\.weight|classifier|qa_outputs\.weight|cls\.(predictions\.transform|seq_relationship)/.test(n));
    expect(checked.length).toBeGreaterThanOrEqual(4);
    let worst = 0;
    let nonZero = 0;
    for (const paramName of checked) {
      const value = params.get(paramName)!;
      const analytic = base[`${GRAD_PREFIX}${paramName}`]!.data as Float64Array;
      for (let k = 0; k < 4; k++) {
        const i = random.int(value.length);
        const eps = 1e-6;
        const plus = value.slice();
        const minus = value.slice();
        plus[i]! += eps;
        minus[i]! -= eps;
        const lp = Number((await run(new Map([[paramName, plus]]))).loss!.data[0]);
        const lm = Number((await run(new Map([[paramName, minus]]))).loss!.data[0]);
        const numeric = (lp - lm) / (2 * eps);
        worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / Math.max(1e-3, Math.abs(numeric)));
        if (Math.abs(numeric) > 1e-6) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(checked.length);
    expect(worst).toBeLessThan(1e-5);
  });
});
