// Labelling a span as a person does it: open a sample document, select a word, F1 "BERT Lens: Label
// Selection…", type a new label → the span is underlined and `.bert-lens/annotations.jsonl` in the
// workspace holds it. Then: the hover offers Change/Remove Label, deleting the word removes the
// span and Undo brings it back (on disk too), and annotation mode labels a selection with key 2.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import type { Box } from '../harness/workbench';

const DOCUMENT = 'harbour-expansion.txt';
const EDITOR = '.editor-group-container .monaco-editor';

/**
 * Decorations with a border are drawn as empty overlay elements behind the text, so they are found
 * by where they are: the boxes of the decorated elements, with the computed bottom border.
 */
async function decorationBoxes(page: Page): Promise<Array<Box & { borderBottom: string; background: string }>> {
  return page.locator(`${EDITOR} [class*="ced-"]`).evaluateAll((elements) =>
    elements.map((element) => {
      const rect = element.getBoundingClientRect();
      const style = element.ownerDocument.defaultView!.getComputedStyle(element);
      return {
        x: rect.x, y: rect.y, width: rect.width, height: rect.height,
        borderBottom: `${style.borderBottomWidth} ${style.borderBottomStyle}`,
        background: style.backgroundColor,
      };
    }),
  );
}

/** The box of the editor's (single-line) selection. */
async function selectionBox(page: Page): Promise<Box> {
  const boxes = await page.locator(`${EDITOR} .selected-text`).evaluateAll((elements) =>
    elements.map((element) => {
      const rect = element.getBoundingClientRect();
      return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }),
  );
  expect(boxes, 'one selected stretch of text').toHaveLength(1);
  return boxes[0]!;
}

/**
 * Selects text with the harness (Find, then Escape) and makes sure the keyboard goes to the editor
 * again: when Escape comes too early the Find widget keeps the focus, and keys would go there.
 */
async function selectInEditor(session: E2eSession, text: string): Promise<void> {
  const page = session.workbench.page;
  await session.workbench.selectText(text);
  const focus = (): Promise<string> =>
    page.locator(EDITOR).first().evaluate((editor) => {
      const active = editor.ownerDocument.activeElement;
      if (active?.closest('.find-widget')) return 'find';
      return active?.closest('.editor-group-container .monaco-editor') ? 'editor' : 'elsewhere';
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const where = await focus();
    if (where === 'editor') return;
    if (where === 'find') await page.keyboard.press('Escape');
    await page.waitForTimeout(250);
  }
  throw new Error(`the editor did not get the keyboard back after selecting "${text}" (focus: ${await focus()})`);
}

/** What a person would see, for the log when a step fails. */
async function describeState(session: E2eSession): Promise<string> {
  const page = session.workbench.page;
  const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts().catch(() => []);
  return JSON.stringify({
    decorations: await decorationBoxes(page),
    stored: storedSpans(session.workspaceDir),
    firstLine: (await page.locator(`${EDITOR} .view-line`).first().innerText()).replace(/\u00a0/g, ' '),
    quickInputRows: rows,
    notifications: await session.workbench.notifications(),
    status: await page.locator('.statusbar-item').allInnerTexts(),
  });
}

/** Runs a step; when it fails, logs the state and saves a screenshot named after it first. */
async function step<T>(session: E2eSession, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    console.log(`[e2e annotation] step "${name}" failed; state: ${await describeState(session)}`);
    await session.workbench.screenshot(`failed-${name}`);
    throw error;
  }
}

/**
 * Runs a palette command that opens a quick pick of its own. The harness's runCommand waits for the
 * palette to hide, which a quick pick opened at once by the command can prevent (it reuses the
 * widget); here the command runs with Enter and the new quick pick's title is awaited instead.
 */
async function runQuickPickCommand(page: Page, title: string, pickTitle: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const exact = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    await widget.locator('.quick-input-box input').fill(`>${title}`);
    try {
      await exact.first().waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (attempt >= 10) throw error;
    }
  }
  await exact.first().click();
  await widget.locator('.quick-input-title', { hasText: pickTitle }).waitFor({ timeout: 15_000 });
}

/** The text of the first line of the editor (Monaco renders spaces as no-break spaces). */
async function firstLine(page: Page): Promise<string> {
  return (await page.locator(`${EDITOR} .view-line`).first().innerText()).replace(/\u00a0/g, ' ');
}

