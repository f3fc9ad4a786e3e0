// The VS Code workbench in Chromium, driven the way a person would: clicks in the Explorer, the
// command palette (F1), notifications, decorations in the editor, screenshots.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** Debian's chromium in a container: no sandbox, no GPU, nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A rectangle on the page, in CSS pixels (getBoundingClientRect). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes of every element `selector` matches, in document order (0×0 for one not rendered). */
export async function boxesOf(page: Page, selector: string): Promise<Box[]> {
  return page.locator(selector).evaluateAll((elements) => elements.map((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
  }));
}

export interface Decoration {
  /** The element's classes; VS Code names decoration types `ced-<key>-<n>`. */
  className: string;
  /** Text inside the decorated element (empty for overlay decorations such as backgrounds). */
  text: string;
}

export interface OpenOptions {
  chromiumPath: string;
  /** Screenshots go here. */
  artifactsDir: string;
  /** Chromium keeps its config and cache (crash reports, dconf) here instead of in $HOME. */
  scratchDir: string;
  timeoutMs?: number;
}

/** Decorated elements in editors, not in the chat input (also a Monaco editor) or other panels. */
const EDITOR_DECORATIONS = '.editor-group-container .monaco-editor [class*="ced-"]';
const EXPLORER_ROWS = '.explorer-folders-view .monaco-list-row';
const NOTIFICATION_MESSAGES = '.notification-list-item-message';

function cssString(value: string): string {
  return JSON.stringify(value);
}

