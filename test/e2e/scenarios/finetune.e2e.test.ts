// Fine-tuning as a person does it: open the Fine-tune panel in the editor area (the LR preview chart is drawn), set a
// few hyperparameters, Start on the workspace's annotations → the loss chart gets points, Pause and
// Resume hold and continue, the editor answers "Go to Line" while training runs, checkpoints
// appear → "Use for NER" on one → Recognize Entities → decorations from the new model (status bar
// and hover name it). A label named like an HTML tag shows literally in the panel.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { chartPoints, DOCUMENT, HOSTILE_LABEL, panelFrame, prepareWorkspace, quickOpen, setField, statusText } from './finetuneHelpers';

describe('fine-tune panel', () => {
  let session: E2eSession;
  let frame: Frame;
  let workspaceSource: string;
  let checkpointName = '';

  beforeAll(async () => {
    workspaceSource = prepareWorkspace();
    session = await startSession({ scenario: 'finetune', workspaceSource });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(workspaceSource, { recursive: true, force: true });
  });

  it('opens with the dataset summary and a learning-rate preview chart', async () => {
    const { workbench } = session;
    await workbench.runCommand('BERT Lens: Open Fine-tune Panel');
    frame = await panelFrame(workbench.page);
    await expect.poll(() => chartPoints(frame, 'lr-preview'), { timeout: 20_000 }).toBeGreaterThan(1);
    await expect.poll(async () => frame.locator('.dataset-counts').textContent(), { timeout: 30_000 }).toMatch(/1 document · 32 sentences/);
    // The markup-like label is a table cell's text, not an element.
    const cells = await frame.locator('.label-counts td.label').allTextContents();
    expect(cells).toContain(HOSTILE_LABEL);
    expect(await frame.locator('.dataset img').count()).toBe(0);
    expect(await frame.locator('.dataset .notice-warning').allTextContents()).toContainEqual(expect.stringMatching(/has 1 example \(fewer than 5\)/));

    // The preview follows the fields: warmup adds a marker, a bad value explains itself.
    const before = await frame.locator('svg[data-chart="lr-preview"] polyline').getAttribute('points');
    await setField(frame, 'warmup_ratio', '0.1');
    await expect.poll(() => frame.locator('svg[data-chart="lr-preview"] polyline').getAttribute('points')).not.toBe(before);
    await setField(frame, 'learning_rate', 'fast');
    await expect.poll(() => frame.locator('[data-error-for="learning_rate"]').textContent()).toMatch(/learning_rate must be a number/);
    expect(await chartPoints(frame, 'lr-preview')).toBe(0);
    await session.workbench.screenshot('panel-preview');
  });

  it('trains on the annotations: loss chart, a responsive editor, Pause/Resume, state kept when the panel is hidden, checkpoints', async () => {
    const { workbench } = session;
    const page = workbench.page;
    // An editor to move around in while training runs, beside the panel (which stays in view).
    await quickOpen(page, DOCUMENT, { toSide: true });
    // A rate a real BERT survives (the bundled model is one): 0.01 makes it forget every entity.
    await setField(frame, 'learning_rate', '0.0005');
    await setField(frame, 'num_train_epochs', '60');
    await setField(frame, 'per_device_train_batch_size', '2');
    await setField(frame, 'save_steps', '200');
    await expect.poll(() => chartPoints(frame, 'lr-preview'), { timeout: 20_000 }).toBeGreaterThan(100);
    await frame.locator('vscode-button[data-action="start"]').click();

    await expect.poll(() => chartPoints(frame, 'loss'), { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
    await workbench.screenshot('training');

    // The editor answers while the job runs: Go to Line (quick access ":5", what Ctrl+G opens) moves the cursor.
    expect(await statusText(frame)).toMatch(/^Training/);
    // Clicking Start made the panel the active editor: Go to Line needs the document's.
    await page.locator(`.tabs-container .tab[aria-label*="${DOCUMENT}"]`).first().click();
    const started = Date.now();
    await page.keyboard.press('F1');
    const quickInput = page.locator('.quick-input-widget .quick-input-box input');
    await quickInput.waitFor();
    await quickInput.fill(':5');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /line 5/i }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: /Ln 5, Col 1/ }).first().waitFor({ timeout: 10_000 });
    const answeredMs = Date.now() - started;
    const during = await statusText(frame);
    console.log(`[e2e finetune] Go to Line answered in ${answeredMs} ms; panel: ${during}`);
    expect(during).toMatch(/^Training/);
    expect(answeredMs).toBeLessThan(10_000);

    await frame.locator('vscode-button[data-action="pause"]').click();
    await expect.poll(() => statusText(frame), { timeout: 30_000 }).toMatch(/^Paused · step \d+/);
    const pausedAt = await statusText(frame);
    await page.waitForTimeout(1500);
    expect(await statusText(frame)).toBe(pausedAt);
    await workbench.screenshot('paused');
    await frame.locator('vscode-button[data-action="resume"]').click();
    await expect.poll(() => statusText(frame), { timeout: 30_000 }).toMatch(/^(Training|Finished)/);

    // Close the panel (its tab; the webview is discarded) and open it again: the page comes back
    // with the fields it had and the job as the host kept it.
    await page.locator('.tabs-container .tab[aria-label*="Fine-tune"]').first().click();
    await workbench.runCommand('View: Close Editor');
    await expect.poll(() => page.locator('.tabs-container .tab[aria-label*="Fine-tune"]').count(), { timeout: 10_000 }).toBe(0);
    await workbench.runCommand('BERT Lens: Open Fine-tune Panel');
    frame = await panelFrame(page);
    expect(await frame.locator('vscode-textfield[data-field="learning_rate"] input').inputValue()).toBe('0.0005');
    await expect.poll(() => chartPoints(frame, 'loss'), { timeout: 15_000 }).toBeGreaterThan(0);
    console.log(`[e2e finetune] after reopening: ${await statusText(frame)}`);

    await expect.poll(async () => frame.locator('.checkpoint').count(), { timeout: 120_000 }).toBeGreaterThan(0);
    await expect.poll(() => statusText(frame), { timeout: 400_000, interval: 1000 }).toMatch(/^Finished/);
    expect(await chartPoints(frame, 'dev-score')).toBeGreaterThan(0);
    expect(await frame.locator('.metrics-table tbody tr').count()).toBeGreaterThan(0);
    const names = await frame.locator('.checkpoint-name').allTextContents();
    console.log(`[e2e finetune] checkpoints: ${JSON.stringify(names)}; ${await statusText(frame)}`);
    checkpointName = names.find((n) => /^checkpoint-\d+$/.test(n)) ?? '';
    expect(checkpointName).toMatch(/^checkpoint-\d+$/);
    const onDisk = fs.readdirSync(path.join(session.workspaceDir, '.bert-lens', 'runs')).filter((n) => !n.startsWith('.'));
    expect(onDisk).toHaveLength(1);
    expect(fs.existsSync(path.join(session.workspaceDir, '.bert-lens', 'runs', onDisk[0]!, checkpointName, 'model.safetensors'))).toBe(true);
    await frame.locator('svg[data-chart="dev-score"]').scrollIntoViewIfNeeded();
    await workbench.screenshot('trained');
  }, 420_000); // training waits up to 400 s for the end (a loaded machine); the default is 180 s

  it('"Use for NER" on a checkpoint: Recognize Entities then uses it', async () => {
    const { workbench } = session;
    const page = workbench.page;
    const row: Locator = frame.locator('.checkpoint', { has: frame.locator('.checkpoint-name', { hasText: new RegExp(`^${checkpointName}$`) }) });
    await row.locator('vscode-button[data-action="useForNer"]').click();
    await expect.poll(async () => (await frame.locator('.notices .notice-info').allTextContents()).join(' '), { timeout: 15_000 }).toContain(`Recognize Entities now uses ./.bert-lens/runs/`);
    await page.locator('.statusbar-item', { hasText: `NER: folder ${checkpointName}` }).first().waitFor({ timeout: 30_000 });

    // The document's tab (Quick Open's Ctrl+P would go to the panel's webview, which has the focus after the click).
    await page.locator(`.tabs-container .tab[aria-label*="${DOCUMENT}"]`).first().click();
    await page.locator(`.tabs-container .tab.active[aria-label*="${DOCUMENT}"]`).first().waitFor();
    // The document's own annotations are decorated too; predictions come on top of them.
    await page.waitForTimeout(1000);
    const annotationsOnly = (await workbench.decorations()).length;
    await workbench.runCommand('BERT Lens: Recognize Entities');
    await expect.poll(async () => (await workbench.decorations()).length, { timeout: 120_000, interval: 500 }).toBeGreaterThan(annotationsOnly);
    console.log(`[e2e finetune] decorated elements: ${annotationsOnly} before, ${(await workbench.decorations()).length} after Recognize Entities`);
    // Hover decorated spans until one is a prediction (its hover has a score and names the model).
    const decorated = page.locator('.editor-group-container .monaco-editor [class*="ced-"]');
    let hover = '';
    for (let i = 0; i < Math.min(40, await decorated.count()) && !hover; i++) {
      hover = await workbench.hoverText(decorated.nth(i), 'score', 2_000).catch(() => '');
      if (!hover) await page.mouse.move(5, 5);
    }
    console.log(`[e2e finetune] hover: ${JSON.stringify(hover)}`);
    expect(hover).toContain(`Model: folder ${checkpointName}`);
    await workbench.screenshot('entities-from-checkpoint');
  });

  it('logged no extension errors and no CSP violations from the panel', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
    // The panel reports script errors and CSP violations to the host, which logs them as "fine-tune panel: ...".
    const problems = session.logs.read(/BERT Lens\.log$/).split('\n').filter((line) => line.includes('fine-tune panel:'));
    expect(problems).toEqual([]);
  });
});
