import * as vscode from 'vscode';
import type { LabelScore } from '../../../core/tasks/textClassification/postprocess';
import { reanchorSpans } from '../shared/anchoredSpans';
import { SpanStore } from '../shared/spanStore';
import type { TaskRunner } from '../shared/taskRunner';
import type { TaskSettings } from '../shared/taskSettings';
import { oneLine } from '../shared/presentation';
import { headline, labelPickItems, readingDescription } from './labelScores';
import { classificationHoverMarkdown, paragraphSpans, type ClassificationInfo, type ClassifiedSpan } from './paragraphPlan';
import { ParagraphDecorations } from './paragraphDecorations';
import { scoresToShow } from './scoresToShow';

export const CLASSIFY_SELECTION_COMMAND = 'bertLens.classifySelection';
export const CLASSIFY_DOCUMENT_COMMAND = 'bertLens.classifyDocument';
export const CLASSIFY_PARAGRAPHS_COMMAND = 'bertLens.classifyParagraphs';
export const CLEAR_CLASSIFICATION_COMMAND = 'bertLens.clearClassification';
export const SHOW_CLASSIFICATION_COMMAND = 'bertLens.showClassification';

type Store = SpanStore<ClassifiedSpan, ClassificationInfo>;

/**
 * Text classification in the editor: Classify Selection / Document (every label score in a quick
 * pick, the result in a status-bar item), Classify Each Paragraph (after-text per paragraph, hover
 * with every score), Clear Classification. Results follow edits; one whose text is edited is dropped.
 */
export class Classification implements vscode.Disposable {
  /** Results of Classify Selection / Document: one span per selection, or the whole document. */
  readonly texts: Store = new SpanStore();
  readonly paragraphs: Store = new SpanStore();
  private readonly decorations = new ParagraphDecorations();
  private readonly status = vscode.window.createStatusBarItem('bertLens.classification', vscode.StatusBarAlignment.Right, 99);

  constructor(private readonly runner: TaskRunner, private readonly settings: () => TaskSettings) {
    this.status.name = 'BERT Lens classification';
  }

  dispose(): void {
    this.decorations.dispose();
    this.status.dispose();
  }

  render(editor: vscode.TextEditor): void {
    this.decorations.render(editor, this.paragraphs.get(editor.document.uri.toString()));
  }

  /** The status-bar item for the active editor: its latest selection/document result, else hidden. */
  updateStatus(): void {
    const editor = vscode.window.activeTextEditor;
    const entry = editor && this.texts.get(editor.document.uri.toString());
    const first = entry?.spans[0];
    if (!entry || !first) {
      this.status.hide();
      return;
    }
    const more = entry.spans.length > 1 ? ` (+${entry.spans.length - 1})` : '';
    this.status.text = `$(tag) ${headline(first.results, entry.info)}${more}`;
    // The item shows the selection/document result: clicking it lists that one, wherever the cursor is.
    this.status.command = { command: SHOW_CLASSIFICATION_COMMAND, title: 'Show Classification Scores', arguments: [editor.document.uri.toString()] };
    this.status.tooltip = `BERT Lens: classification of the ${entry.info.scope} (${readingDescription(entry.info)}; model ${entry.info.modelDescription}). Click for every label score.`;
    this.status.show();
  }

  hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const key = document.uri.toString();
    const entry = this.paragraphs.get(key);
    const span = this.paragraphs.spanAt(key, document.offsetAt(position));
    if (!entry || !span) return undefined;
    const markdown = new vscode.MarkdownString(classificationHoverMarkdown(span, entry.info));
    markdown.isTrusted = false;
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
  }

  async classify(scope: 'selection' | 'document'): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('BERT Lens: open a text document first, then run the classification.');
      return;
    }
    const { document } = editor;
    const { classification, runtime } = this.settings();
    const model = this.runner.modelFor('classification', classification.model, document);
    if (!model) return;
    const snapshot = document.getText();
    const ranges = scope === 'document'
      ? [{ start: 0, end: snapshot.length }]
      : editor.selections.filter((s) => !s.isEmpty).map((s) => ({ start: document.offsetAt(s.start), end: document.offsetAt(s.end) })).sort((a, b) => a.start - b.start);
    if (ranges.length === 0) {
      void vscode.window.showInformationMessage('BERT Lens: select the text to classify first (or run Classify Document).');
      return;
    }
    const texts = ranges.map((range) => snapshot.slice(range.start, range.end));
    if (texts.every((text) => text.trim() === '')) {
      void vscode.window.showInformationMessage(`BERT Lens: nothing to classify, the ${scope} is empty.`);
      return;
    }
    const outcome = await this.runner.run({
      task: 'classification',
      kind: 'classifyTexts',
      payload: { texts, options: { functionToApply: classification.functionToApply, topK: null, batchSize: runtime.batchSize, segmentation: runtime.segmentation } },
      modelSetting: classification.model,
      model,
      runtime,
      document,
      title: `BERT Lens: classifying the ${scope}`,
    });
    if (!outcome) return;
    const { result, edits } = outcome;
    try {
      const info: ClassificationInfo = { scoreKind: result.scoreKind, threshold: classification.multiLabelThreshold, modelDescription: model.description, labels: result.model.labels, scope };
      const computed = ranges.map((range, i) => ({ ...range, text: texts[i]!, results: shownResults(result.results[i]!, classification.topK) }));
      const { kept, dropped } = reanchorSpans(computed, edits.changes, edits.changes.length > 0 ? document.getText() : undefined);
      if (kept.length === 0) {
        void vscode.window.showInformationMessage(`BERT Lens: the ${scope} was edited while the model ran; its classification was dropped. Run it again.`);
        return;
      }
      if (dropped.length > 0) vscode.window.setStatusBarMessage(`BERT Lens: ${dropped.length} classification(s) dropped, their text was edited meanwhile`, 8000);
      this.texts.set(document.uri.toString(), { info, spans: kept });
      await this.showScores(document.uri.toString());
    } finally {
      edits.dispose();
    }
  }

  async classifyParagraphs(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('BERT Lens: open a text document first, then run Classify Each Paragraph.');
      return;
    }
    const { document, selection } = editor;
    const { classification, runtime } = this.settings();
    const model = this.runner.modelFor('classification', classification.model, document);
    if (!model) return;
    const snapshot = document.getText();
    const offset = selection.isEmpty ? 0 : document.offsetAt(selection.start);
    const text = selection.isEmpty ? snapshot : document.getText(selection);
    if (text.trim() === '') {
      void vscode.window.showInformationMessage(`BERT Lens: nothing to classify, the ${selection.isEmpty ? 'document' : 'selection'} is empty.`);
      return;
    }
    const outcome = await this.runner.run({
      task: 'classification',
      kind: 'classifyParagraphs',
      payload: { text, options: { functionToApply: classification.functionToApply, topK: null, batchSize: runtime.batchSize, segmentation: runtime.segmentation } },
      modelSetting: classification.model,
      model,
      runtime,
      document,
      title: 'BERT Lens: classifying each paragraph',
    });
    if (!outcome) return;
    const { result, edits } = outcome;
    try {
      const info: ClassificationInfo = { scoreKind: result.scoreKind, threshold: classification.multiLabelThreshold, modelDescription: model.description, labels: result.model.labels, scope: 'paragraphs' };
      const spans = paragraphSpans(result.paragraphs, offset, snapshot).map((span) => ({ ...span, results: shownResults(span.results, classification.topK) }));
      const { kept, dropped } = reanchorSpans(spans, edits.changes, edits.changes.length > 0 ? document.getText() : undefined);
      const key = document.uri.toString();
      // Paragraphs outside a re-classified selection keep their earlier results.
      const previous = this.paragraphs.get(key);
      const range = { start: offset, end: offset + text.length };
      const others = !selection.isEmpty && previous ? previous.spans.filter((span) => span.end <= range.start || span.start >= range.end) : [];
      this.paragraphs.set(key, { info, spans: [...others, ...kept].sort((a, b) => a.start - b.start) });
      const droppedNote = dropped.length > 0 ? ` (${dropped.length} dropped: edited while the model ran)` : '';
      vscode.window.setStatusBarMessage(`BERT Lens: ${kept.length} paragraph(s) classified${droppedNote}`, 8000);
    } finally {
      edits.dispose();
    }
  }

  clear(document: vscode.TextDocument | undefined): void {
    if (!document) {
      this.texts.clear();
      this.paragraphs.clear();
      return;
    }
    this.runner.cancel('classification', document);
    this.texts.delete(document.uri.toString());
    this.paragraphs.delete(document.uri.toString());
  }

  /**
   * Every label score in a quick pick: of the classified paragraph under the cursor, else of the
   * selection/document result, else of every classified paragraph (scoresToShow); Enter shows the
   * classified text. `key` given (right after Classify Selection / Document): that result.
   */
  async showScores(key?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const preferTexts = key !== undefined;
    key ??= editor?.document.uri.toString();
    const cursor = editor && editor.document.uri.toString() === key ? editor.document.offsetAt(editor.selection.active) : undefined;
    const entry = key ? scoresToShow(this.texts.get(key), this.paragraphs.get(key), cursor, preferTexts) : undefined;
    if (!key || !entry) {
      void vscode.window.showInformationMessage('BERT Lens: no classification for this document; run Classify Selection, Classify Document or Classify Each Paragraph.');
      return;
    }
    type Item = vscode.QuickPickItem & { span?: ClassifiedSpan };
    const items: Item[] = [];
    for (const span of entry.spans) {
      if (entry.spans.length > 1) items.push({ label: oneLine(span.text, 60), kind: vscode.QuickPickItemKind.Separator });
      for (const item of labelPickItems(span.results, entry.info)) items.push({ ...item, span });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Classification of the ${entry.info.scope === 'paragraphs' && entry.spans.length === 1 ? 'paragraph' : entry.info.scope}: ${readingDescription(entry.info)} · ${entry.info.modelDescription}`,
      placeHolder: `${headline(entry.spans[0]!.results, entry.info)} — Enter selects the classified text`,
    });
    const span = picked?.span;
    const target = vscode.window.visibleTextEditors.find((candidate) => candidate.document.uri.toString() === key);
    if (span && target && entry.info.scope !== 'document') {
      const range = new vscode.Range(target.document.positionAt(span.start), target.document.positionAt(span.end));
      target.selection = new vscode.Selection(range.start, range.end);
      target.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }
}

/** bertLens.classification.topK: 0 keeps every label; k the k best (results come sorted). */
function shownResults(results: LabelScore[], topK: number): LabelScore[] {
  return topK > 0 ? results.slice(0, topK) : results;
}
