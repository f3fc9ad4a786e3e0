// The other heads from the palette, on fixture models in the workspace (random weights: the test
// checks what happens in the editor, not what the model says): Fill Mask replaces the mask (one
// undo brings it back), Next Sentence Prediction reports P(B follows A), Score Multiple Choice lists
// the choices with scores and selects the chosen one, Continue Text writes at the cursor as one
// undo step.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { taskWorkspace, type TaskWorkspace } from './taskHelpers';

const FIRST_RUN_TIMEOUT_MS = 90_000;
const EDITOR = '.editor-group-container .monaco-editor';
const DOCUMENT = 'heads.txt';
const TEXT = [
  'The cat [MASK] on the mat.',
  '',
  'Paris is in France. The river runs through the city.',
  '',
  'Where is the Louvre?',
  '- in Paris',
  '- on the moon',
  '- under the sea',
  '',
  'The harbour of',
].join('\n');

/** The editor's lines as shown (Monaco renders spaces as no-break spaces). */
async function editorLines(page: Page): Promise<string[]> {
  const lines = await page.locator(`${EDITOR} .view-line`).evaluateAll((elements) => elements
    .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\u00a0/g, ' ') }))
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text));
  return lines;
}

async function selectedLength(page: Page): Promise<number | undefined> {
  const texts = await page.locator('.statusbar-item').allInnerTexts();
  const match = texts.map((t) => /\((\d+) selected\)/.exec(t)).find(Boolean);
  return match ? Number(match[1]) : undefined;
}

/** Puts the caret at the end of the line `lineNumber` (1-based) with Go to Line. */
async function caretToLineEnd(session: E2eSession, lineNumber: number): Promise<void> {
  const page = session.workbench.page;
  await page.locator(`${EDITOR} .view-lines`).first().click();
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').fill(`:${lineNumber}`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
}

describe('Fill Mask, Next Sentence Prediction, Multiple Choice, Continue Text', () => {
  let workspace: TaskWorkspace;
  let session: E2eSession;

  beforeAll(async () => {
    workspace = taskWorkspace(
      { mlm: 'masked-lm', nsp: 'next-sentence', clm: 'causal-lm', mc: 'multiple-choice' },
      {
        'bertLens.fillMask.model': './models/mlm', 'bertLens.fillMask.topK': 3, 'bertLens.nsp.model': './models/nsp',
        'bertLens.generation.model': './models/clm', 'bertLens.generation.maxNewTokens': 6, 'bertLens.multipleChoice.model': './models/mc',
      },
      { [DOCUMENT]: TEXT },
    );
    session = await startSession({ scenario: 'heads', workspaceSource: workspace.dir });
    await session.workbench.openFile(DOCUMENT);
  });

  afterAll(async () => {
    await session?.close();
    workspace?.dispose();
  });

  it('Fill Mask offers the candidates with scores; Enter replaces the mask; one Undo brings it back', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await caretToLineEnd(session, 1);
    await workbench.runCommand('BERT Lens: Fill Mask', FIRST_RUN_TIMEOUT_MS);
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await expect.poll(() => rows.count(), { timeout: FIRST_RUN_TIMEOUT_MS }).toBe(3);
    const rowTexts = await rows.allInnerTexts();
    console.log(`[e2e heads] fill-mask: ${JSON.stringify(rowTexts)}`);
    for (const row of rowTexts) expect(row).toMatch(/\d\.\d{3}/);
    const token = (await rows.first().locator('.label-name').first().innerText()).trim();
    await workbench.screenshot('fill-mask');
    await page.keyboard.press('Enter');
    const expected = token.startsWith('##') ? `The cat${token.slice(2)} on the mat.` : `The cat ${token} on the mat.`;
    await expect.poll(async () => (await editorLines(page))[0], { timeout: 10_000 }).toBe(expected);
    await page.keyboard.press('Control+Z');
    await expect.poll(async () => (await editorLines(page))[0], { timeout: 10_000 }).toBe('The cat [MASK] on the mat.');
  });

  it('Next Sentence Prediction with the caret in a sentence: P(B follows A) for it and the next one', async () => {
    const { workbench } = session;
    await caretToLineEnd(session, 3);
    await workbench.page.keyboard.press('Home');
    await workbench.runCommand('BERT Lens: Next Sentence Prediction (Does B Follow A?)');
    const message = await workbench.waitForNotification(/P\(B follows A\)/, FIRST_RUN_TIMEOUT_MS);
    console.log(`[e2e heads] nsp: ${JSON.stringify(message)}`);
    expect(message).toMatch(/P\(B follows A\) = \d\.\d{3} — B reads as (the continuation of|unrelated to) A/);
    expect(message).toContain('A: "Paris is in France." B: "The river runs through the city."');
    await workbench.screenshot('next-sentence');
  });

  it('Score Multiple Choice lists the three choices with scores summing to 1 and selects the chosen one', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await caretToLineEnd(session, 5);
    await workbench.runCommand('BERT Lens: Score Multiple Choice', FIRST_RUN_TIMEOUT_MS);
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await expect.poll(() => rows.count(), { timeout: FIRST_RUN_TIMEOUT_MS }).toBe(3);
    const rowTexts = await rows.allInnerTexts();
    console.log(`[e2e heads] choices: ${JSON.stringify(rowTexts)}`);
    const scores = rowTexts.map((row) => Number(/(\d\.\d{3})/.exec(row)![1]));
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // One label per row (fill-mask rows also had a detail line; these have none).
    const labels = await Promise.all([0, 1, 2].map(async (i) => rows.nth(i).locator('.label-name').first().innerText()));
    expect([...labels].map((l) => l.trim()).sort()).toEqual(['in Paris', 'on the moon', 'under the sea']);
    await workbench.screenshot('multiple-choice');
    await page.keyboard.press('Enter');
    await expect.poll(() => selectedLength(page), { timeout: 10_000 }).toBe(labels[0]!.trim().length);
  });

  it('Continue Text writes the continuation at the caret; one Undo removes it', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await caretToLineEnd(session, 10);
    await workbench.runCommand('BERT Lens: Continue Text');
    await expect.poll(async () => (await editorLines(page)).at(-1)!.length, { timeout: FIRST_RUN_TIMEOUT_MS }).toBeGreaterThan('The harbour of'.length);
    // Streaming ends with the job: the line stops changing.
    let last = '';
    await expect.poll(async () => {
      const now = (await editorLines(page)).join('\n');
      const stable = now === last;
      last = now;
      return stable;
    }, { timeout: 30_000, interval: 1_000 }).toBe(true);
    const lines = await editorLines(page);
    console.log(`[e2e heads] continued: ${JSON.stringify(lines.slice(9))}`);
    expect(lines.slice(9).join('\n').startsWith('The harbour of')).toBe(true);
    await workbench.screenshot('continue-text');
    await page.keyboard.press('Control+Z');
    await expect.poll(async () => (await editorLines(page)).slice(9).join('\n'), { timeout: 10_000 }).toBe('The harbour of');
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
