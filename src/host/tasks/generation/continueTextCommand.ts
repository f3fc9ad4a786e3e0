import * as vscode from 'vscode';
import type { DecodingStrategy } from '../../../core/tasks/causalLm/sampling';
import type { TaskRunner } from '../shared/taskRunner';
import type { GenerationSettings, TaskSettings } from '../shared/taskSettings';
import { continuationPrompt, insertedText } from './continuation';
import { StreamingInsertion } from './streamingInsertion';

export const CONTINUE_TEXT_COMMAND = 'bertLens.continueText';

function strategyOf(settings: GenerationSettings): DecodingStrategy {
  return settings.strategy === 'greedy' ? { kind: 'greedy' } : { kind: 'top-k', topK: settings.topK, temperature: settings.temperature };
}

/**
 * "Continue Text": the causal-LM model continues the text before the cursor (or the selection); the
 * tokens are written into the document as they come (one undo step), Cancel stops where it is.
 */
export async function continueText(runner: TaskRunner, settings: () => TaskSettings): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('BERT Lens: open a text document and put the cursor after some text first.');
    return;
  }
  const { document, selection } = editor;
  const { generation, runtime } = settings();
  const model = runner.modelFor('generation', generation.model, document);
  if (!model) return;
  const snapshot = document.getText();
  const { prompt, insertAt } = continuationPrompt(snapshot, { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) }, document.offsetAt(selection.active));
  if (prompt.trim() === '') {
    void vscode.window.showInformationMessage('BERT Lens: nothing to continue: put the cursor after some text, or select the text to continue.');
    return;
  }
  const charBefore = insertAt > 0 ? snapshot[insertAt - 1] : undefined;
  const insertion = new StreamingInsertion(editor, insertAt, () => runner.cancel('generation', document));
  try {
    const outcome = await runner.run({
      task: 'generation',
      kind: 'generate',
      payload: {
        prompt,
        options: { maxNewTokens: generation.maxNewTokens, strategy: strategyOf(generation), seed: generation.seed ?? Math.floor(Math.random() * 2 ** 31) },
      },
      modelSetting: generation.model,
      model,
      runtime,
      document,
      title: 'BERT Lens: continuing the text',
      onProgress: (event) => {
        if (event.phase !== 'token') return undefined;
        void insertion.update(insertedText(event.continuation, charBefore));
        return { message: `${event.count} of at most ${event.maxNewTokens} tokens`, increment: 100 / event.maxNewTokens };
      },
    });
    if (outcome) {
      outcome.edits.dispose();
      await insertion.update(insertedText(outcome.result.generation.continuation, charBefore), true);
      if (outcome.result.generation.tokens.length === 0) {
        void vscode.window.showInformationMessage('BERT Lens: the model ended the text right away (it predicted [SEP]); nothing to add.');
      }
    } else {
      // Cancelled or failed: what was written stays (Ctrl+Z removes it); close the undo step.
      await insertion.update(insertion.text, true);
    }
    if (insertion.stopped) {
      void vscode.window.showWarningMessage(`BERT Lens: Continue Text stopped: ${insertion.stopped}. The text written so far stays.`);
    }
  } finally {
    insertion.dispose();
  }
}
