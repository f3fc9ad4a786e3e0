// Reviewing predictions one by one, as a person does it: Recognize Entities on a sample document,
// F1 "BERT Lens: Review Predictions", then the review keys — `a` accepts the outlined prediction,
// `x` rejects the next one, `l` gives the third another label from the quick pick. Then the store
// (`.bert-lens/annotations.jsonl`), the remembered rejection (`.bert-lens/review.json`) and the
// editor's decorations (annotations filled and underlined, predictions dashed) agree, and a second
// review leaves out what was decided.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import type { Box } from '../harness/workbench';

const DOCUMENT = 'harbour-expansion.txt';
const EDITOR = '.editor-group-container .monaco-editor';
/** The first run starts the worker process, loads onnxruntime-node and the bundled model. */
const FIRST_RUN_TIMEOUT_MS = 90_000;
const TRANSPARENT = 'rgba(0, 0, 0, 0)';

interface StyledBox extends Box {
  border: string;
  borderBottom: string;
  background: string;
  text: string;
}

/** Decorated elements with what tells them apart: border styles and background (see the decoration types). */
async function decorationBoxes(page: Page): Promise<StyledBox[]> {
  return page.locator(`${EDITOR} [class*="ced-"]`).evaluateAll((elements) =>
    elements.map((element) => {
      const afterContent = (of: (typeof elements)[number]): string => {
        const content = of.ownerDocument.defaultView!.getComputedStyle(of, '::after').content;
        return content && content !== 'none' && content !== 'normal' ? content.replace(/^"|"$/g, '') : '';
      };
      const rect = element.getBoundingClientRect();
      const style = element.ownerDocument.defaultView!.getComputedStyle(element);
      return {
        x: rect.x, y: rect.y, width: rect.width, height: rect.height,
        border: `${style.borderTopWidth} ${style.borderTopStyle}`,
        borderBottom: `${style.borderBottomWidth} ${style.borderBottomStyle}`,
        background: style.backgroundColor,
        // A caption (contentText) is drawn by CSS (::after { content: "…" }) or as injected text.
        text: ((element.textContent ?? '') || afterContent(element)).replace(/\u00a0/g, ' '),
      };
    }),
  );
}

/** Annotations: the label's background and a 2px solid underline, no border above. */
const isAnnotation = (d: StyledBox): boolean => d.background !== TRANSPARENT && d.borderBottom === '2px solid' && d.border.startsWith('0px');
/** Predictions: a 1px dashed outline. */
const isPrediction = (d: StyledBox): boolean => d.border === '1px dashed';

/** Whether two boxes are the same stretch of text (same line, same start and width within a pixel). */
function covers(a: Box, b: Box): boolean {
  return Math.abs(a.x - b.x) <= 1 && Math.abs(a.width - b.width) <= 1 && Math.abs(a.y - b.y) <= 2;
}

interface StoredSpan {
  label: string;
  text: string;
}

function storedSpans(workspaceDir: string): StoredSpan[] | undefined {
  const file = path.join(workspaceDir, '.bert-lens', 'annotations.jsonl');
  if (!fs.existsSync(file)) return undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { text: string; spans: Array<{ start: number; end: number; label: string }>; meta: { path: string } };
    if (record.meta.path === DOCUMENT) return record.spans.map((span) => ({ label: span.label, text: record.text.slice(span.start, span.end) }));
  }
  return undefined;
}

/** The text the store holds for the document: the editor's text when the decisions were saved. */
function storedText(workspaceDir: string): string | undefined {
  const file = path.join(workspaceDir, '.bert-lens', 'annotations.jsonl');
  const line = fs.readFileSync(file, 'utf8').split('\n').find((candidate) => candidate.includes(`"path":${JSON.stringify(DOCUMENT)}`));
  return line === undefined ? undefined : (JSON.parse(line) as { text: string }).text;
}

