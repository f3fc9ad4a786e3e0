import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isCategoryDisagreement, type Disagreement } from '../../core/data/agreement';
import { readAgreementInput, type AgreementInput } from '../../core/data/agreementInput';
import type { TextCategories } from '../../core/data/annotation';
import { compareWithOther, describeDisagreement, disagreementAfter, disagreementRange, type DocumentComparison } from '../../core/data/compareAnnotations';
import { describeError } from '../../core/data/parseResult';
import { decodeText } from '../../core/util/textFile';
import type { AnnotationModel } from './annotationModel';
import { documentLocation } from './editorTargets';
import { isLocation } from './workspacePath';

export const COMPARE_COMMANDS = {
  start: 'bertLens.compareAnnotations',
  next: 'bertLens.nextDisagreement',
  previous: 'bertLens.previousDisagreement',
  stop: 'bertLens.stopComparing',
} as const;

export const COMPARING_CONTEXT = 'bertLens.comparing';

/** Another annotator's file is read whole to find one document: refuse what cannot be an annotation file. */
const MAX_OTHER_FILE_BYTES = 512 * 1024 * 1024;

export interface CompareServices {
  model: AnnotationModel;
  log: vscode.LogOutputChannel;
  /** The open document's text categories, where the editor tracks them. */
  categories?: (key: string) => readonly TextCategories[];
}

interface Comparing {
  key: string;
  file: string;
  name: string;
  comparison: DocumentComparison;
  current: number | undefined;
}

/**
 * "Compare Annotations with…": another annotator's store or export beside the open document's own
 * annotations. Each disagreement is outlined with the other side's label after it and both sides in
 * its hover; Next / Previous Disagreement step through them. The comparison follows the document's
 * annotations as they change and ends when its text no longer matches the other file's.
 */
