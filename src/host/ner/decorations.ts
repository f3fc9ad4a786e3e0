import * as vscode from 'vscode';
import { colorSlotsFor, entitiesBySlot } from './decorationPlan';
import type { DocumentEntities, DocumentEntity } from './entities';
import { colorIds } from './labelColors';

/**
 * One decoration type per colour slot (created on first use), applied to editors. Types are shared
 * by all editors; rendering an editor sets every known type, so slots no longer used are cleared.
 */
export class EntityDecorations implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();

  render(editor: vscode.TextEditor, entities: DocumentEntities | undefined): void {
    const groups: Map<string, DocumentEntity[]> = entities ? entitiesBySlot(entities.entities, colorSlotsFor(entities)) : new Map();
    for (const slot of groups.keys()) this.typeFor(slot);
    const document = editor.document;
    for (const [slot, type] of this.types) {
      const group = groups.get(slot) ?? [];
      editor.setDecorations(type, group.map((entity) => new vscode.Range(document.positionAt(entity.start), document.positionAt(entity.end))));
    }
  }

  dispose(): void {
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
  }

  private typeFor(slot: string): vscode.TextEditorDecorationType {
    let type = this.types.get(slot);
    if (!type) {
      const ids = colorIds(slot);
      // A dashed outline and no fill: a suggestion, unlike the filled, underlined annotations
      // (annotationDecorations.ts), so that the two never look alike and a confirmed span shows both.
      type = vscode.window.createTextEditorDecorationType({
        border: '1px dashed',
        borderColor: new vscode.ThemeColor(ids.border),
        borderRadius: '3px',
        overviewRulerColor: new vscode.ThemeColor(ids.border),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        // Typing at an entity's edge does not grow it: the prediction covers the text the model saw.
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(slot, type);
    }
    return type;
  }
}
