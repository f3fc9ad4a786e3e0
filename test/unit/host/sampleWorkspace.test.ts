// samples/workspace/README.md: every step it suggests works offline with what ships, or says up
// front that it needs a hub model and which; every command it names exists; every file it names is
// in the sample folder; Classify Each Paragraph is suggested on the reviews, not on a news story.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_MODELS, type TaskName } from '../../../src/host/tasks/shared/taskModels';

const REPO = path.resolve(__dirname, '../../..');
const SAMPLES = path.join(REPO, 'samples/workspace');
const readme = readFileSync(path.join(SAMPLES, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  contributes: { commands: Array<{ command: string; title: string; category?: string }> };
};
const commandByTitle = new Map(manifest.contributes.commands.map((c) => [`${c.category ?? 'BERT Lens'}: ${c.title.replace(/\s+/g, ' ')}`, c.command]));

/** The commands whose task ships no model, and the task. Kept in step with registerTasks.ts. */
const TASK_OF_COMMAND: Record<string, TaskName> = {
  'bertLens.askQuestion': 'qa', 'bertLens.fillMask': 'fillMask', 'bertLens.nextSentence': 'nsp',
  'bertLens.continueText': 'generation', 'bertLens.multipleChoice': 'multipleChoice',
  'bertLens.classifySelection': 'classification', 'bertLens.classifyDocument': 'classification', 'bertLens.classifyParagraphs': 'classification',
};

/** The numbered steps, each joined into one line. */
const steps = readme.split('\n').reduce<string[]>((all, line) => {
  if (/^\d+\.\s/.test(line)) all.push(line);
  else if (/^\s+\S/.test(line) && all.length > 0) all[all.length - 1] += ` ${line.trim()}`;
  return all;
}, []);
const commandsIn = (text: string) => [...text.matchAll(/\*\*(BERT Lens: [^*]+)\*\*/g)].map((m) => m[1]!.replace(/\s+/g, ' '));

describe('samples/workspace/README.md', () => {
  it('has steps, and every command it names is a command of package.json', () => {
    expect(steps.length).toBeGreaterThanOrEqual(4);
    const named = commandsIn(readme);
    expect(named.length).toBeGreaterThan(0);
    for (const title of named) expect(commandByTitle.has(title), title).toBe(true);
  });

  it('every step with a command whose task ships no model says first that it needs a hub model, which, and the setting', () => {
    let flagged = 0;
    for (const step of steps) {
      for (const title of commandsIn(step)) {
        const task = TASK_OF_COMMAND[commandByTitle.get(title)!];
        if (!task || TASK_MODELS[task].bundled !== undefined) continue;
        flagged++;
        expect(step, title).toMatch(/^\d+\.\s+Needs a hub model:/);
        expect(step, title).toContain(`\`${TASK_MODELS[task].setting}\` to \``);
        expect(step, title).toMatch(/ to `[\w.-]+\/[\w.-]+`/);
      }
    }
    // Ask a Question is the step a newcomer tried without a model: it must be among the flagged ones.
    expect(steps.some((s) => s.includes('**BERT Lens: Ask a Question about Selection**') && s.includes('Needs a hub model: set `bertLens.qa.model` to `deepset/bert-base-cased-squad2`'))).toBe(true);
    expect(flagged).toBeGreaterThan(0);
  });

  it('offline steps come before every hub step', () => {
    const firstHub = steps.findIndex((s) => s.includes('Needs a hub model'));
    expect(firstHub).toBeGreaterThan(0);
    expect(steps.slice(firstHub).every((s) => s.includes('Needs a hub model'))).toBe(true);
  });

  it('every sample file it names exists, and every sample text is described', () => {
    const named = new Set([...readme.matchAll(/`([\w.-]+\.txt)`/g)].map((m) => m[1]!));
    for (const file of named) expect(existsSync(path.join(SAMPLES, file)), file).toBe(true);
    const texts = ['harbour-expansion.txt', 'science-prize.txt', 'reviews.txt'];
    for (const file of texts) expect(named.has(file), file).toBe(true);
  });

  it('suggests Classify Each Paragraph on the reviews, whose paragraphs are reviews, not on a news story', () => {
    const step = steps.find((s) => s.includes('**BERT Lens: Classify Each Paragraph**'))!;
    expect(step).toContain('`reviews.txt`');
    expect(step).not.toMatch(/harbour-expansion|science-prize/);
    const paragraphs = readFileSync(path.join(SAMPLES, 'reviews.txt'), 'utf8').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
    // A heading, then six reviews of at least two sentences each.
    expect(paragraphs.length).toBe(7);
    for (const review of paragraphs.slice(1)) expect(review.split(/[.!?;](\s|$)/).filter((s) => s.trim()).length, review).toBeGreaterThanOrEqual(2);
  });
});
