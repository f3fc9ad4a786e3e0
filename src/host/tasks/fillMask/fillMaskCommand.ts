import * as vscode from 'vscode';
import { reanchorSpans } from '../shared/anchoredSpans';
import type { TaskRunner } from '../shared/taskRunner';
import type { TaskSettings } from '../shared/taskSettings';
import { fillMaskPickItems, fillMaskTarget, maskReplacement } from './maskEdits';

export const FILL_MASK_COMMAND = 'bertLens.fillMask';

/**
 * "Fill Mask": the selection (or the cursor's line) with the model's mask token goes to the
 * masked-LM model; the top-k candidates of each mask come back in a quick pick; the chosen one
 * replaces its mask with one undoable edit. Edits made meanwhile move the mask; when the mask's own
 * text changed, nothing is replaced.
 */
export async function fillMask(runner: TaskRunner, settings: () => TaskSettings): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('BERT Lens: open a text document with a [MASK] first.');
    return;
  }
  const { document, selection } = editor;
  // The model first: "put the cursor on a [MASK] line" is pointless advice when no model is set.
  const { fillMask: options, runtime } = settings();
  const model = runner.modelFor('fillMask', options.model, document);
  if (!model) return;
  const snapshot = document.getText();
  const target = fillMaskTarget(snapshot, { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) }, document.offsetAt(selection.active));
  if (target.text.trim() === '') {
    void vscode.window.showInformationMessage('BERT Lens: nothing to fill: put the cursor on a line with [MASK] (the model\'s mask token), or select the text.');
    return;
  }
  const outcome = await runner.run({
    task: 'fillMask',
    kind: 'fillMask',
    payload: { text: target.text, options: { topK: options.topK } },
    modelSetting: options.model,
    model,
    runtime,
    document,
    title: 'BERT Lens: predicting the masked words',
  });
  if (!outcome) return;
  const { result, edits } = outcome;
  try {
    const items = fillMaskPickItems(result.predictions, result.maskToken);
    type Item = vscode.QuickPickItem & { mask: number; prediction: number };
    const picked = await vscode.window.showQuickPick<Item>(
      items.map((item) => (item.separator ? { label: item.label, kind: vscode.QuickPickItemKind.Separator, mask: -1, prediction: -1 } : item)),
      { title: `Fill ${result.maskToken}: top ${options.topK} with scores`, placeHolder: 'Enter replaces the mask (undo with Ctrl+Z)', matchOnDetail: true },
    );
    if (!picked || picked.mask < 0) return;
    const span = result.masks[picked.mask];
    const fill = result.fills[picked.mask]?.[picked.prediction];
    if (!span || !fill) return;
    // The mask where it is now (the quick pick waited for the user; edits may have moved it).
    const mask = { start: target.offset + span.start, end: target.offset + span.end, text: snapshot.slice(target.offset + span.start, target.offset + span.end) };
    const current = document.getText();
    const [moved] = reanchorSpans([mask], edits.changes, current).kept;
    if (!moved || document.isClosed) {
      void vscode.window.showWarningMessage(`BERT Lens: the ${result.maskToken} was edited meanwhile; nothing was replaced.`);
      return;
    }
    const replacement = maskReplacement(current, moved, fill);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(replacement.start), document.positionAt(replacement.end)), replacement.text);
    if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showWarningMessage('BERT Lens: the document did not accept the edit (read-only?).');
  } finally {
    edits.dispose();
  }
}
