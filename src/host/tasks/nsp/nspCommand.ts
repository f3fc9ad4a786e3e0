import * as vscode from 'vscode';
import { formatScore, oneLine } from '../shared/presentation';
import type { TaskRunner } from '../shared/taskRunner';
import type { TaskSettings } from '../shared/taskSettings';
import { sentencePair } from './sentencePair';

export const NEXT_SENTENCE_COMMAND = 'bertLens.nextSentence';

/**
 * "Next Sentence Prediction": P(B follows A) from the NSP head, for two selections (multi-cursor),
 * a selection and the sentence after it, or the sentence at the cursor and the next one.
 */
export async function predictNextSentence(runner: TaskRunner, settings: () => TaskSettings): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('BERT Lens: open a text document and select two sentences first.');
    return;
  }
  const { document } = editor;
  const { nspModel, runtime } = settings();
  const model = runner.modelFor('nsp', nspModel, document);
  if (!model) return;
  const text = document.getText();
  const pair = sentencePair(text, editor.selections.map((s) => ({ start: document.offsetAt(s.start), end: document.offsetAt(s.end) })), document.offsetAt(editor.selection.active));
  if ('error' in pair) {
    void vscode.window.showInformationMessage(`BERT Lens: ${pair.error}.`);
    return;
  }
  const outcome = await runner.run({
    task: 'nsp',
    kind: 'nextSentence',
    payload: { a: pair.a.text, b: pair.b.text },
    modelSetting: nspModel,
    model,
    runtime,
    document,
    title: 'BERT Lens: does B follow A?',
  });
  if (!outcome) return;
  outcome.edits.dispose();
  const p = outcome.result.prediction.isNextProbability;
  const verdict = p >= 0.5 ? 'B reads as the continuation of A' : 'B reads as unrelated to A';
  const note = pair.note ? ` (${pair.note})` : '';
  void vscode.window.showInformationMessage(
    `BERT Lens: P(B follows A) = ${formatScore(p)} — ${verdict}. A: "${oneLine(pair.a.text, 60)}" B: "${oneLine(pair.b.text, 60)}"${note}`,
  );
}
