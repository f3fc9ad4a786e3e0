// Question answering as a person meets it: select a sentence, F1 "BERT Lens: Ask a Question about
// Selection", type the question → the best answer is highlighted, selected and revealed, the top
// answers with scores are in a quick pick (moving through it previews each), a hover explains the
// highlight. The QA model is a fixture folder in the workspace (bertLens.qa.model = ./models/qa);
// its weights are random, so the test checks where the answer is, not what it says.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { boxesOf, type Box } from '../harness/workbench';
import { taskWorkspace, type TaskWorkspace } from './taskHelpers';

/** The first run starts the worker, loads onnxruntime-node and converts the fixture's safetensors. */
const FIRST_RUN_TIMEOUT_MS = 90_000;
const EDITOR = '.editor-group-container .monaco-editor';
const CONTEXT = 'Chief executive Marieke van Dalen told reporters that construction would';

/** Boxes of the decorated elements (decorations with a background are empty overlay elements). */
async function decorationBoxes(page: Page): Promise<Box[]> {
  return boxesOf(page, `${EDITOR} [class*="ced-"]`);
}

async function selectionBoxes(page: Page): Promise<Box[]> {
  return boxesOf(page, `${EDITOR} .selected-text`);
}

const covers = (a: Box, b: Box) => Math.abs(a.x - b.x) <= 2 && Math.abs(a.width - b.width) <= 2 && Math.abs(a.y - b.y) <= 3;

/** The "(N selected)" of the status bar. */
async function selectedLength(page: Page): Promise<number | undefined> {
  const texts = await page.locator('.statusbar-item').allInnerTexts();
  const match = texts.map((t) => /\((\d+) selected\)/.exec(t)).find(Boolean);
  return match ? Number(match[1]) : undefined;
}

describe('Ask a Question about Selection', () => {
  let workspace: TaskWorkspace;
  let session: E2eSession;

  beforeAll(async () => {
    workspace = taskWorkspace({ qa: 'question-answering' }, { 'bertLens.qa.model': './models/qa', 'bertLens.qa.topK': 3, 'bertLens.qa.maxAnswerLen': 4 });
    session = await startSession({ scenario: 'qa', workspaceSource: workspace.dir });
  });

  afterAll(async () => {
    await session?.close();
    workspace?.dispose();
  });

  it('highlights, selects and reveals the best answer inside the selection; the quick pick lists the answers with scores', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.openFile('harbour-expansion.txt');
    await workbench.selectText(CONTEXT);
    await workbench.runCommand('BERT Lens: Ask a Question about Selection');

    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await expect.poll(() => page.locator('.quick-input-widget').innerText()).toContain('The answer is searched in the selection.');
    await input.fill('Who told reporters about the construction?');
    await page.keyboard.press('Enter');

    // The answers' quick pick: one row per answer, "score S · line L".
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Answers to "Who told reporters about the construction?"' });
    await title.waitFor({ timeout: FIRST_RUN_TIMEOUT_MS });
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(0);
    const rowTexts = await rows.allInnerTexts();
    console.log(`[e2e qa] answers: ${JSON.stringify(rowTexts)}`);
    expect(rowTexts.length).toBeLessThanOrEqual(3);
    for (const row of rowTexts) expect(row).toMatch(/score \d+\.\d{3} · line 5/);
    const bestAnswer = (await rows.first().locator('.label-name').innerText()).trim();
    expect(CONTEXT).toContain(bestAnswer);

    // The best answer is the selection (status bar) and a decoration covers exactly it.
    await expect.poll(() => selectedLength(page), { timeout: 10_000 }).toBe(bestAnswer.length);
    const [selection] = await selectionBoxes(page);
    expect(selection).toBeDefined();
    await expect.poll(async () => (await decorationBoxes(page)).some((box) => covers(box, selection!)), { timeout: 10_000 }).toBe(true);
    await workbench.screenshot('answers-quick-pick');

    // Moving to the next answer previews it: the selection follows.
    if (rowTexts.length > 1) {
      const second = (await rows.nth(1).locator('.label-name').innerText()).trim();
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => selectedLength(page), { timeout: 10_000 }).toBe(second.length);
    }
    // Escape goes back to the best answer, still highlighted.
    await page.keyboard.press('Escape');
    await expect.poll(() => selectedLength(page), { timeout: 10_000 }).toBe(bestAnswer.length);
    await workbench.screenshot('best-answer');
  });

  it('the highlight has a hover with the rank, the score and the question', async () => {
    const { workbench } = session;
    const page = workbench.page;
    // Move the caret away so the hover target is the decoration, not the selection.
    await page.keyboard.press('Control+End');
    const boxes = await workbench.renderedBoxes(`${EDITOR} [class*="ced-"]`);
    expect(boxes.length).toBeGreaterThan(0);
    const biggest = boxes.sort((a, b) => b.width - a.width)[0]!;
    const text = await workbench.editorHoverAt(biggest, 'Question:');
    console.log(`[e2e qa] hover: ${JSON.stringify(text)}`);
    expect(text).toMatch(/Answer \d of \d · score \d+\.\d{3}/);
    expect(text).toContain('Question: Who told reporters about the construction?');
    expect(text).toContain('Model: folder qa');
    await workbench.screenshot('answer-hover');
  });

  it('Clear Answer Highlights removes them', async () => {
    const { workbench } = session;
    await workbench.page.mouse.move(5, 5);
    await workbench.runCommand('BERT Lens: Clear Answer Highlights');
    await expect.poll(async () => (await decorationBoxes(workbench.page)).length, { timeout: 10_000 }).toBe(0);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