function rejected(workspaceDir: string): Array<StoredSpan & { path: string }> | undefined {
  const file = path.join(workspaceDir, '.bert-lens', 'review.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { rejected: Array<StoredSpan & { path: string }> }).rejected.map(({ label, text, path: where }) => ({ label, text, path: where }));
}

/** "Review 1 / 12" from the status bar; undefined while no review runs. */
async function reviewStatus(page: Page): Promise<{ reviewed: number; total: number } | undefined> {
  for (const text of await page.locator('.statusbar-item').allInnerTexts()) {
    const match = /Review (\d+) \/ (\d+)/.exec(text);
    if (match) return { reviewed: Number(match[1]), total: Number(match[2]) };
  }
  return undefined;
}

/** The caption after the current prediction: " PER 0.93". */
async function currentCaption(page: Page): Promise<{ label: string; score: string } | undefined> {
  for (const decoration of await decorationBoxes(page)) {
    const match = /^\s*(\S+) (\d\.\d\d)\s*$/.exec(decoration.text);
    if (match) return { label: match[1]!, score: match[2]! };
  }
  return undefined;
}

/** Makes sure the keyboard goes to the editor (review keys are bound only with editorTextFocus). */
async function focusEditor(page: Page): Promise<void> {
  const where = (): Promise<string> =>
    page.locator(EDITOR).first().evaluate((editor) => {
      const active = editor.ownerDocument.activeElement;
      return active?.closest('.editor-group-container .monaco-editor') ? 'editor' : (active?.className ?? 'none');
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    if ((await where()) === 'editor') return;
    if (attempt === 5) await page.keyboard.press('Escape');
    await page.waitForTimeout(250);
  }
  throw new Error(`the editor did not get the keyboard (focus: ${await where()})`);
}

describe('review predictions one by one', () => {
  let session: E2eSession;
  let sourceDir: string;
  /** The document's text on disk: keys typed into it instead of deciding would change the editor's text. */
  let originalText: string;

  beforeAll(async () => {
    // Threshold 0: every prediction of the bundled model is proposed, whatever its scores.
    sourceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-e2e-review-'));
    fs.cpSync(SAMPLE_WORKSPACE_DIR, sourceDir, { recursive: true });
    fs.mkdirSync(path.join(sourceDir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(sourceDir, '.vscode', 'settings.json'), `${JSON.stringify({ 'bertLens.annotation.reviewThreshold': 0 }, null, 2)}\n`);
    originalText = fs.readFileSync(path.join(sourceDir, DOCUMENT), 'utf8');
    session = await startSession({ scenario: 'review', workspaceSource: sourceDir });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(sourceDir, { recursive: true, force: true });
  });

  /** Runs a step; when it fails, logs what a person would see and saves a screenshot first. */
  async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const page = session.workbench.page;
      console.log(`[e2e review] step "${name}" failed; state: ${JSON.stringify({
        status: await page.locator('.statusbar-item').allInnerTexts(),
        notifications: await session.workbench.notifications(),
        stored: storedSpans(session.workspaceDir),
        rejected: rejected(session.workspaceDir),
        decorations: (await decorationBoxes(page)).slice(0, 40),
      })}`);
      await session.workbench.screenshot(`failed-${name}`);
      throw error;
    }
  }

  it('reviews three predictions with the keys (accept, reject, change label): the store and the decorations agree', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(DOCUMENT);
    await page.locator(`${EDITOR} .view-lines`).first().click();
    await workbench.runCommand('BERT Lens: Recognize Entities');
    await step('predictions', () => expect.poll(async () => (await decorationBoxes(page)).filter(isPrediction).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeGreaterThanOrEqual(3));
    // Predictions are dashed outlines without a fill; nothing is an annotation yet.
    expect((await decorationBoxes(page)).filter(isAnnotation)).toEqual([]);
    await workbench.screenshot('predictions');

    await workbench.runCommand('BERT Lens: Review Predictions');
    const started = await step('started', async () => {
      await expect.poll(() => reviewStatus(page), { timeout: 15_000 }).toBeDefined();
      return (await reviewStatus(page))!;
    });
    console.log(`[e2e review] ${started.total} predictions to review`);
    expect(started.reviewed).toBe(0);
    expect(started.total).toBeGreaterThanOrEqual(3);
    // The current prediction is outlined (2px all round) and captioned with its label and score.
    const first = await step('caption', async () => {
      await expect.poll(() => currentCaption(page), { timeout: 10_000 }).toBeDefined();
      return (await currentCaption(page))!;
    });
    expect((await decorationBoxes(page)).some((d) => d.border === '2px solid' && d.background === TRANSPARENT)).toBe(true);
    await workbench.screenshot('review-started');

    // a: accept.
    await focusEditor(page);
    await page.keyboard.press('a');
    await step('accepted', async () => {
      await expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toEqual({ reviewed: 1, total: started.total });
      await expect.poll(() => storedSpans(workspaceDir)?.length, { timeout: 10_000 }).toBe(1);
    });
    const accepted = storedSpans(workspaceDir)![0]!;
    expect(accepted.label).toBe(first.label);

    // x: reject.
    const second = (await currentCaption(page))!;
    await focusEditor(page);
    await page.keyboard.press('x');
    await step('rejected', async () => {
      await expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toEqual({ reviewed: 2, total: started.total });
      await expect.poll(() => rejected(workspaceDir)?.length, { timeout: 10_000 }).toBe(1);
    });
    const refused = rejected(workspaceDir)![0]!;
    expect(refused).toMatchObject({ label: second.label, path: DOCUMENT });
    expect(storedSpans(workspaceDir)).toEqual([accepted]);

    // l: another label, typed into the quick pick.
    await focusEditor(page);
    await page.keyboard.press('l');
    const quickInput = page.locator('.quick-input-widget');
    const title = await step('label-pick', async () => {
      const element = quickInput.locator('.quick-input-title', { hasText: /^Accept ".*" as$/ });
      await element.waitFor({ timeout: 15_000 });
      return element.innerText();
    });
    const relabelledText = /^Accept "(.*)" as$/.exec(title)![1]!;
    await page.keyboard.type('HARBOUR', { delay: 20 });
    await step('add-label-row', () => quickInput.locator('.monaco-list-row', { hasText: 'Add label "HARBOUR"' }).first().waitFor());
    await page.keyboard.press('Enter');
    await step('relabelled', async () => {
      await quickInput.waitFor({ state: 'hidden' });
      await expect.poll(() => storedSpans(workspaceDir)?.length, { timeout: 10_000 }).toBe(2);
    });
    const spans = storedSpans(workspaceDir)!;
    expect(spans).toContainEqual(accepted);
    // The quick pick's title quotes the prediction's text (its first 40 characters).
    const relabelled = spans.find((span) => span.label === 'HARBOUR');
    expect(relabelled?.text.startsWith(relabelledText), JSON.stringify(spans)).toBe(true);
    expect(spans.some((span) => span.text === refused.text && span.label === refused.label)).toBe(false);
    if (started.total === 3) {
      // Everything is decided: the review ends by itself.
      await step('ended', () => workbench.waitForNotification(/review ended: 2 accepted, 1 rejected/, 15_000));
    } else {
      await step('progress', () => expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toEqual({ reviewed: 3, total: started.total }));
    }
    // No key reached the document as typing: the editor is not dirty and the record holds the file's text.
    expect(await page.locator(`.tabs-container .tab.active.dirty[aria-label*=${JSON.stringify(DOCUMENT)}]`).count()).toBe(0);
    expect(storedText(workspaceDir)).toBe(originalText);

    // The editor agrees with the store: one filled, underlined box per stored span, each on a
    // prediction's dashed outline (the model found it, the person confirmed it).
    await step('decorations', async () => {
      await expect.poll(async () => (await decorationBoxes(page)).filter(isAnnotation).length, { timeout: 10_000 }).toBe(2);
      const boxes = await decorationBoxes(page);
      for (const annotation of boxes.filter(isAnnotation)) expect(boxes.some((d) => isPrediction(d) && covers(d, annotation))).toBe(true);
    });
    await workbench.screenshot('reviewed');
  });

  it('leaves the review with Escape, and a new review leaves out what was accepted or rejected', async () => {
    const { workbench } = session;
    const page = workbench.page;
    const before = await reviewStatus(page);
    if (before) {
      await focusEditor(page);
      await page.keyboard.press('Escape');
      await step('left', () => expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toBeUndefined());
    }
    const total = before?.total ?? 3;
    await page.locator(`${EDITOR} .view-lines`).first().click();
    if (total === 3) {
      await workbench.runCommand('BERT Lens: Review Predictions');
      const notice = await step('nothing-left', () => workbench.waitForNotification(/no predictions to review/, 15_000));
      for (const part of [/1 rejected before/, /1 already annotated/, /1 overlapping an annotation/]) expect(notice).toMatch(part);
      return;
    }
    await workbench.runCommand('BERT Lens: Review Predictions');
    await step('restarted', () => expect.poll(() => reviewStatus(page), { timeout: 15_000 }).toEqual({ reviewed: 0, total: total - 3 }));
    // The start message says why three fewer are proposed: the accepted one is an annotation, the
    // relabelled one overlaps the person's label, the rejected one is remembered.
    const message = (await page.locator('.statusbar-item').allInnerTexts()).find((text) => text.includes('predictions to review')) ?? '';
    console.log(`[e2e review] restart: ${message}`);
    for (const part of [/1 rejected before/, /1 already annotated/, /1 overlapping an annotation/]) expect(message).toMatch(part);
    await focusEditor(page);
    await page.keyboard.press('Escape');
    await step('left-again', () => expect.poll(() => reviewStatus(page), { timeout: 10_000 }).toBeUndefined());
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
