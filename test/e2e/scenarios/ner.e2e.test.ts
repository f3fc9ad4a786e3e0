// NER as a person meets it: open a sample document, F1 "BERT Lens: Recognize Entities", see the
// entity decorations, the Entities view (grouped by label) and a hover; Clear Entities removes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { bundledDescription } from './taskHelpers';

/** The first run starts the worker process, loads onnxruntime-node and the bundled model. */
const FIRST_RUN_TIMEOUT_MS = 90_000;
const EDITOR_DECORATIONS = '.editor-group-container .monaco-editor [class*="ced-"]';

describe('NER in the editor', () => {
  let session: E2eSession;

  beforeAll(async () => {
    session = await startSession({ scenario: 'ner' });
  });

  afterAll(async () => {
    await session?.close();
  });

  it('shows which model is active in the status bar', async () => {
    const status = session.workbench.page.locator('.statusbar-item', { hasText: `NER: ${bundledDescription('ner')}` });
    await status.first().waitFor({ timeout: 60_000 });
  });

  it('recognises entities from the palette: decorations, the Entities view grouped by label, a hover', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.openFile('harbour-expansion.txt');
    await workbench.runCommand('BERT Lens: Recognize Entities');
    await expect.poll(async () => (await workbench.decorations()).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeGreaterThan(0);
    const decorations = await workbench.decorations();
    const types = new Set(decorations.flatMap((d) => d.className.split(/\s+/).filter((c) => c.startsWith('ced-'))));
    console.log(`[e2e ner] ${decorations.length} decorated elements, ${types.size} decoration type(s): ${[...types].join(' ')}`);

    // The Entities view in the BERT Lens container: one row per label, with its count.
    await workbench.runCommand('BERT Lens: Focus on Entities View');
    const rows = page.locator('.part.sidebar .monaco-list-row');
    // A label row reads "<label><count>" (the count is the row's description).
    await expect.poll(async () => (await rows.allInnerTexts()).join(' | '), { timeout: 20_000 }).toMatch(/\b(PER|ORG|LOC|MISC)\s*\d+/);
    const rowTexts = await rows.allInnerTexts();
    console.log(`[e2e ner] Entities view rows: ${JSON.stringify(rowTexts.slice(0, 8))}`);
    const groupRow = rowTexts.find((text) => /^(PER|ORG|LOC|MISC)\s*\d+/.test(text.trim()));
    expect(groupRow, `a label row with its count among ${JSON.stringify(rowTexts)}`).toBeDefined();
    await workbench.screenshot('entities');

    // Hover the first decorated span: the hover names a label, a score and the model.
    const first = page.locator(EDITOR_DECORATIONS).first();
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    const hoverText = await workbench.editorHoverAt(box!, 'score');
    console.log(`[e2e ner] hover: ${JSON.stringify(hoverText)}`);
    expect(hoverText).toMatch(/\b(PER|ORG|LOC|MISC)\b · score \d\.\d{3}/);
    expect(hoverText).toContain(`Model: ${bundledDescription('ner')}`);
    await workbench.screenshot('hover');
    await page.keyboard.press('Escape');

    // Clicking an entity in the view selects its span in the editor.
    const entityRow = rows.filter({ hasText: /line \d+ · \d\.\d\d/ }).first();
    await entityRow.click();
    const selection = page.locator('.statusbar-item', { hasText: /\(\d+ selected\)/ });
    await selection.first().waitFor({ timeout: 10_000 });
    console.log(`[e2e ner] after clicking an entity: ${await selection.first().innerText()}`);
  });

  it('clears the entities', async () => {
    const { workbench } = session;
    await workbench.page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await workbench.runCommand('BERT Lens: Clear Entities');
    await expect.poll(async () => (await workbench.decorations()).length, { timeout: 10_000 }).toBe(0);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
