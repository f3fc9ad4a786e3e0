// Text categories as a person gives them: a workspace whose settings name two exclusive categories,
// annotation mode on, the cursor in a paragraph, Alt+1 → a "▸ shipping" badge after the paragraph and
// `.bert-lens/annotations.jsonl` holds the decision; Alt+2 replaces it, Alt+2 again takes it off.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { paragraphAt } from '../../../src/core/data/categoryEdits';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';

const DOCUMENT = 'harbour-expansion.txt';
const EDITOR = '.editor-group-container .monaco-editor';
const WORDS = 'Chief executive';

/** Text of the decorations in the editor: injected after-text, or the CSS content of ::after. */
async function decorationTexts(page: Page): Promise<string[]> {
  return page.locator(`${EDITOR} [class*="ced-"]`).evaluateAll((elements) => elements.map((element) => {
    const view = globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } };
    const after = view.getComputedStyle(element, '::after').content;
    const css = after && after !== 'none' && after !== 'normal' ? after.replace(/^"|"$/g, '') : '';
    return `${element.textContent ?? ''}${css}`.trim();
  }).filter((text) => text !== ''));
}

interface StoredDecision {
  scope: string;
  accept: string[];
  text: string;
}

/** The paragraph and selection decisions stored for the document, with the text each covers (undefined: no record). */
function storedDecisions(workspaceDir: string): StoredDecision[] | undefined {
  const file = path.join(workspaceDir, '.bert-lens', 'annotations.jsonl');
  if (!fs.existsSync(file)) return undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { text: string; meta: { path: string }; categories?: Array<{ start: number; end: number; scope: string; accept: string[] }> };
    if (record.meta.path !== DOCUMENT) continue;
    return (record.categories ?? []).map((c) => ({ scope: c.scope, accept: c.accept, text: record.text.slice(c.start, c.end) }));
  }
  return undefined;
}

describe('text categories in the editor', () => {
  let session: E2eSession;
  let source: string;
  let paragraph: string;

  beforeAll(async () => {
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-e2e-textcat-source-'));
    fs.cpSync(SAMPLE_WORKSPACE_DIR, source, { recursive: true });
    fs.mkdirSync(path.join(source, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(source, '.vscode', 'settings.json'),
      JSON.stringify({ 'bertLens.annotation.categories': { labels: ['shipping', 'politics'], exclusive: true } }, null, 2),
    );
    const text = fs.readFileSync(path.join(source, DOCUMENT), 'utf8');
    const range = paragraphAt(text, text.indexOf(WORDS))!;
    paragraph = text.slice(range.start, range.end);
    session = await startSession({ scenario: 'textCategories', workspaceSource: source });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(source, { recursive: true, force: true });
  });

  it('Alt+1 in annotation mode gives the paragraph under the cursor its category: a badge, and the decision on disk', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(DOCUMENT);
    await workbench.runCommand('BERT Lens: Toggle Annotation Mode');
    await page.locator('.statusbar-item', { hasText: 'Annotating' }).first().waitFor({ timeout: 10_000 });
    // The caret inside the paragraph, no selection: Alt+n labels the paragraph.
    await workbench.selectText(WORDS);
    // Escape left the keyboard in the editor (Find closed); ArrowRight drops the selection.
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText()).includes('selected'), { timeout: 10_000 }).toBe(false);
    await page.keyboard.press('Alt+1');
    try {
      await expect.poll(() => storedDecisions(workspaceDir), { timeout: 15_000 }).toEqual([{ scope: 'paragraph', accept: ['shipping'], text: paragraph }]);
      await expect.poll(() => decorationTexts(page), { timeout: 10_000 }).toContain('\u25b8 shipping');
    } finally {
      await workbench.screenshot('alt-1');
    }
  });

  it('Alt+2 replaces the exclusive category; Alt+2 again takes it off (and the record with it)', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await page.keyboard.press('Alt+2');
    await expect.poll(() => storedDecisions(workspaceDir), { timeout: 15_000 }).toEqual([{ scope: 'paragraph', accept: ['politics'], text: paragraph }]);
    await expect.poll(() => decorationTexts(page), { timeout: 10_000 }).toContain('\u25b8 politics');
    expect(await decorationTexts(page)).not.toContain('\u25b8 shipping');
    await page.keyboard.press('Alt+2');
    await expect.poll(() => storedDecisions(workspaceDir), { timeout: 15_000 }).toBeUndefined();
    await expect.poll(async () => (await decorationTexts(page)).filter((text) => text.startsWith('\u25b8')), { timeout: 10_000 }).toEqual([]);
    await workbench.screenshot('removed');
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
