import * as vscode from 'vscode';
import { reanchorSpans } from '../shared/anchoredSpans';
import { SpanStore } from '../shared/spanStore';
import type { TaskRunner } from '../shared/taskRunner';
import type { TaskSettings } from '../shared/taskSettings';
import { oneLine } from '../shared/presentation';
import { answerHoverMarkdown, type AnswerInfo } from './answerHover';
import { answerPickItems, answerSummary, placeAnswers, type DocumentAnswer } from './answers';

export const ASK_QUESTION_COMMAND = 'bertLens.askQuestion';
export const CLEAR_ANSWERS_COMMAND = 'bertLens.clearAnswers';

/**
 * "Ask a Question about Selection": the question from an input box, the answer searched in the
 * selection (or the whole document) by the QA model in the worker, the best answer highlighted,
 * selected and revealed, the top-k answers in a quick pick that previews each on focus. The
 * highlights follow edits; an answer whose text is edited disappears.
 */
export class QuestionAnswering implements vscode.Disposable {
  readonly store = new SpanStore<DocumentAnswer, AnswerInfo>();
  private readonly best = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.wordHighlightStrongBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('focusBorder'),
    borderRadius: '3px',
    overviewRulerColor: new vscode.ThemeColor('focusBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly others = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground'),
    border: '1px dashed',
    borderColor: new vscode.ThemeColor('focusBorder'),
    borderRadius: '3px',
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private lastQuestion = '';

  constructor(private readonly runner: TaskRunner, private readonly settings: () => TaskSettings) {}

  dispose(): void {
    this.best.dispose();
    this.others.dispose();
  }

  render(editor: vscode.TextEditor): void {
    const spans = this.store.get(editor.document.uri.toString())?.spans ?? [];
    const range = (answer: DocumentAnswer) => new vscode.Range(editor.document.positionAt(answer.start), editor.document.positionAt(answer.end));
    editor.setDecorations(this.best, spans.filter((answer) => answer.rank === 0).map(range));
    editor.setDecorations(this.others, spans.filter((answer) => answer.rank > 0).map(range));
  }

  hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const key = document.uri.toString();
    const entry = this.store.get(key);
    const answer = this.store.spanAt(key, document.offsetAt(position));
    if (!entry || !answer) return undefined;
    const markdown = new vscode.MarkdownString(answerHoverMarkdown(answer, entry.info));
    markdown.isTrusted = false;
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(answer.start), document.positionAt(answer.end)));
  }

  async ask(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('BERT Lens: open a text document first, then ask a question about it (or about a selection).');
      return;
    }
    // The model first: no question is asked when there is no model to answer it.
    const { qa, runtime } = this.settings();
    const model = this.runner.modelFor('qa', qa.model, editor.document);
    if (!model) return;
    const scope = editor.selection.isEmpty ? 'the document' : 'the selection';
    if (contextOf(editor).text.trim() === '') {
      void vscode.window.showInformationMessage(`BERT Lens: nothing to search, ${scope} is empty.`);
      return;
    }
    const question = await vscode.window.showInputBox({
      title: `BERT Lens: Ask a Question about ${scope === 'the document' ? 'the Document' : 'the Selection'}`,
      prompt: `The answer is searched in ${scope}.`,
      placeHolder: 'e.g. Who opened the new office?',
      value: this.lastQuestion,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() === '' ? 'Type a question.' : undefined),
    });
    if (question === undefined || question.trim() === '') return;
    this.lastQuestion = question;
    if (editor.document.isClosed) return;

    // Read the text in the same tick as runner.run starts recording edits.
    const { document } = editor;
    const snapshot = document.getText();
    const context = contextOf(editor);
    if (context.text.trim() === '') {
      void vscode.window.showInformationMessage(`BERT Lens: nothing to search, ${scope} is empty.`);
      return;
    }
    const outcome = await this.runner.run({
      task: 'qa',
      kind: 'answerQuestion',
      payload: {
        question,
        context: context.text,
        options: { topK: qa.topK, maxAnswerLen: qa.maxAnswerLen, docStride: qa.docStride, handleImpossibleAnswer: qa.handleImpossibleAnswer, batchSize: runtime.batchSize },
      },
      modelSetting: qa.model,
      model,
      runtime,
      document,
      title: `BERT Lens: answering "${oneLine(question, 50)}"`,
    });
    if (!outcome) return;
    const { result, edits } = outcome;
    try {
      const placed = placeAnswers(result.answers, context.offset, snapshot);
      if (edits.changes.length > 0) {
        const moved = reanchorSpans(placed.answers, edits.changes, document.getText());
        placed.answers = moved.kept;
        if (moved.dropped.length > 0) vscode.window.setStatusBarMessage(`BERT Lens: ${moved.dropped.length} answer(s) dropped, their text was edited while the model ran`, 8000);
      }
      const key = document.uri.toString();
      this.store.set(key, { info: { question, modelDescription: model.description, count: result.answers.length }, spans: placed.answers });
      const best = placed.answers.find((answer) => answer.rank === 0);
      const target = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
      if (best && target) select(target, best);
      const items = answerPickItems(placed, document.getText());
      if (items.length === 0 || !best) {
        void vscode.window.showInformationMessage(answerSummary(placed));
        return;
      }
      vscode.window.setStatusBarMessage(answerSummary(placed), 10_000);
      if (target) await this.pick(target, question, items, best);
    } finally {
      edits.dispose();
    }
  }

  clear(document: vscode.TextDocument | undefined): void {
    if (document) {
      this.runner.cancel('qa', document);
      this.store.delete(document.uri.toString());
    } else {
      this.store.clear();
    }
  }

  /** The answers in a quick pick: focusing one previews it, accepting jumps there, Escape goes back to the best. */
  private pick(editor: vscode.TextEditor, question: string, items: ReturnType<typeof answerPickItems>, best: DocumentAnswer): Promise<void> {
    const key = editor.document.uri.toString();
    // Answers are looked up by rank at the moment they are shown: edits may have moved them.
    const current = (answer: DocumentAnswer | undefined) => (answer ? this.store.get(key)?.spans.find((a) => a.rank === answer.rank) : undefined);
    const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { answer?: DocumentAnswer }>();
    quickPick.title = `Answers to "${oneLine(question, 60)}"`;
    quickPick.placeholder = 'Enter jumps to the answer; the best one is highlighted in the editor';
    quickPick.items = items;
    quickPick.matchOnDescription = true;
    let accepted = false;
    return new Promise<void>((resolve) => {
      quickPick.onDidChangeActive(([item]) => {
        const answer = current(item?.answer);
        if (answer) select(editor, answer);
      });
      quickPick.onDidAccept(() => {
        accepted = true;
        const answer = current(quickPick.selectedItems[0]?.answer ?? quickPick.activeItems[0]?.answer);
        quickPick.hide();
        if (answer) void vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: range(editor.document, answer) });
      });
      quickPick.onDidHide(() => {
        if (!accepted) {
          const answer = current(best);
          if (answer) select(editor, answer);
        }
        quickPick.dispose();
        resolve();
      });
      quickPick.show();
    });
  }
}

/** The text answers are searched in: the primary selection, or the whole document. */
function contextOf(editor: vscode.TextEditor): { offset: number; text: string } {
  const { document, selection } = editor;
  if (selection.isEmpty) return { offset: 0, text: document.getText() };
  return { offset: document.offsetAt(selection.start), text: document.getText(selection) };
}

function range(document: vscode.TextDocument, answer: DocumentAnswer): vscode.Range {
  return new vscode.Range(document.positionAt(answer.start), document.positionAt(answer.end));
}

function select(editor: vscode.TextEditor, answer: DocumentAnswer): void {
  const answerRange = range(editor.document, answer);
  editor.selection = new vscode.Selection(answerRange.start, answerRange.end);
  editor.revealRange(answerRange, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