export function registerCompare(services: CompareServices): vscode.Disposable[] {
  const { model, log } = services;
  const status = vscode.window.createStatusBarItem('bertLens.compare', vscode.StatusBarAlignment.Left, 48);
  status.name = 'BERT Lens comparison';
  status.command = { command: COMPARE_COMMANDS.next, title: 'Next disagreement' };
  const other = vscode.window.createTextEditorDecorationType({
    textDecoration: 'underline wavy',
    borderColor: new vscode.ThemeColor('editorWarning.foreground'),
    after: { color: new vscode.ThemeColor('editorWarning.foreground'), margin: '0 0 0 0.3em', fontStyle: 'italic' },
    overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  const focused = vscode.window.createTextEditorDecorationType({
    border: '1px solid',
    borderColor: new vscode.ThemeColor('focusBorder'),
    borderRadius: '2px',
  });
  let comparing: Comparing | undefined;

  const editorOf = (key: string): vscode.TextEditor | undefined => vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === key);

  const otherSays = (d: Disagreement): string => {
    if (isCategoryDisagreement(d)) return d.b === undefined ? '≠ no category' : `≠ ${d.b.join(' + ') || 'none'}`;
    return d.b ? `≠ ${d.b.label}` : '≠ nothing';
  };

  const render = (): void => {
    if (!comparing) return;
    const { comparison, name, current } = comparing;
    const count = comparison.disagreements.length;
    status.text = count === 0 ? `$(check) Agrees with ${name}` : `$(diff) ${current === undefined ? count : `${current + 1} / ${count}`} disagreement${count === 1 ? '' : 's'} with ${name}`;
    status.tooltip = `${comparison.agreedSpans} span(s) agree with ${comparing.file} (matched by ${comparison.matchedBy === 'path' ? 'workspace path' : 'text'}). Click for the next disagreement.`;
    status.show();
    const editor = editorOf(comparing.key);
    if (!editor) return;
    const rangeOf = (d: Disagreement): vscode.Range => {
      const { start, end } = disagreementRange(d);
      return new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(end));
    };
    editor.setDecorations(
      other,
      comparison.disagreements.map((d) => ({
        range: rangeOf(d),
        // Labels are the annotators' own strings: plain text, never markdown or HTML.
        hoverMessage: new vscode.MarkdownString().appendText(describeDisagreement(d, name)),
        renderOptions: { after: { contentText: otherSays(d) } },
      })),
    );
    const focus = current === undefined ? undefined : comparison.disagreements[current];
    editor.setDecorations(focused, focus ? [rangeOf(focus)] : []);
  };

  const stop = (message?: string): void => {
    const ended = comparing;
    comparing = undefined;
    status.hide();
    void vscode.commands.executeCommand('setContext', COMPARING_CONTEXT, false);
    if (ended) {
      const editor = editorOf(ended.key);
      editor?.setDecorations(other, []);
      editor?.setDecorations(focused, []);
    }
    if (message) void vscode.window.showInformationMessage(`BERT Lens: ${message}`);
  };

  /** Compares again with the file as read: the document's annotations (or text) changed. */
  const compareDocument = (key: string, name: string, input: AgreementInput): DocumentComparison | { reason: string } => {
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === key);
    const location = document ? documentLocation(document) : undefined;
    if (!document || !location || !isLocation(location)) return { reason: 'the document was closed' };
    return compareWithOther(
      { path: location.path, text: document.getText(), spans: model.get(key)?.toSpans() ?? [], categories: services.categories?.(key) ?? [] },
      input,
      name,
    );
  };
  let otherInput: AgreementInput | undefined;

  const start = async (target?: unknown): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showErrorMessage('BERT Lens: open the annotated document first, then compare its annotations with another file.');
      return;
    }
    const location = documentLocation(editor.document);
    if (!isLocation(location)) {
      void vscode.window.showErrorMessage(`BERT Lens: cannot compare annotations here: ${location.reason}.`);
      return;
    }
    const uri =
      target instanceof vscode.Uri
        ? target
        : (
            await vscode.window.showOpenDialog({
              title: `Compare the annotations of ${location.path} with… (a store or an export of another annotator)`,
              canSelectMany: false,
              defaultUri: vscode.Uri.file(location.folderDir),
              filters: { 'Annotation files': ['jsonl', 'json', 'conll', 'txt', 'iob', 'bio', 'csv', 'tsv'], 'All files': ['*'] },
            })
          )?.[0];
    if (!uri) return;
    const file = uri.fsPath;
    let input: AgreementInput;
    try {
      const stat = await fs.stat(file);
      if (stat.size > MAX_OTHER_FILE_BYTES) throw new Error(`it has ${stat.size} bytes; annotation files up to ${MAX_OTHER_FILE_BYTES} bytes are compared`);
      input = readAgreementInput(decodeText(await fs.readFile(file), file), { file });
    } catch (error) {
      void vscode.window.showErrorMessage(`BERT Lens: could not read ${file}: ${describeError(error)}`);
      return;
    }
    const key = editor.document.uri.toString();
    const name = path.basename(file);
    await model.ready(key);
    const result = compareDocument(key, name, input);
    if ('reason' in result) {
      void vscode.window.showWarningMessage(`BERT Lens: ${result.reason}`);
      return;
    }
    stop();
    otherInput = input;
    comparing = { key, file, name, comparison: result, current: undefined };
    log.info(`Comparing ${location.path} with ${file}: ${result.disagreements.length} disagreement(s), ${result.agreedSpans} span(s) agree (matched by ${result.matchedBy})`);
    await vscode.commands.executeCommand('setContext', COMPARING_CONTEXT, true);
    render();
    if (result.disagreements.length > 0) go('next');
  };

  const go = (direction: 'next' | 'previous'): void => {
    if (!comparing) {
      void vscode.window.showInformationMessage('BERT Lens: run "Compare Annotations with…" first.');
      return;
    }
    const editor = editorOf(comparing.key);
    const { disagreements } = comparing.comparison;
    if (!editor || disagreements.length === 0) return;
    const offset = comparing.current === undefined ? editor.document.offsetAt(editor.selection.active) - (direction === 'next' ? 1 : 0) : disagreementRange(disagreements[comparing.current]!).start;
    comparing.current = disagreementAfter(disagreements, offset, direction);
    const d = disagreements[comparing.current!]!;
    const { start: from, end: to } = disagreementRange(d);
    const range = new vscode.Range(editor.document.positionAt(from), editor.document.positionAt(to));
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    render();
    vscode.window.setStatusBarMessage(`BERT Lens: ${describeDisagreement(d, comparing.name)}`, 8000);
  };

  return [
    status,
    other,
    focused,
    vscode.commands.registerCommand(COMPARE_COMMANDS.start, (target?: unknown) => start(target)),
    vscode.commands.registerCommand(COMPARE_COMMANDS.next, () => go('next')),
    vscode.commands.registerCommand(COMPARE_COMMANDS.previous, () => go('previous')),
    vscode.commands.registerCommand(COMPARE_COMMANDS.stop, () => stop()),
    model.onDidChange((key) => {
      if (!comparing || key !== comparing.key || !otherInput) return;
      const result = compareDocument(comparing.key, comparing.name, otherInput);
      if ('reason' in result) {
        stop(`comparison with ${comparing.name} ended: ${result.reason}`);
        return;
      }
      comparing.comparison = result;
      comparing.current = undefined;
      render();
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => render()),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (comparing && document.uri.toString() === comparing.key) stop();
    }),
  ];
}
