// Label Studio JSON import against the anchor measured in the same run: the Prodigy JSONL parse of the
// same tasks (same texts, same spans), which is linear. Issue 16 measured the import quadratic
// (40,000 tasks in 174 s) because every element's line was found by rescanning the text.
//
//   npx tsx bench/data/labelStudio.ts [--tasks 100000] [--rounds 3] [--broken 0.01] [--one-line]
//
// Prints ms per parse for each side (median over rounds) and the ratio Label Studio / Prodigy.
// --broken S cuts the closing brace off that share of the tasks (every S-th…, deterministic), so the
// import resynchronises after each; --one-line writes the export on a single line (no indentation).
import { parseLabelStudioJson } from '../../src/core/data/formats/labelStudio';
import { parseProdigyJsonl } from '../../src/core/data/formats/prodigy';
import { flags, median } from '../train/common';

const option = flags(process.argv.slice(2));
const TASKS = Number(option.get('tasks', '100000'));
const ROUNDS = Number(option.get('rounds', '3'));
const BROKEN = Number(option.get('broken', '0'));
const ONE_LINE = option.has('one-line');
const brokenEvery = BROKEN > 0 ? Math.max(1, Math.round(1 / BROKEN)) : 0;
const isBroken = (i: number): boolean => brokenEvery > 0 && i % brokenEvery === brokenEvery - 1;

const texts = Array.from({ length: TASKS }, (_, i) => `Task ${i}: Barack Obama visited Paris in ${1900 + (i % 120)}.`);
const spanOf = (text: string): { start: number; end: number } => {
  const start = text.indexOf('Barack');
  return { start, end: start + 'Barack Obama'.length };
};
const taskJson = texts.map((text, id) => {
  const { start, end } = spanOf(text);
  const task = {
    id,
    data: { text },
    annotations: [{ result: [{ type: 'labels', from_name: 'label', to_name: 'text', value: { start, end, text: text.slice(start, end), labels: ['PER'] } }] }],
  };
  const json = ONE_LINE ? JSON.stringify(task) : JSON.stringify(task, null, 2).replace(/\n/g, '\n  ');
  return isBroken(id) ? json.slice(0, -1) : json;
});
const labelStudio = ONE_LINE ? `[${taskJson.join(',')}]` : `[\n  ${taskJson.join(',\n  ')}\n]\n`;
const validTasks = texts.filter((_, i) => !isBroken(i)).length;
const prodigy = texts.map((text) => JSON.stringify({ text, spans: [{ ...spanOf(text), label: 'PER' }], answer: 'accept' })).join('\n');

function time(parse: () => number): { ms: number; count: number } {
  const times: number[] = [];
  let count = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const begin = performance.now();
    count = parse();
    times.push(performance.now() - begin);
  }
  return { ms: median(times), count };
}

const ls = time(() => parseLabelStudioJson(labelStudio, { file: 'tasks.json' }).records.length);
const pj = time(() => parseProdigyJsonl(prodigy, { file: 'tasks.jsonl' }).records.length);
if (ls.count !== validTasks || pj.count !== TASKS) throw new Error(`parsed ${ls.count} Label Studio and ${pj.count} Prodigy records, expected ${validTasks} and ${TASKS}`);
console.log(
  `${TASKS} tasks (${(labelStudio.length / 1e6).toFixed(1)} MB Label Studio JSON${ONE_LINE ? ' on one line' : ''}` +
    `${brokenEvery ? `, ${TASKS - validTasks} broken` : ''}, ${(prodigy.length / 1e6).toFixed(1)} MB Prodigy JSONL), median of ${ROUNDS}`,
);
console.log(`Label Studio ${ls.ms.toFixed(0)} ms, Prodigy ${pj.ms.toFixed(0)} ms, ratio ${(ls.ms / pj.ms).toFixed(2)}×`);
