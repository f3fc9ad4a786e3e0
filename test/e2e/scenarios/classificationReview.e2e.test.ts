// Reviewing classifications one by one, as a person does it: Classify Each Paragraph on the sample
// reviews with the bundled sentiment model, then F1 "BERT Lens: Review Classifications" and the
// review keys — `a` accepts the first paragraph's label, `x` rejects the second, `l` gives the third
// the other label from the quick pick. The store then holds the two paragraphs' text categories, the
// rejection is remembered in `.bert-lens/review.json`, and the badges show the decisions.
//
// Multi-label: the fixture multi-label model (random weights, four topic labels) over the default
// exclusive categories is refused with an offer to make them multi-label; taken, every (paragraph,
// label) is an item at threshold 0. Two accepts give the first paragraph two labels, a reject is
// remembered, and a second review proposes neither the accepted nor the rejected labels again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { decorationTexts, taskWorkspace, type TaskWorkspace } from './taskHelpers';

const DOCUMENT = 'reviews.txt';
const EDITOR = '.editor-group-container .monaco-editor';
const FIRST_RUN_TIMEOUT_MS = 90_000;

interface Decision {
  text: string;
  accept: string[];
  /** Prodigy's config.choice_style "multiple". */
  multiLabel: boolean;
}

function storedDecisions(workspaceDir: string, document = DOCUMENT): Decision[] {
  const file = path.join(workspaceDir, '.bert-lens', 'annotations.jsonl');
  if (!fs.existsSync(file)) return [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { text: string; meta: { path: string }; categories?: Array<{ start: number; end: number; accept: string[]; config?: { choice_style?: string } }> };
    if (record.meta.path === document) return (record.categories ?? []).map((c) => ({ text: record.text.slice(c.start, c.end), accept: c.accept, multiLabel: c.config?.choice_style === 'multiple' }));
  }
  return [];
}

function rejected(workspaceDir: string): Array<{ label: string; text: string }> {
  const file = path.join(workspaceDir, '.bert-lens', 'review.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { rejected: Array<{ label: string; text: string }> }).rejected;
}

async function reviewStatus(page: Page): Promise<{ reviewed: number; total: number } | undefined> {
  for (const text of await page.locator('.statusbar-item').allInnerTexts()) {
    const match = /Review (\d+) \/ (\d+)/.exec(text);
    if (match) return { reviewed: Number(match[1]), total: Number(match[2]) };
  }
  return undefined;
}

/** Makes sure the keyboard goes to the editor (review keys are bound only with editorTextFocus). */
async function focusEditor(page: Page): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const inEditor = await page.locator(EDITOR).first().evaluate((editor) => Boolean(editor.ownerDocument.activeElement?.closest('.editor-group-container .monaco-editor')));
    if (inEditor) return;
    if (attempt === 5) await page.keyboard.press('Escape');
    await page.waitForTimeout(250);
  }
  throw new Error('the editor did not get the keyboard');
}

