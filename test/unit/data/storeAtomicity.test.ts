import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../src/core/data/annotationStore';
import { mulberry32, randomInt } from './helpers/prng';
import type { WriterOp } from './helpers/storeWriter';

/**
 * The durability test: a child process writes the store in a loop and is SIGKILLed at random
 * moments, 100 times. After every kill the store file must parse completely and hold exactly the
 * committed state — every acknowledged mutation — plus at most the one mutation in flight.
 */

const KILLS = 100;
let scratch: string;
let writerScript: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-kill-'));
  writerScript = path.join(scratch, 'storeWriter.mjs');
  await build({
    entryPoints: [path.join(__dirname, 'helpers/storeWriter.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: writerScript,
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type State = Map<string, { text: string; label: string }>;

function apply(state: State, op: WriterOp): State {
  const next = new Map(state);
  if (op.kind === 'delete') next.delete(op.path);
  else next.set(op.path, { text: op.text!, label: op.label! });
  return next;
}

function sameState(a: State, b: State): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (!other || other.text !== value.text || other.label !== value.label) return false;
  }
  return true;
}

/**
 * Runs the writer until `ackedFirst` mutations were acknowledged and another began, then SIGKILLs it
 * `delayMs` later: counting acknowledgements, not time, keeps the test's reach the same on a loaded
 * machine, where each fsync'd write takes longer.
 */
function runAndKill(workspace: string, seed: number, delayMs: number, ackedFirst: number): Promise<{ ops: WriterOp[]; acked: Set<number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writerScript, workspace, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ops: WriterOp[] = [];
    const acked = new Set<number>();
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('B ')) ops.push(JSON.parse(line.slice(2)) as WriterOp);
        else if (line.startsWith('A ')) acked.add(Number(line.slice(2)));
        if (!timer && ops.length > ackedFirst && acked.size >= ackedFirst) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${signal ?? _code}): ${stderr}`));
      else resolve({ ops, acked });
    });
  });
}

describe('AnnotationStore under SIGKILL', () => {
  it(`keeps every committed record across ${KILLS} kills of a writer process`, async () => {
    const workspace = path.join(scratch, 'workspace');
    const storeDir = path.join(workspace, '.bert-lens');
    const random = mulberry32(2024);
    let committed: State = new Map();
    let killsMidWrite = 0;
    let inFlightApplied = 0;
    let totalAcked = 0;
    for (let run = 0; run < KILLS; run++) {
      const { ops, acked } = await runAndKill(workspace, 1000 + run, randomInt(random, 40), randomInt(random, 4));
      let candidate = committed;
      let inFlight: WriterOp | undefined;
      for (const op of ops) {
        if (acked.has(op.seq)) candidate = apply(candidate, op);
        else inFlight = op; // only the last op can be unacknowledged: the writer awaits each one
      }
      expect(ops.filter((op) => !acked.has(op.seq)).length).toBeLessThanOrEqual(1);
      totalAcked += acked.size;
      const names = existsSync(storeDir) ? readdirSync(storeDir) : [];
      if (names.some((name) => name.endsWith('.tmp'))) killsMidWrite++;

      // The file parses line by line, with nothing rejected...
      // No file yet is a valid state only while nothing was ever acknowledged (on a loaded machine
      // the first kill can land before the writer's first rename).
      const storeFile = path.join(storeDir, 'annotations.jsonl');
      if (!existsSync(storeFile)) {
        expect(committed.size + acked.size).toBe(0);
        continue;
      }
      const raw = readFileSync(storeFile, 'utf8');
      for (const line of raw.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line) as unknown).not.toThrow();
      const store = await AnnotationStore.open(workspace);
      expect(store.problems).toEqual([]);
      // ...and holds the committed state, or the committed state plus the op in flight.
      const onDisk: State = new Map(store.list().map((d) => [d.meta.path, { text: d.text, label: d.spans[0]!.label }]));
      const withInFlight = inFlight ? apply(candidate, inFlight) : candidate;
      const matchesCommitted = sameState(onDisk, candidate);
      const matchesInFlight = sameState(onDisk, withInFlight);
      if (!matchesCommitted && !matchesInFlight) {
        throw new Error(`run ${run}: store differs from the committed state (acked ${acked.size} of ${ops.length} ops)`);
      }
      if (!matchesCommitted) inFlightApplied++;
      committed = matchesCommitted ? candidate : withInFlight;
    }
    // The test exercised what it claims: most runs committed work, some kills landed mid-write.
    expect(totalAcked).toBeGreaterThan(KILLS);
    expect(killsMidWrite).toBeGreaterThan(0);
    console.log(`kill test: ${totalAcked} committed ops, ${killsMidWrite} kills left a temp file, ${inFlightApplied} in-flight ops had reached disk`);
    expect(readdirSync(storeDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