export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly artifactsDir: string,
  ) {}

  /** Opens Chromium on a workbench URL and waits until the Explorer lists the folder's files. */
  static async open(url: string, options: OpenOptions): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: options.chromiumPath,
      args: CHROMIUM_ARGS,
      headless: true,
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(options.scratchDir, 'config'),
        XDG_CACHE_HOME: path.join(options.scratchDir, 'cache'),
      },
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(options.timeoutMs ?? 30_000);
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
      await page.locator(EXPLORER_ROWS).first().waitFor({ timeout: 90_000 });
      return new Workbench(browser, page, options.artifactsDir);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Opens a file by clicking its Explorer row; resolves when its editor tab is active. */
  async openFile(name: string): Promise<void> {
    await this.page.locator(`${EXPLORER_ROWS}[aria-label*=${cssString(name)}]`).first().click();
    await this.page.locator(`.tabs-container .tab.active[aria-label*=${cssString(name)}]`).waitFor();
    await this.page.locator('.editor-group-container .monaco-editor .view-lines').first().waitFor();
  }

  /**
   * Runs a command by its palette title, e.g. "BERT Lens: Show Runtime Info". Right after the
   * workbench loads, extension contributions may not be registered yet and the palette then offers
   * only "similar commands": it is reopened until the title shows up or timeoutMs passes.
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const palette = this.page.locator('.quick-input-widget');
    const input = palette.locator('.quick-input-box input');
    const rows = palette.locator('.quick-input-list .monaco-list-row');
    // Rows read "<title>" plus extras (keybinding, "recently used"): match the label exactly.
    const exact = rows.filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${title}`);
      try {
        await exact.first().waitFor({ timeout: 3_000 });
        break;
      } catch {
        const offered = await rows.allInnerTexts();
        await this.page.keyboard.press('Escape');
        await palette.waitFor({ state: 'hidden' });
        if (Date.now() > deadline) {
          throw new Error(`The command palette offers no command titled "${title}". It offered: ${JSON.stringify(offered)}`);
        }
      }
    }
    await exact.first().click();
    // The palette closes; a command that asks for something (an open dialog, a quick pick) shows the
    // same widget again at once, so "closed" means: hidden, or no longer holding this command query.
    // A command that loads a model before asking may take up to timeoutMs to get there.
    const query = `>${title}`;
    await this.page.waitForFunction((q) => {
      // Runs in the page; the e2e tsconfig has no DOM types.
      interface Element { classList: { contains(c: string): boolean }; getBoundingClientRect(): { width: number; height: number }; querySelector(s: string): { value?: string } | null }
      const view = globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Element> }; getComputedStyle(e: Element): { visibility: string } };
      return [...view.document.querySelectorAll('.quick-input-widget')].every((widget) => {
        const rect = widget.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0 || view.getComputedStyle(widget).visibility === 'hidden') return true;
        if (widget.classList.contains('quick-input-widget-closing')) return false;
        return widget.querySelector('.quick-input-box input')?.value !== q;
      });
    }, query, { timeout: Math.max(timeoutMs, 30_000) });
  }

  /**
   * Selects the first occurrence of `text` in the active editor, the way a person can: Find
   * (Ctrl+F) moves the selection to the match, Escape closes the widget and keeps it. Resolves
   * once the status bar reports the selection's length.
   */
  async selectText(text: string): Promise<void> {
    await this.page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
    await this.page.keyboard.press('Control+F');
    const findInput = this.page.locator('.editor-group-container .find-widget textarea, .editor-group-container .find-widget input').first();
    await findInput.waitFor();
    await findInput.fill(text);
    await this.page.keyboard.press('Escape');
    const selected = this.page.locator('.statusbar-item', { hasText: `(${text.length} selected)` });
    try {
      await selected.first().waitFor({ timeout: 5_000 });
    } catch {
      throw new Error(`Could not select "${text}" in the active editor (not found, or the status bar shows no selection)`);
    }
  }

  /**
   * Rests the mouse on an element (near its start, where a decorated span surely is) and returns
   * the text of the hover that shows up, optionally the one containing `hasText`.
   */
  async hoverText(target: Locator, hasText?: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const box = await target.boundingBox();
    if (!box) throw new Error('The element to hover is not visible');
    await this.page.mouse.move(box.x + Math.min(4, box.width / 2), box.y + box.height / 2);
    const hover = this.page.locator('.monaco-hover', hasText === undefined ? {} : { hasText }).filter({ visible: true });
    await hover.first().waitFor({ timeout: timeoutMs });
    return hover.first().innerText();
  }

  /**
   * The text of the editor hover at a decorated box (the one containing `hasText`). First the way a
   * person does it: the mouse comes from elsewhere and rests near the box's start. Headless
   * Chromium sometimes delivers no hover for a mouse that rests (seen in CI on a loaded machine),
   * so then the keyboard way: caret into the box and Ctrl+K Ctrl+I ("Show or Focus Hover"), which
   * asks the same hover providers for the same position.
   */
  async editorHoverAt(box: Box, hasText: string | RegExp, mouseTimeoutMs = 7_000): Promise<string> {
    if (!(box.width > 0 && box.height > 0)) throw new Error(`editorHoverAt needs a rendered box, got ${JSON.stringify(box)} (measure it with renderedBoxes)`);
    const widget = this.page.locator('.monaco-hover', { hasText }).filter({ visible: true }).first();
    const x = box.x + Math.min(4, box.width / 2);
    const y = box.y + box.height / 2;
    // Two tries each way: on a loaded CI machine a single hover request was seen to get lost.
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.page.mouse.move(x + 40, y + 120);
      await this.page.mouse.move(x + attempt, y, { steps: 5 });
      if (await widget.waitFor({ timeout: mouseTimeoutMs }).then(() => true, () => false)) return widget.innerText();
    }
    console.log('[e2e] no hover from the mouse; showing it from the keyboard');
    for (let attempt = 0; attempt < 2; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.mouse.move(x + 40, y + 400);
      await this.page.mouse.click(x + 1, y);
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
      if (await widget.waitFor({ timeout: 10_000 }).then(() => true, () => false)) return widget.innerText();
    }
    // Say what was there instead, so a failure in CI can be told apart: no hover at all, another
    // hover, or the mouse over something other than the decoration.
    const hovers = await this.page.locator('.monaco-hover').filter({ visible: true }).allInnerTexts();
    // A string: this project's TypeScript libs have no DOM types.
    const under = await this.page.evaluate(`(() => {
      const element = document.elementFromPoint(${x}, ${y});
      return element ? '<' + element.tagName.toLowerCase() + ' class="' + element.className + '">' + (element.textContent || '').slice(0, 40) : 'nothing';
    })()`);
    throw new Error(`no hover containing ${String(hasText)} at (${Math.round(x)}, ${Math.round(y)}); visible hovers: ${JSON.stringify(hovers)}; under the point: ${under}`);
  }

  /** Texts of the notifications on screen (toasts and the notification center). */
  async notifications(): Promise<string[]> {
    return this.page.locator(NOTIFICATION_MESSAGES).allInnerTexts();
  }

  /** Waits for a notification whose text matches; fails listing the ones that did show. */
  async waitForNotification(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await this.notifications();
      const hit = seen.find((text) => pattern.test(text));
      if (hit !== undefined) return hit;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`No notification matched ${pattern} within ${timeoutMs} ms. Shown: ${JSON.stringify(seen)}`);
  }

  /**
   * The boxes of the elements `selector` matches that have a size, waiting up to `timeoutMs` for at
   * least one. Right after the caret moves the editor may be re-rendering its lines, and elements
   * measured then report empty boxes (seen in CI: every answer highlight 0×0 at (0, 0)).
   */
  async renderedBoxes(selector: string, timeoutMs = 10_000): Promise<Box[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rendered = (await boxesOf(this.page, selector)).filter((box) => box.width > 0 && box.height > 0);
      if (rendered.length > 0 || Date.now() > deadline) return rendered;
      await this.page.waitForTimeout(100);
    }
  }

  /** Decorated elements in the editors (see Decoration). */
  async decorations(): Promise<Decoration[]> {
    return this.page.locator(EDITOR_DECORATIONS).evaluateAll((elements) =>
      elements.map((element) => ({ className: element.getAttribute('class') ?? '', text: element.textContent ?? '' })),
    );
  }

  /** Saves a PNG of the whole workbench as <artifactsDir>/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.artifactsDir, { recursive: true });
    const file = path.join(this.artifactsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
