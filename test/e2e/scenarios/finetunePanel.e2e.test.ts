// The fine-tune panel with room (issue 19): "Open Fine-tune Panel" opens it as an editor tab, wide;
// training with save_total_limit 1 leaves one checkpoint folder on disk and the panel marks it as
// the best; the confusion matrix is drawn after the evaluation; the run's disk use is shown; closing
// and reopening the tab keeps the fields and the job; "Use for NER" on the run takes its best model;
// "Delete run" asks, then deletes the run folder.
//
// The run is one epoch with a checkpoint every step and the evaluation at the epoch's end, so the
// best checkpoint is the last one (only checkpoints saved right after an evaluation can be the
// best) and HF's rotation with save_total_limit 1 deletes every earlier one: exactly one folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';
import { panelFrame, prepareWorkspace, setField, statusText } from './finetuneHelpers';

const TAB = '.tabs-container .tab[aria-label*="Fine-tune"]';

function runsDir(session: E2eSession): string {
  return path.join(session.workspaceDir, '.bert-lens', 'runs');
}

function runFolders(session: E2eSession): string[] {
  return fs.existsSync(runsDir(session)) ? fs.readdirSync(runsDir(session)).filter((n) => !n.startsWith('.')) : [];
}

function checkpointFolders(runDir: string): string[] {
  return fs.readdirSync(runDir).filter((n) => /^checkpoint-\d+$/.test(n));
}

