// Classification as a person meets it, with the bundled sentiment model (no setting needed): F1
// "BERT Lens: Classify Each Paragraph" → a "label score" after the first line of every paragraph and
// a hover with every label score; "Classify Document" → every score in a quick pick and the result in
// the status bar; "Clear Classification" removes both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { bundledDescription, decorationTexts } from './taskHelpers';

const FIRST_RUN_TIMEOUT_MS = 90_000;
const EDITOR = '.editor-group-container .monaco-editor';
const LABEL_SCORE = /\b(POSITIVE|NEGATIVE) \d\.\d{3}\b/;

describe('Classification in the editor', () => {
  let session: E2eSession;

  beforeAll(async () => {
    session = await startSession({ scenario: 'classification' });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('Classify Each Paragraph puts a label and score after each paragraph, with a hover of every score', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.openFile('harbour-expansion.txt');
    await workbench.runCommand('BERT Lens: Classify Each Paragraph');
    // The document has four paragraphs (the title line is one).
    await expect.poll(async () => (await decorationTexts(page)).filter((t) => LABEL_SCORE.test(t)).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBe(4);
    const texts = await decorationTexts(page);
    console.log(`[e2e classification] paragraph decorations: ${JSON.stringify(texts)}`);
    await workbench.screenshot('paragraphs');

    const word = page.locator(`${EDITOR} .view-line span`, { hasText: 'Noordzee' }).first();
    const hover = await workbench.hoverText(word, 'label');
    console.log(`[e2e classification] hover: ${JSON.stringify(hover)}`);
    expect(hover).toContain('POSITIVE');
    expect(hover).toContain('NEGATIVE');
    expect(hover).toMatch(/\d\.\d{3}/);
    expect(hover).toContain(`model: ${bundledDescription('sentiment')}`);
    await workbench.screenshot('paragraph-hover');
    await page.keyboard.press('Escape');
  });

  it('Classify Document shows every label score in a quick pick and the result in the status bar', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await page.locator(`${EDITOR} .view-lines`).first().click();
    await workbench.runCommand('BERT Lens: Classify Document');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await expect.poll(async () => (await rows.allInnerTexts()).join(' | '), { timeout: 30_000 }).toMatch(/POSITIVE[\s\S]*\d\.\d{3}/);
    const rowTexts = await rows.allInnerTexts();
    console.log(`[e2e classification] document scores: ${JSON.stringify(rowTexts)}`);
    expect(rowTexts).toHaveLength(2);
    const scores = rowTexts.map((row) => Number(/(\d\.\d{3})/.exec(row)![1]));
    expect(scores[0]! + scores[1]!).toBeCloseTo(1, 2);
    expect(scores[0]!).toBeGreaterThanOrEqual(scores[1]!);
    await workbench.screenshot('document-scores');
    await page.keyboard.press('Escape');
    const status = page.locator('.statusbar-item', { hasText: LABEL_SCORE });
    await status.first().waitFor({ timeout: 10_000 });
    expect(await status.first().innerText()).toMatch(LABEL_SCORE);
  });

  it('Clear Classification removes the decorations and the status-bar item', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.runCommand('BERT Lens: Clear Classification');
    await expect.poll(async () => (await decorationTexts(page)).filter((t) => LABEL_SCORE.test(t)).length, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('.statusbar-item', { hasText: LABEL_SCORE }).count(), { timeout: 10_000 }).toBe(0);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
