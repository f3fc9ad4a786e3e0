import * as vscode from 'vscode';
import { PALETTE_SLOTS, PALETTE_SIZE } from '../../ner/labelColors';
import { paragraphDecorations, type ClassificationInfo, type ClassifiedSpan } from './paragraphPlan';

const NO_LABEL = 'none';

/**
 * The after-text of "Classify Each Paragraph": "label score" at the end of each paragraph,
 * coloured by label (the palette colours of the entity decorations, in the model's label
 * order, so a model's colours are stable). One decoration type per colour, created on first use.
 */
export class ParagraphDecorations implements vscode.Disposable {
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();

  render(editor: vscode.TextEditor, entry: { info: ClassificationInfo; spans: ClassifiedSpan[] } | undefined): void {
    const groups = new Map<string, vscode.DecorationOptions[]>();
    if (entry && entry.spans.length > 0) {
      const { document } = editor;
      for (const decoration of paragraphDecorations(entry.spans, entry.info)) {
        const slot = slotOf(decoration.label, entry.info.labels);
        const position = document.positionAt(decoration.anchor);
        const options: vscode.DecorationOptions = { range: new vscode.Range(position, position), renderOptions: { after: { contentText: decoration.text } } };
        groups.set(slot, [...(groups.get(slot) ?? []), options]);
        this.typeFor(slot);
      }
    }
    for (const [slot, type] of this.types) editor.setDecorations(type, groups.get(slot) ?? []);
  }

  dispose(): void {
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
  }

  private typeFor(slot: string): vscode.TextEditorDecorationType {
    let type = this.types.get(slot);
    if (!type) {
      const color = slot === NO_LABEL ? new vscode.ThemeColor('editorCodeLens.foreground') : new vscode.ThemeColor(`bertLens.entity.${slot}.border`);
      type = vscode.window.createTextEditorDecorationType({
        after: { color, margin: '0 0 0 1.5em', fontStyle: 'italic', fontWeight: 'bold' },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
      });
      this.types.set(slot, type);
    }
    return type;
  }
}

function slotOf(label: string | undefined, modelLabels: readonly string[]): string {
  if (label === undefined) return NO_LABEL;
  const index = modelLabels.indexOf(label);
  return PALETTE_SLOTS[(index < 0 ? 0 : index) % PALETTE_SIZE]!;
}
