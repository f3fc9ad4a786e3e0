// Comparing with another annotator, as a person does it: a document annotated in the workspace's
// store, another annotator's Prodigy export of the same text beside it; F1 "BERT Lens: Compare
// Annotations with…", the file typed into VS Code's open dialog → the disagreements are outlined
// with the other label after them, the status bar counts them, F7 steps to the next one and a hover
// names both sides. Changing the document's own annotation to agree removes a disagreement.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { startSession, type E2eSession } from '../harness/session';

const DOCUMENT = 'compare-sample.txt';
const OTHER = 'annotator-b.jsonl';
const EDITOR = '.editor-group-container .monaco-editor';
const TEXT = 'Ann Lee met Bob Stone in Rome.\nLater Carl Diaz flew to Oslo with Ann Lee.\n';

type Span = { start: number; end: number; label: string };
const at = (word: string, label: string, from = 0): Span => {
  const start = TEXT.indexOf(word, from);
  return { start, end: start + word.length, label };
};
// Here: Ann Lee PER, Bob Stone PER, Rome LOC, Carl Diaz PER. The other annotator: Bob Stone ORG,
// no Rome, Carl (boundary), Oslo LOC, the second Ann Lee PER — five disagreements, Ann Lee agrees.
const HERE = [at('Ann Lee', 'PER'), at('Bob Stone', 'PER'), at('Rome', 'LOC'), at('Carl Diaz', 'PER')];
const THEIRS = [at('Ann Lee', 'PER'), at('Bob Stone', 'ORG'), at('Carl', 'PER'), at('Oslo', 'LOC'), at('Ann Lee', 'PER', 40)];

async function compareStatus(page: Page): Promise<string | undefined> {
  for (const text of await page.locator('.statusbar-item').allInnerTexts()) if (/with annotator-b\.jsonl/.test(text)) return text.trim();
  return undefined;
}

/** The captions drawn after decorations ("≠ ORG"). */
async function captions(page: Page): Promise<string[]> {
  return page.locator(`${EDITOR} [class*="ced-"]`).evaluateAll((elements) =>
    elements
      .map((element) => {
        const content = element.ownerDocument.defaultView!.getComputedStyle(element, '::after').content;
        const text = (element.textContent ?? '') || (content && content !== 'none' && content !== 'normal' ? content.replace(/^"|"$/g, '') : '');
        return text.replace(/\u00a0/g, ' ').trim();
      })
      .filter((text) => text.startsWith('≠')),
  );
}

describe('compare annotations with another annotator', () => {
  let session: E2eSession;
  let sourceDir: string;

  beforeAll(async () => {
    sourceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-e2e-compare-'));
    fs.cpSync(SAMPLE_WORKSPACE_DIR, sourceDir, { recursive: true });
    fs.writeFileSync(path.join(sourceDir, DOCUMENT), TEXT);
    fs.mkdirSync(path.join(sourceDir, '.bert-lens'), { recursive: true });
    const sha256 = createHash('sha256').update(TEXT, 'utf8').digest('hex');
    fs.appendFileSync(path.join(sourceDir, '.bert-lens', 'annotations.jsonl'), `${JSON.stringify({ text: TEXT, spans: HERE, meta: { path: DOCUMENT, sha256 }, answer: 'accept' })}\n`);
    // The other annotator's export has no path: it is matched by the text.
    fs.writeFileSync(path.join(sourceDir, OTHER), `${JSON.stringify({ text: TEXT, spans: THEIRS, answer: 'accept' })}\n`);
    session = await startSession({ scenario: 'compare', workspaceSource: sourceDir });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(sourceDir, { recursive: true, force: true });
  });

  it('outlines each disagreement with the other label, counts them and steps through them with F7', async () => {
    const { workbench, workspaceDir } = session;
    const page = workbench.page;
    await workbench.openFile(DOCUMENT);
    await page.locator(`${EDITOR} .view-lines`).first().click();
    // From the top: the first disagreement is the first after the cursor.
    await page.keyboard.press('Control+Home');
    await workbench.runCommand('BERT Lens: Compare Annotations with…');
    // VS Code's own open dialog (a quick input with a path box): type the file's path.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    // The dialog fills in its folder (the workspace) once it has listed it; typing before that is overwritten.
    await expect.poll(() => input.inputValue(), { timeout: 15_000 }).toMatch(/workspace\/?$/);
    await input.fill(path.join(workspaceDir, OTHER));
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: OTHER }).first().waitFor();
    await page.keyboard.press('Enter');
    try {
      await expect.poll(() => compareStatus(page), { timeout: 20_000 }).toMatch(/^\S* ?1 \/ 5 disagreements with annotator-b\.jsonl$/);
    } catch (error) {
      console.log(`[e2e compare] status ${JSON.stringify(await page.locator('.statusbar-item').allInnerTexts())}; notifications ${JSON.stringify(await workbench.notifications())}`);
      await workbench.screenshot('failed-compare');
      throw error;
    }
    expect((await captions(page)).sort()).toEqual(['≠ LOC', '≠ ORG', '≠ PER', '≠ PER', '≠ nothing'].sort());
    await workbench.screenshot('comparing');

    // F7: the next disagreement (Rome, which the other side does not have) is selected.
    await page.keyboard.press('F7');
    await expect.poll(() => compareStatus(page), { timeout: 10_000 }).toMatch(/2 \/ 5 disagreements/);
    const selected = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText();
    expect(selected).toMatch(/\(4 selected\)/);
    await page.keyboard.press('Shift+F7');
    await expect.poll(() => compareStatus(page), { timeout: 10_000 }).toMatch(/1 \/ 5 disagreements/);

    // A hover names both sides.
    const bob = await page.locator(`${EDITOR} [class*="ced-"]`, { hasText: /^Bob\sStone$/ }).first().boundingBox();
    expect(bob).not.toBeNull();
    const hover = await workbench.editorHoverAt(bob!, 'another label');
    expect(hover.replace(/\u00a0/g, ' ')).toContain('another label: here PER, annotator-b.jsonl ORG ("Bob Stone")');

    await workbench.runCommand('BERT Lens: Stop Comparing Annotations');
    await expect.poll(() => compareStatus(page), { timeout: 10_000 }).toBeUndefined();
    expect(await captions(page)).toEqual([]);
  });
});
