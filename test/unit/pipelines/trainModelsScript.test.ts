// `npm run train:models` (scripts/train-models.ts) must refuse, before doing any work, what it cannot
// do: missing datasets (issue 7: "stops with a clear message; the shipped models keep working"), a
// misspelt option, an unknown stage. The training itself is measured in BENCHMARKS.md, not here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'train-models.ts');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-train-models-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A digest of every file under models/: the shipped models must come out of a refused run untouched. */
function digestOfModels(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(path.relative(ROOT, full)).update(readFileSync(full));
    }
  };
  walk(path.join(ROOT, 'models'));
  return hash.digest('hex');
}

/** Runs the script, expects it to refuse (exit code 2, no work folder made) and returns its stderr. */
function refusal(args: string[], data: string): string {
  const work = path.join(scratch, `work-${args.join('_').replace(/[^\w-]/g, '') || 'none'}-${path.basename(data)}`);
  const result = spawnSync(TSX, [SCRIPT, ...args], {
    cwd: ROOT,
    env: { ...process.env, BERT_LENS_DATA: data, TRAIN_MODELS_WORK: work },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(2);
  expect(existsSync(work)).toBe(false);
  return result.stderr;
}

describe('npm run train:models refuses before any work', () => {
  const before = digestOfModels();

  it('without the datasets: exit code 2, names what is missing, trains nothing, models/ unchanged', () => {
    const empty = path.join(scratch, 'no-data');
    mkdirSync(empty);
    const stderr = refusal([], empty);
    expect(stderr).toContain(`needs the datasets in ${empty}`);
    expect(stderr).toContain('wikiann-en/train.txt');
    expect(stderr).toContain('sst2/dev.tsv');
    expect(stderr).toContain('nothing was trained');
    expect(digestOfModels()).toBe(before);
  });

  it('with one dataset file missing: names that file alone', () => {
    const partial = path.join(scratch, 'partial-data');
    for (const file of ['wikiann-en/train.txt', 'wikiann-en/dev.txt', 'sst2/train.tsv', 'sst2/dev.tsv']) {
      mkdirSync(path.dirname(path.join(partial, file)), { recursive: true });
      writeFileSync(path.join(partial, file), '');
    }
    const stderr = refusal([], partial);
    expect(stderr).toMatch(/wnut17\/train\.conll is absent/);
    expect(stderr).not.toContain('sst2/dev.tsv');
  });

  it('a misspelt or retired option stops it and lists the options', () => {
    const stderr = refusal(['--no-baselines'], path.join(scratch, 'no-data'));
    expect(stderr).toContain('unknown option --no-baselines');
    expect(stderr).toContain('--compare-pretraining');
  });

  it('--only with an unknown stage stops it and lists the stages', () => {
    const stderr = refusal(['--only=ner-scratch,nerr'], path.join(scratch, 'no-data'));
    expect(stderr).toContain('unknown stages nerr');
    expect(stderr).toContain('sentiment-soup');
    expect(digestOfModels()).toBe(before);
  });
});