describe('fine-tune panel in the editor area', () => {
  let session: E2eSession;
  let frame: Frame;
  let workspaceSource: string;
  let checkpoint = '';
  let run = '';

  beforeAll(async () => {
    workspaceSource = prepareWorkspace('finetune-panel');
    session = await startSession({ scenario: 'finetune-panel', workspaceSource });
  });

  afterAll(async () => {
    await session?.close();
    fs.rmSync(workspaceSource, { recursive: true, force: true });
  });

  it('opens as a wide editor tab with the checkpointing fields', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.runCommand('BERT Lens: Open Fine-tune Panel');
    frame = await panelFrame(page);
    await page.locator(`${TAB}.active`).first().waitFor({ timeout: 10_000 });
    const box = await (await frame.frameElement()).boundingBox();
    const width = page.viewportSize()?.width ?? (await page.evaluate(() => (globalThis as unknown as { innerWidth: number }).innerWidth));
    console.log(`[e2e finetune-panel] webview ${box?.width ?? 0} px wide in a ${width} px window`);
    expect(box?.width ?? 0).toBeGreaterThan(0.5 * width);
    expect(await frame.locator('vscode-textfield[data-field="save_total_limit"] input').inputValue()).toBe('2');
    expect(await frame.locator('vscode-textfield[data-field="metric_for_best_model"] input').inputValue()).toBe('score');
    expect(await frame.locator('[data-field="load_best_model_at_end"]').count()).toBe(1);
    expect(await frame.locator('[data-field="greater_is_better"]').count()).toBe(1);
    await workbench.screenshot('panel-open');
  });

  it('trains with save_total_limit 1: one checkpoint folder on disk, marked as the best; confusion matrix and disk use shown', async () => {
    const { workbench } = session;
    await setField(frame, 'learning_rate', '0.0005');
    await setField(frame, 'num_train_epochs', '1');
    await setField(frame, 'per_device_train_batch_size', '4');
    await setField(frame, 'save_steps', '1');
    await setField(frame, 'save_total_limit', '1');
    await expect.poll(() => frame.locator('[data-error-for="save_total_limit"]').textContent()).toBe('');
    await frame.locator('vscode-button[data-action="start"]').click();
    await expect.poll(() => statusText(frame), { timeout: 300_000, interval: 1000 }).toMatch(/^(Finished|Failed)/);
    expect(await statusText(frame)).toMatch(/^Finished/);

    const runs = runFolders(session);
    expect(runs).toHaveLength(1);
    run = runs[0]!;
    const runDir = path.join(runsDir(session), run);
    const onDisk = checkpointFolders(runDir);
    console.log(`[e2e finetune-panel] ${run}: ${JSON.stringify(onDisk)}; ${await statusText(frame)}`);
    expect(onDisk).toHaveLength(1);
    checkpoint = onDisk[0]!;
    const log = JSON.parse(fs.readFileSync(path.join(runDir, 'training_log.json'), 'utf8')) as { best_model_checkpoint: string | null };
    expect(path.basename(log.best_model_checkpoint ?? '')).toBe(checkpoint);

    // The panel lists what is on disk (the rotated-away checkpoints are gone from it) and marks the best.
    const listed = (await frame.locator('.checkpoint .checkpoint-name').allTextContents()).filter((n) => /^checkpoint-\d+$/.test(n));
    expect(listed).toEqual([checkpoint]);
    const best = frame.locator('.checkpoint[data-best]', { has: frame.locator('.checkpoint-name', { hasText: new RegExp(`^${checkpoint}$`) }) });
    expect(await best.count()).toBe(1);
    expect(await best.locator('.best-badge').textContent()).toBe('best');

    // After the evaluation: the per-label table and a square confusion matrix with the O tag.
    expect(await frame.locator('.metrics-table tbody tr').count()).toBeGreaterThan(0);
    const gold = await frame.locator('.confusion-table th.confusion-gold').allTextContents();
    expect(gold).toContain('O');
    expect(await frame.locator('.confusion-table th.confusion-predicted').allTextContents()).toEqual(gold);
    expect(await frame.locator('.confusion-table tbody tr').count()).toBe(gold.length);

    // Disk use of the run, and the Runs list naming its best checkpoint.
    expect(await frame.locator('[data-disk]').textContent()).toMatch(/^The run takes \d+\.\d (KiB|MiB|GiB) on disk\.$/);
    const row = frame.locator(`.run[data-run="${run}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.getAttribute('data-best')).toBe(checkpoint);
    expect(Number(await row.getAttribute('data-disk-bytes'))).toBeGreaterThan(1_000_000);
    await frame.locator('.confusion-table').scrollIntoViewIfNeeded();
    await workbench.screenshot('trained-best-marked');
  });

  it('the confusion matrix is readable in the light and the dark theme (WCAG contrast of each cell)', async () => {
    const { workbench } = session;
    // Contrast of each cell's text on its own background (the nearest opaque one), WCAG 2 relative luminance.
    const contrasts = (): Promise<Array<{ text: string; ratio: number; zero: boolean }>> =>
      frame.locator('.confusion-table td.cm-cell').evaluateAll((cells) => {
        // rgb()/rgba() in 0–255; color-mix() computes to color(srgb r g b [/ a]) in 0–1.
        const rgb = (value: string): number[] => {
          const numbers = (value.replace(/^color\(srgb/, '').match(/[\d.]+(e-?\d+)?/g) ?? []).map(Number);
          if (!value.startsWith('color(srgb')) return numbers;
          return [...numbers.slice(0, 3).map((c) => c * 255), ...numbers.slice(3)];
        };
        const luminance = ([r, g, b]: number[]): number => {
          const channel = (c: number): number => {
            const x = c / 255;
            return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
          };
          return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
        };
        return cells.map((cell) => {
          const view = cell.ownerDocument.defaultView!;
          let background = view.getComputedStyle(cell).backgroundColor;
          for (let node: typeof cell | null = cell; node && (rgb(background).length === 4 && rgb(background)[3] === 0); node = node.parentElement) {
            background = view.getComputedStyle(node).backgroundColor;
          }
          if (rgb(background).length === 4 && rgb(background)[3] === 0) background = view.getComputedStyle(cell.ownerDocument.body).backgroundColor;
          const [a, b] = [luminance(rgb(view.getComputedStyle(cell).color)), luminance(rgb(background))];
          return { text: cell.textContent ?? '', ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), zero: cell.classList.contains('cm-level-0') };
        });
      });
    const themeOf = (): Promise<string> => frame.locator('body').evaluate((body) => body.className);
    const check = async (theme: string): Promise<void> => {
      const cells = await contrasts();
      console.log(`[e2e finetune-panel] ${theme}: ${cells.length} cells, lowest contrast ${Math.min(...cells.filter((c) => !c.zero).map((c) => c.ratio)).toFixed(2)} (counts) / ${Math.min(...cells.filter((c) => c.zero).map((c) => c.ratio)).toFixed(2)} (zeros)`);
      expect(cells.length).toBeGreaterThan(0);
      // Counts are text: AA's 4.5:1; the muted zeros are the theme's description colour, kept above 3:1.
      for (const cell of cells) expect(cell.ratio, `${theme} cell ${cell.text}`).toBeGreaterThanOrEqual(cell.zero ? 3 : 4.5);
    };
    const first = await themeOf();
    await check(first.includes('vscode-dark') ? 'dark' : 'light');
    await workbench.runCommand('Preferences: Toggle between Light/Dark Themes');
    await expect.poll(themeOf, { timeout: 15_000 }).not.toBe(first);
    await frame.locator('.confusion-table').scrollIntoViewIfNeeded();
    await check((await themeOf()).includes('vscode-dark') ? 'dark' : 'light');
    await workbench.screenshot('confusion-other-theme');
    await workbench.runCommand('Preferences: Toggle between Light/Dark Themes');
    await expect.poll(themeOf, { timeout: 15_000 }).toBe(first);
  });

  it('closing and reopening the tab keeps the fields and the finished job', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await page.locator(TAB).first().click();
    await workbench.runCommand('View: Close Editor');
    await expect.poll(() => page.locator(TAB).count(), { timeout: 10_000 }).toBe(0);
    await workbench.runCommand('BERT Lens: Open Fine-tune Panel');
    frame = await panelFrame(page);
    expect(await frame.locator('vscode-textfield[data-field="save_total_limit"] input').inputValue()).toBe('1');
    await expect.poll(() => statusText(frame), { timeout: 15_000 }).toMatch(/^Finished/);
    expect(await frame.locator('.checkpoint[data-best] .checkpoint-name', { hasText: new RegExp(`^${checkpoint}$`) }).count()).toBe(1);
  });

  it('"Use for NER" on the run takes its best model; "Delete run" asks, then deletes the folder', async () => {
    const { workbench } = session;
    const page = workbench.page;
    const row = frame.locator(`.run[data-run="${run}"]`);
    await row.locator('vscode-button[data-action="useRunForNer"]').click();
    // load_best_model_at_end: the final model (the run folder) holds the best checkpoint's weights.
    await expect.poll(async () => (await frame.locator('.notices .notice-info').allTextContents()).join(' '), { timeout: 15_000 })
      .toContain(`Recognize Entities now uses ./.bert-lens/runs/${run} `);

    await row.locator('vscode-button[data-action="deleteRun"]').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.textContent()).toContain(`Delete the run ${run}?`);
    await workbench.screenshot('delete-run-dialog');
    await dialog.locator('.monaco-button', { hasText: 'Delete Run' }).first().click();
    await expect.poll(() => runFolders(session), { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => frame.locator('.runs-empty').count(), { timeout: 15_000 }).toBe(1);
  });

  it('logged no extension errors and no CSP violations from the panel', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
    const problems = session.logs.read(/BERT Lens\.log$/).split('\n').filter((line) => line.includes('fine-tune panel:'));
    expect(problems).toEqual([]);
  });
});
