// Helpers of the fine-tune scenarios: a workspace with an annotated document the bundled model's
// vocabulary knows, and the panel's webview frame and fields.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';

export const DOCUMENT = 'finetune-sample.txt';
export const HOSTILE_LABEL = '<img src=x onerror=alert(1)>';

/** Sentences over words the bundled model's vocabulary knows, with PER / LOC / ORG spans. */
export function sampleDocument(): { text: string; spans: Array<{ start: number; end: number; label: string }> } {
  const people = ['John', 'Mary', 'Smith', 'Obama'];
  const places = ['London', 'Paris', 'Berlin', 'Texas', 'Germany', 'France', 'Japan', 'China'];
  const orgs = ['Google', 'Microsoft', 'Apple'];
  const patterns = ['{PER} was born in {LOC} .', '{PER} and {PER} work for {ORG} in {LOC} .', '{ORG} has a new school in {LOC} .', 'the president of {ORG} is {PER} .'];
  let text = '';
  const spans: Array<{ start: number; end: number; label: string }> = [];
  for (let line = 0; line < 32; line++) {
    if (line > 0) text += '\n';
    let n = line;
    const pick = (list: string[]): string => list[(n++ * 7 + line) % list.length]!;
    const pattern = patterns[line % patterns.length]!;
    for (const [i, part] of pattern.split(' ').entries()) {
      if (i > 0) text += ' ';
      const match = /^\{(PER|LOC|ORG)\}$/.exec(part);
      const word = match ? pick(match[1] === 'PER' ? people : match[1] === 'LOC' ? places : orgs) : part;
      if (match) spans.push({ start: text.length, end: text.length + word.length, label: match[1]! });
      text += word;
    }
  }
  // One span with a label that looks like markup: the panel must show it as text.
  const school = text.indexOf('school');
  spans.push({ start: school, end: school + 'school'.length, label: HOSTILE_LABEL });
  return { text: `${text}\n`, spans: spans.sort((a, b) => a.start - b.start) };
}

/** A copy of the sample workspace with DOCUMENT and its annotations in .bert-lens/annotations.jsonl. */
export function prepareWorkspace(prefix = 'finetune'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bert-lens-e2e-${prefix}-src-`));
  fs.cpSync(SAMPLE_WORKSPACE_DIR, dir, { recursive: true });
  const { text, spans } = sampleDocument();
  fs.writeFileSync(path.join(dir, DOCUMENT), text);
  fs.mkdirSync(path.join(dir, '.bert-lens'), { recursive: true });
  const record = { text, spans, meta: { path: DOCUMENT, sha256: createHash('sha256').update(text, 'utf8').digest('hex') }, answer: 'accept' };
  fs.writeFileSync(path.join(dir, '.bert-lens', 'annotations.jsonl'), `${JSON.stringify(record)}\n`);
  return dir;
}

/** The panel's document: the webview frame whose page has built the fine-tune UI (main#app; the sidebar status is main#status). */
export async function panelFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const ready = await frame.locator('main#app[data-state="ready"]').count().catch(() => 0);
      if (ready > 0) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('The fine-tune panel did not load (no webview frame with main#app[data-state="ready"])');
}

export async function chartPoints(frame: Frame, id: string): Promise<number> {
  const chart = frame.locator(`svg[data-chart="${id}"]`);
  if ((await chart.count()) === 0) return 0;
  return Number(await chart.first().getAttribute('data-points'));
}

export async function setField(frame: Frame, field: string, value: string): Promise<void> {
  const input = frame.locator(`vscode-textfield[data-field="${field}"] input`);
  await input.fill(value);
}

/** Opens a workspace file with Quick Open (Ctrl+P); `toSide` opens it beside the active editor (Ctrl+Enter), so the panel stays in view. */
export async function quickOpen(page: Page, name: string, options: { toSide?: boolean } = {}): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor();
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press(options.toSide ? 'Control+Enter' : 'Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).first().waitFor();
}

export async function statusText(frame: Frame): Promise<string> {
  return (await frame.locator('[data-progress]').textContent()) ?? '';
}
