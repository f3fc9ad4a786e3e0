// Helpers of the task scenarios (QA, classification). A workspace for them: the sample workspace plus fixture model folders (hub layout:
// config, tokenizer, model.safetensors — no ONNX, so the extension converts them on first use) and
// .vscode/settings.json pointing the task settings at them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import type { Page } from 'playwright-core';

const MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

export interface TaskWorkspace {
  dir: string;
  dispose(): void;
}

/** `models` maps a folder name under models/ to a fixture (test/fixtures/models/<fixture>); `files` adds documents. */
export function taskWorkspace(models: Record<string, string>, settings: Record<string, unknown>, files: Record<string, string> = {}): TaskWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-e2e-tasks-'));
  fs.cpSync(SAMPLE_WORKSPACE_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  for (const [name, fixture] of Object.entries(models)) {
    const target = path.join(dir, 'models', name);
    fs.mkdirSync(target, { recursive: true });
    for (const file of MODEL_FILES) fs.copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'models', fixture, file), path.join(target, file));
  }
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * How the status bar and hovers name a bundled model: its `description` in models/manifest.json
 * (what the extension reads too), so the scenarios hold for the placeholder and the trained models.
 */
export function bundledDescription(name: 'ner' | 'sentiment'): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'models', 'manifest.json'), 'utf8')) as Record<string, { description: string }>;
  const entry = manifest[name];
  if (!entry) throw new Error(`models/manifest.json has no "${name}" entry`);
  return entry.description;
}

/** Text of the decorations in the editor: injected after-text, or the CSS content of ::after. */
export async function decorationTexts(page: Page): Promise<string[]> {
  return page.locator('.editor-group-container .monaco-editor [class*="ced-"]').evaluateAll((elements) => elements.map((element) => {
    // Runs in the page: the DOM's getComputedStyle (this project type-checks without the DOM lib).
    const view = globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } };
    const after = view.getComputedStyle(element, '::after').content;
    const css = after && after !== 'none' && after !== 'normal' ? after.replace(/^"|"$/g, '') : '';
    return `${element.textContent ?? ''}${css}`.trim();
  }).filter((text) => text !== ''));
}
