// The optimizer step alone: AdamW (src/core/train/adamw.ts, WebAssembly SIMD kernels) over the
// parameters of the bundled models' BERT (4 layers, hidden 256, 12,000-piece vocabulary, a 2-label
// sequence classifier: 6.4 M values), against the anchor measured in the same run: the same update in
// plain JavaScript (adamwUpdateScalar, the reference the kernel must equal bit for bit).
//
//   npx tsx bench/train/optimizer.ts [--steps 20] [--rounds 3] [--vocab 12000]
//
// Prints ms per optimizer step for each side (median over rounds) and the ratio, and checks that both
// sides produced the same bits. Compare the ms with a training step's wall time (bench/train/run.ts,
// or a train:models log: 3,850 steps in about 21 min) to see the optimizer's share.
import { weightSpecs } from '../../src/core/bert/weightNames';
import { AdamW, adamwScalars, adamwUpdateScalar } from '../../src/core/train/adamw';
import { Random } from '../../src/core/util/random';
import { bertSmallConfig, flags, median } from './common';

const option = flags(process.argv.slice(2));
const STEPS = Number(option.get('steps', '20'));
const ROUNDS = Number(option.get('rounds', '3'));
const VOCAB = Number(option.get('vocab', '12000'));

function seededTensors(sizes: Map<string, number>, seed: number, scale: number): Map<string, Float32Array> {
  const random = new Random(seed);
  const tensors = new Map<string, Float32Array>();
  for (const [name, size] of sizes) {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (random.next() - 0.5) * scale;
    tensors.set(name, values);
  }
  return tensors;
}

const config = bertSmallConfig(VOCAB, ['NEGATIVE', 'POSITIVE']);
const sizes = new Map(weightSpecs(config, 'sequence-classification').map((s) => [s.name, s.shape.reduce((a, b) => a * b, 1)]));
const total = [...sizes.values()].reduce((a, b) => a + b, 0);
const grads = seededTensors(sizes, 2, 0.01);

/** ms per step of `steps` AdamW steps from the same start; returns the final parameters too. */
function timeSteps(kind: 'wasm' | 'javascript'): { ms: number; params: Map<string, Float32Array> } {
  const params = seededTensors(sizes, 1, 0.1);
  const optimizer = new AdamW(params);
  const moments = new Map([...sizes].map(([name, size]) => [name, { m: new Float32Array(size), v: new Float32Array(size) }]));
  const started = performance.now();
  for (let step = 1; step <= STEPS; step++) {
    const lr = 5e-4 * (1 - step / (STEPS + 1));
    if (kind === 'wasm') {
      optimizer.step(params, grads, lr);
      continue;
    }
    for (const group of optimizer.groups) {
      const scalars = adamwScalars({ lr, weightDecay: group.weightDecay, betas: optimizer.betas, eps: optimizer.eps, step, gradScale: 1 });
      for (const name of group.names) {
        const state = moments.get(name)!;
        adamwUpdateScalar(params.get(name)!, grads.get(name)!, state.m, state.v, scalars);
      }
    }
  }
  return { ms: (performance.now() - started) / STEPS, params };
}

const wasm: number[] = [];
const javascript: number[] = [];
let identical = true;
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which side goes first, so load from other jobs hits both alike.
  const order: Array<'wasm' | 'javascript'> = round % 2 === 0 ? ['wasm', 'javascript'] : ['javascript', 'wasm'];
  const results = new Map(order.map((kind) => [kind, timeSteps(kind)]));
  wasm.push(results.get('wasm')!.ms);
  javascript.push(results.get('javascript')!.ms);
  for (const [name, values] of results.get('wasm')!.params) {
    const other = results.get('javascript')!.params.get(name)!;
    if (!values.every((v, i) => Object.is(v, other[i]))) identical = false;
  }
}

const ours = median(wasm);
const anchor = median(javascript);
console.log(`AdamW over ${total.toLocaleString('en')} parameters (${sizes.size} tensors), ${STEPS} steps × ${ROUNDS} rounds, medians:`);
console.log(`  WebAssembly kernels (ours)      ${ours.toFixed(1)} ms/step`);
console.log(`  plain JavaScript (the anchor)   ${anchor.toFixed(1)} ms/step`);
console.log(`  ratio JavaScript ÷ WebAssembly  ${(anchor / ours).toFixed(2)}×`);
console.log(`  same bits on both sides: ${identical ? 'yes' : 'NO'}`);
if (!identical) process.exitCode = 1;