/** Whether a decoration covers exactly the box (same line, same start, same width, within a pixel). */
function covers(decoration: Box, box: Box): boolean {
  return Math.abs(decoration.x - box.x) <= 1 && Math.abs(decoration.width - box.width) <= 1 && Math.abs(decoration.y - box.y) <= 2;
}

interface StoredSpan {
  start: number;
  end: number;
  label: string;
}

/** The spans stored for the sample document, with the text each covers (undefined: no record). */
function storedSpans(workspaceDir: string): Array<StoredSpan & { text: string }> | undefined {
  const file = path.join(workspaceDir, '.bert-lens', 'annotations.jsonl');
  if (!fs.existsSync(file)) return undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { text: string; spans: StoredSpan[]; meta: { path: string } };
    if (record.meta.path === DOCUMENT) return record.spans.map((span) => ({ ...span, text: record.text.slice(span.start, span.end) }));
  }
  return undefined;
}

describe('annotation in the editor', () => {
  let session: E2eSession;

  beforeAll(async () => {
    session = await startSession({ scenario: 'annotation' });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('labels a selection with a new label from the palette: underline in the editor, span and label on disk', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(DOCUMENT);
    await selectInEditor(session, 'Rotterdam');
    await step(session, 'label-command', () => runQuickPickCommand(page, 'BERT Lens: Label Selection…', /^Label "Rotterdam"$/));
    const quickInput = page.locator('.quick-input-widget');
    await step(session, 'type-label', async () => {
      await page.keyboard.type('HARBOUR', { delay: 20 });
      await quickInput.locator('.monaco-list-row', { hasText: 'Add label "HARBOUR"' }).first().waitFor();
    });
    await workbench.screenshot('label-quick-pick');
    await step(session, 'accept-label', async () => {
      await page.keyboard.press('Enter');
      await quickInput.waitFor({ state: 'hidden' });
    });

    // The selection stays; the new underline lies exactly under it.
    const selected = await selectionBox(page);
    await step(session, 'underline', () => expect.poll(async () => (await decorationBoxes(page)).some((d) => covers(d, selected)), { timeout: 15_000 }).toBe(true));
    const decoration = (await decorationBoxes(page)).find((d) => covers(d, selected))!;
    console.log(`[e2e annotation] decoration: ${JSON.stringify(decoration)}`);
    // A solid underline on the label's tinted background (predictions have only a dashed outline).
    expect(decoration.borderBottom).toBe('2px solid');
    expect(decoration.background).not.toBe('rgba(0, 0, 0, 0)');
    await expect.poll(() => storedSpans(workspaceDir), { timeout: 15_000 }).toEqual([{ start: 8, end: 17, label: 'HARBOUR', text: 'Rotterdam' }]);
    const labels = JSON.parse(fs.readFileSync(path.join(workspaceDir, '.bert-lens', 'labels.json'), 'utf8')) as { labels: string[] };
    expect(labels.labels).toContain('HARBOUR');
    await workbench.screenshot('labelled');
  });

  it('shows the annotation in a hover with Change Label and Remove Label links', async () => {
    const { workbench } = session;
    const page = workbench.page;
    const [box] = await workbench.renderedBoxes(`${EDITOR} [class*="ced-"]`);
    expect(box).toBeDefined();
    const hover = await step(session, 'hover', async () => {
      return workbench.editorHoverAt(box!, 'annotation');
    });
    console.log(`[e2e annotation] hover: ${JSON.stringify(hover)}`);
    expect(hover).toContain('HARBOUR · annotation');
    expect(hover).toContain('Change Label…');
    expect(hover).toContain('Remove Label');
    await workbench.screenshot('hover');
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 5);
  });

  it('removes the span when its word is deleted, and Undo brings it back (on disk too)', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    const before = await decorationBoxes(page);
    expect(before).toHaveLength(1);
    // "of Rotterdam": Find does not search again for the text it already holds.
    await selectInEditor(session, 'of Rotterdam');
    await page.keyboard.press('Delete');
    await step(session, 'deleted', async () => {
      await expect.poll(() => firstLine(page), { timeout: 10_000 }).toBe('Port  Approves Second Container Terminal Expansion');
      await expect.poll(async () => (await decorationBoxes(page)).length, { timeout: 10_000 }).toBe(0);
      await expect.poll(() => storedSpans(workspaceDir), { timeout: 10_000 }).toBeUndefined();
    });
    await page.keyboard.press('Control+Z');
    await step(session, 'undone', async () => {
      await expect.poll(() => firstLine(page), { timeout: 10_000 }).toBe('Port of Rotterdam Approves Second Container Terminal Expansion');
      await expect.poll(async () => (await decorationBoxes(page)).some((d) => covers(d, before[0]!)), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => storedSpans(workspaceDir), { timeout: 10_000 }).toEqual([{ start: 8, end: 17, label: 'HARBOUR', text: 'Rotterdam' }]);
    });
  });

  it('labels with the keys of annotation mode', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.runCommand('BERT Lens: Toggle Annotation Mode');
    await page.locator('.statusbar-item', { hasText: 'Annotating' }).first().waitFor({ timeout: 10_000 });
    await selectInEditor(session, 'Marieke van Dalen');
    const selected = await selectionBox(page);
    // Key 1 is the workspace's first label (HARBOUR), key 2 the first configured default (PER).
    await page.keyboard.press('2');
    const text = async (): Promise<string> => (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
    await step(session, 'key-2', () =>
      expect
        .poll(async () => [storedSpans(workspaceDir)?.map((span) => `${span.label}:${span.text}`), (await text()).includes('Marieke van Dalen')], { timeout: 10_000 })
        .toEqual([['HARBOUR:Rotterdam', 'PER:Marieke van Dalen'], true]),
    );
    // The key labelled the selection instead of typing over it (the text is still there, above).
    expect((await decorationBoxes(page)).some((d) => covers(d, selected))).toBe(true);
    await workbench.screenshot('annotation-mode');
  });

  it('follows the text when the file changes on disk: moved spans stay on their words, a lost one is reported', async () => {
    const { workbench, workspaceDir } = session;
    const file = path.join(workspaceDir, DOCUMENT);
    const text = fs.readFileSync(file, 'utf8');
    // Another program rewrites the file: a word inserted before "Rotterdam", the CEO's name gone.
    fs.writeFileSync(file, text.replace('Port of Rotterdam', 'Port of Greater Rotterdam').replace('Marieke van Dalen', 'the CEO'));
    await step(session, 'reloaded', async () => {
      await expect.poll(() => firstLine(workbench.page), { timeout: 30_000 }).toBe('Port of Greater Rotterdam Approves Second Container Terminal Expansion');
      const notice = await workbench.waitForNotification(/reloaded from disk/, 15_000);
      expect(notice).toMatch(/harbour-expansion\.txt was reloaded from disk .* 1 annotation\(s\) whose text is gone were removed/);
      await expect.poll(() => storedSpans(workspaceDir)?.map((span) => `${span.label}:${span.text}@${span.start}`), { timeout: 10_000 }).toEqual(['HARBOUR:Rotterdam@16']);
    });
    await workbench.screenshot('reloaded');
  });

  it('lists annotations in the Entities view, and accepts model predictions without touching the annotation', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await page.locator(`${EDITOR} .view-lines`).first().click();
    await workbench.runCommand('BERT Lens: Recognize Entities');
    // The first run starts the worker and loads the bundled model.
    await step(session, 'predictions', () => expect.poll(async () => (await decorationBoxes(page)).length, { timeout: 90_000, interval: 500 }).toBeGreaterThan(1));
    await workbench.runCommand('BERT Lens: Focus on Entities View');
    const rows = page.locator('.part.sidebar .monaco-list-row');
    await step(session, 'tree', () => expect.poll(async () => (await rows.allInnerTexts()).join(' | '), { timeout: 20_000 }).toMatch(/Annotations\s*1\b.*HARBOUR\s*1\b.*Rotterdam/s));
    console.log(`[e2e annotation] Entities view: ${JSON.stringify((await rows.allInnerTexts()).slice(0, 12))}`);
    await workbench.screenshot('entities-view');

    await page.locator(`${EDITOR} .view-lines`).first().click();
    await workbench.runCommand('BERT Lens: Accept Predictions');
    const notice = await step(session, 'accepted', () => workbench.waitForNotification(/predictions? accepted as annotations/, 20_000));
    console.log(`[e2e annotation] ${notice}`);
    const accepted = Number(/(\d+) predictions? accepted/.exec(notice)![1]);
    expect(accepted).toBeGreaterThan(0);
    await step(session, 'accepted-on-disk', () =>
      expect.poll(() => storedSpans(workspaceDir)?.length, { timeout: 10_000 }).toBe(1 + accepted),
    );
    // The person's label wins over any prediction on the same word.
    expect(storedSpans(workspaceDir)!.filter((span) => span.text === 'Rotterdam' && span.start === 16).map((span) => span.label)).toEqual(['HARBOUR']);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
