import * as vscode from 'vscode';
import type { TextCategories } from '../../core/data/annotation';
import { categoryBadges } from '../../core/data/categoryEdits';

/**
 * Text categories as a badge after the end of their paragraph (the document's after its first
 * line): a boxed after-text, unlike the italic "label score" of Classify Each Paragraph, so that a
 * decision and a prediction at the same paragraph are told apart.
 */
export class CategoryDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      margin: '0 0 0 1.5em',
      color: new vscode.ThemeColor('editor.foreground'),
      border: '1px solid',
      borderColor: new vscode.ThemeColor('focusBorder'),
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });

  render(editor: vscode.TextEditor, decisions: readonly TextCategories[]): void {
    const { document } = editor;
    const options = categoryBadges(document.getText(), decisions).map((badge): vscode.DecorationOptions => {
      const position = document.positionAt(badge.anchor);
      return { range: new vscode.Range(position, position), renderOptions: { after: { contentText: ` ${badge.text} ` } } };
    });
    editor.setDecorations(this.type, options);
  }

  dispose(): void {
    this.type.dispose();
  }
}
