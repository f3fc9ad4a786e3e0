import * as vscode from 'vscode';
import { reanchorSpans } from '../shared/anchoredSpans';
import { formatScore, oneLine, scoreBar } from '../shared/presentation';
import type { TaskRunner } from '../shared/taskRunner';
import type { TaskSettings } from '../shared/taskSettings';
import { paragraphAround, parseChoices } from './choices';

export const MULTIPLE_CHOICE_COMMAND = 'bertLens.multipleChoice';

/**
 * "Score Multiple Choice": the selection (or the paragraph at the cursor) is a prompt line and one
 * line per choice; the multiple-choice head scores the choices (softmax over them), shown best first
 * in a quick pick; Enter selects the chosen line in the editor.
 */
export async function scoreMultipleChoice(runner: TaskRunner, settings: () => TaskSettings): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('BERT Lens: open a text document with a prompt line and choice lines first.');
    return;
  }
  const { document, selection } = editor;
  const { multipleChoiceModel, runtime } = settings();
  const model = runner.modelFor('multipleChoice', multipleChoiceModel, document);
  if (!model) return;
  const snapshot = document.getText();
  const range = selection.isEmpty
    ? paragraphAround(snapshot, document.offsetAt(selection.active))
    : { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) };
  const parsed = parseChoices(snapshot.slice(range.start, range.end), range.start);
  if ('error' in parsed) {
    void vscode.window.showInformationMessage(`BERT Lens: ${parsed.error}.`);
    return;
  }
  const outcome = await runner.run({
    task: 'multipleChoice',
    kind: 'chooseAnswer',
    payload: { prompt: parsed.prompt.text, choices: parsed.choices.map((choice) => choice.text) },
    modelSetting: multipleChoiceModel,
    model,
    runtime,
    document,
    title: `BERT Lens: scoring ${parsed.choices.length} choices`,
  });
  if (!outcome) return;
  const { result, edits } = outcome;
  try {
    const picked = await vscode.window.showQuickPick(
      result.scores.map((score) => ({ label: oneLine(score.choice ?? parsed.choices[score.index]?.text ?? `choice ${score.index + 1}`), description: `${formatScore(score.score)}  ${scoreBar(score.score)}`, index: score.index })),
      { title: `Choices for "${oneLine(parsed.prompt.text, 60)}" (softmax over the choices)`, placeHolder: 'Best first; Enter selects the choice in the editor' },
    );
    const choice = picked ? parsed.choices[picked.index] : undefined;
    if (!choice || document.isClosed) return;
    const [moved] = reanchorSpans([choice], edits.changes, document.getText()).kept;
    const target = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
    if (!moved || !target) return;
    const choiceRange = new vscode.Range(document.positionAt(moved.start), document.positionAt(moved.end));
    target.selection = new vscode.Selection(choiceRange.start, choiceRange.end);
    target.revealRange(choiceRange, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  } finally {
    edits.dispose();
  }
}
