import * as vscode from 'vscode';
import { keyHints } from './labelChoice';

export const ANNOTATION_MODE_CONTEXT = 'bertLens.annotationMode';
export const TOGGLE_ANNOTATION_MODE_COMMAND = 'bertLens.toggleAnnotationMode';

/**
 * Annotation mode: while on, keys 1–9 label the selection and Alt+1–9 give the paragraph under the
 * cursor (or the selection) a text category (the keybindings in package.json test the context key), and a status-bar item says so and lists which key gives which label.
 */
export class AnnotationMode implements vscode.Disposable {
  private on = false;
  private readonly item = vscode.window.createStatusBarItem('bertLens.annotationMode', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'BERT Lens annotation mode';
    this.item.command = { command: TOGGLE_ANNOTATION_MODE_COMMAND, title: 'Leave annotation mode' };
    void vscode.commands.executeCommand('setContext', ANNOTATION_MODE_CONTEXT, false);
  }

  get active(): boolean {
    return this.on;
  }

  async toggle(labels: readonly string[], categories: readonly string[] = []): Promise<void> {
    this.on = !this.on;
    await vscode.commands.executeCommand('setContext', ANNOTATION_MODE_CONTEXT, this.on);
    this.showLabels(labels, categories);
  }

  /** Updates the key list (labels added, another folder's editor active). */
  showLabels(labels: readonly string[], categories: readonly string[] = []): void {
    if (!this.on) {
      this.item.hide();
      return;
    }
    const hints = keyHints(labels, categories);
    this.item.text = hints.text;
    this.item.tooltip = hints.tooltip;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