describe('review classifications one by one', () => {
  let session: E2eSession;
  let sourceDir: string;

  beforeAll(async () => {
    // Threshold 0: every paragraph is proposed, whatever the model's confidence.
    sourceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-e2e-classification-review-'));
    fs.cpSync(SAMPLE_WORKSPACE_DIR, sourceDir, { recursive: true });
    fs.mkdirSync(path.join(sourceDir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(sourceDir, '.vscode', 'settings.json'), `${JSON.stringify({ 'bertLens.annotation.reviewThreshold': 0 }, null, 2)}\n`);
    session = await startSession({ scenario: 'classification-review', workspaceSource: sourceDir });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(sourceDir, { recursive: true, force: true });
  });

  it('accept, reject and change label: the store, the rejection file and the badges agree', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(DOCUMENT);
    await page.locator(`${EDITOR} .view-lines`).first().click();
    await page.keyboard.press('Control+Home');
    await workbench.runCommand('BERT Lens: Classify Each Paragraph');
    // Each paragraph gets its result after it ("POSITIVE 0.912").
    await expect.poll(async () => (await decorationTexts(page)).filter((text) => /(POSITIVE|NEGATIVE) \d\.\d{3}/.test(text)).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeGreaterThanOrEqual(3);
    await workbench.runCommand('BERT Lens: Review Classifications');
    try {
      await expect.poll(() => reviewStatus(page), { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeDefined();
    } catch (error) {
      console.log(`[e2e classification review] status ${JSON.stringify(await page.locator('.statusbar-item').allInnerTexts())}; notifications ${JSON.stringify(await workbench.notifications())}`);
      await workbench.screenshot('failed-start');
      throw error;
    }
    const started = (await reviewStatus(page))!;
    console.log(`[e2e classification review] ${started.total} paragraphs to review`);
    // The heading and the reviews: every paragraph of the file is proposed at threshold 0.
    expect(started).toEqual({ reviewed: 0, total: expect.any(Number) });
    expect(started.total).toBeGreaterThanOrEqual(3);

    await focusEditor(page);
    await page.keyboard.press('a');
    await expect.poll(() => storedDecisions(workspaceDir).length, { timeout: 10_000 }).toBe(1);
    const [first] = storedDecisions(workspaceDir);
    expect(first!.accept).toHaveLength(1);
    expect(['POSITIVE', 'NEGATIVE']).toContain(first!.accept[0]);

    await focusEditor(page);
    await page.keyboard.press('x');
    await expect.poll(() => rejected(workspaceDir).length, { timeout: 10_000 }).toBe(1);
    expect(storedDecisions(workspaceDir)).toHaveLength(1);

    await focusEditor(page);
    await page.keyboard.press('l');
    const quickInput = page.locator('.quick-input-widget');
    await quickInput.locator('.quick-input-title', { hasText: /^Accept ".*" as$/ }).waitFor({ timeout: 15_000 });
    // The row that is not the model's label.
    const other = quickInput.locator('.monaco-list-row', { hasNotText: 'current' }).first();
    const otherLabel = (await other.locator('.label-name').first().innerText()).trim();
    await other.click();
    await expect.poll(() => storedDecisions(workspaceDir).length, { timeout: 10_000 }).toBe(2);
    expect(storedDecisions(workspaceDir)[1]!.accept).toEqual([otherLabel]);
    await expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toMatchObject({ reviewed: 3 });
    // The decisions show as badges after their paragraphs.
    const badges = await decorationTexts(page);
    expect(badges.filter((text) => text.includes('\u25b8')).length).toBeGreaterThanOrEqual(2);
    await workbench.screenshot('classifications-reviewed');
    // No key reached the document as typing.
    expect(await page.locator(`.tabs-container .tab.active.dirty[aria-label*=${JSON.stringify(DOCUMENT)}]`).count()).toBe(0);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});

const MULTI_DOCUMENT = 'topics.txt';
const MULTI_LABELS = ['sports', 'politics', 'science', 'arts'];
const PARAGRAPHS = ['The team played a great game in Japan.', 'The council voted on the new budget.'];

describe('review a multi-label model one label at a time', () => {
  let workspace: TaskWorkspace;
  let session: E2eSession;

  beforeAll(async () => {
    // Default categories (exclusive): the review offers to make them multi-label.
    workspace = taskWorkspace(
      { topics: 'sequence-classification-multilabel' },
      { 'bertLens.classification.model': './models/topics', 'bertLens.annotation.reviewThreshold': 0 },
      { [MULTI_DOCUMENT]: `${PARAGRAPHS.join('\n\n')}\n` },
    );
    session = await startSession({ scenario: 'classification-review-multi-label', workspaceSource: workspace.dir });
  });

  afterAll(async () => {
    await session?.close();
    workspace?.dispose();
  });

  it('switches the categories to multi-label, accepts two labels of one paragraph, remembers a reject, and proposes neither again', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(MULTI_DOCUMENT);
    await page.locator(`${EDITOR} .view-lines`).first().click();
    await page.keyboard.press('Control+Home');
    await workbench.runCommand('BERT Lens: Classify Each Paragraph');
    // A multi-label result after each paragraph: "sports 0.612, arts 0.540" or "none ≥ 0.50".
    const topic = new RegExp(`(${MULTI_LABELS.join('|')}) \\d\\.\\d{3}|none ≥`);
    await expect.poll(async () => (await decorationTexts(page)).filter((text) => topic.test(text)).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeGreaterThanOrEqual(2);

    await workbench.runCommand('BERT Lens: Review Classifications');
    const refusal = await workbench.waitForNotification(/multi-label \(sigmoid scores\), but the text categories are exclusive/, 15_000);
    console.log(`[e2e classification review] ${refusal}`);
    await page.locator('.notification-list-item', { hasText: 'sigmoid scores' }).locator('.monaco-button', { hasText: 'Make Text Categories Multi-Label' }).first().click();
    // Every label of both paragraphs at threshold 0.
    await expect.poll(() => reviewStatus(page), { timeout: 15_000, interval: 500 }).toEqual({ reviewed: 0, total: PARAGRAPHS.length * MULTI_LABELS.length });
    const settings = JSON.parse(fs.readFileSync(path.join(workspaceDir, '.vscode', 'settings.json'), 'utf8')) as Record<string, { exclusive?: boolean }>;
    expect(settings['bertLens.annotation.categories']?.exclusive).toBe(false);

    // The first paragraph's labels come first (best first): two accepts give it two labels.
    await focusEditor(page);
    await page.keyboard.press('a');
    await expect.poll(() => storedDecisions(workspaceDir, MULTI_DOCUMENT)[0]?.accept.length ?? 0, { timeout: 10_000 }).toBe(1);
    await focusEditor(page);
    await page.keyboard.press('a');
    await expect.poll(() => storedDecisions(workspaceDir, MULTI_DOCUMENT)[0]?.accept.length ?? 0, { timeout: 10_000 }).toBe(2);
    const [first] = storedDecisions(workspaceDir, MULTI_DOCUMENT);
    expect(first).toMatchObject({ text: PARAGRAPHS[0], multiLabel: true });
    expect(new Set(first!.accept).size).toBe(2);
    for (const label of first!.accept) expect(MULTI_LABELS).toContain(label);

    // The third label of the first paragraph rejected: remembered with its label, the two accepted stay.
    await focusEditor(page);
    await page.keyboard.press('x');
    await expect.poll(() => rejected(workspaceDir).length, { timeout: 10_000 }).toBe(1);
    const [rejection] = rejected(workspaceDir);
    expect(rejection!.text).toBe(PARAGRAPHS[0]);
    expect(MULTI_LABELS.filter((label) => !first!.accept.includes(label))).toContain(rejection!.label);
    expect(storedDecisions(workspaceDir, MULTI_DOCUMENT)[0]!.accept).toEqual(first!.accept);
    await expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toEqual({ reviewed: 3, total: 8 });
    await workbench.screenshot('multi-label-reviewed');

    // A new review: the two accepted labels and the rejected one are not proposed again.
    await workbench.runCommand('BERT Lens: Review: Leave Review');
    await expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toBeUndefined();
    await workbench.runCommand('BERT Lens: Review Classifications');
    await expect.poll(() => reviewStatus(page), { timeout: 15_000, interval: 500 }).toEqual({ reviewed: 0, total: 5 });
    expect(await page.locator(`.tabs-container .tab.active.dirty[aria-label*=${JSON.stringify(MULTI_DOCUMENT)}]`).count()).toBe(0);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
