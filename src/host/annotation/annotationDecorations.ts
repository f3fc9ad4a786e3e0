import * as vscode from 'vscode';
import { PALETTE_SLOTS, colorIds } from '../ner/labelColors';
import type { TrackedSpan } from './trackedSpans';

/**
 * Annotations drawn unlike predictions: the label's tinted background and a solid underline in its
 * colour (predictions have only a dashed outline, see ner/decorations.ts), so a span the model found
 * and the person confirmed shows both. One decoration type per colour slot, shared by all editors.
 */
export class AnnotationDecorations implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();

  render(editor: vscode.TextEditor, spans: readonly TrackedSpan[], slots: ReadonlyMap<string, string>): void {
    const groups = new Map<string, vscode.Range[]>();
    const document = editor.document;
    for (const span of spans) {
      const slot = slots.get(span.label) ?? PALETTE_SLOTS[0]!;
      let group = groups.get(slot);
      if (!group) groups.set(slot, (group = []));
      group.push(new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
    }
    for (const slot of groups.keys()) this.typeFor(slot);
    for (const [slot, type] of this.types) editor.setDecorations(type, groups.get(slot) ?? []);
  }

  dispose(): void {
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
  }

  private typeFor(slot: string): vscode.TextEditorDecorationType {
    let type = this.types.get(slot);
    if (!type) {
      const ids = colorIds(slot);
      const color = new vscode.ThemeColor(ids.border);
      type = vscode.window.createTextEditorDecorationType({
        backgroundColor: new vscode.ThemeColor(ids.background),
        borderStyle: 'solid',
        borderWidth: '0 0 2px 0',
        borderColor: color,
        overviewRulerColor: color,
        overviewRulerLane: vscode.OverviewRulerLane.Left,
        // Typing at an edge does not grow the span (the model agrees: see trackedSpans.ts).
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(slot, type);
    }
    return type;
  }
}
