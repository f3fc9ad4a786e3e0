import * as vscode from 'vscode';
import { reviewKey } from '../../core/data/reviewKey';
import type { EntityStore } from '../ner/entityStore';
import { entityType } from '../ner/labelColors';
import { describeAccept, joinTokenPredictions, type Prediction } from './acceptPredictions';
import type { AnnotationModel } from './annotationModel';
import { documentLocation, openDocument, selectionRanges, spanTarget } from './editorTargets';
import { HOVER_COMMANDS } from './hoverContent';
import { labelForKey } from './labelChoice';
import { pickLabel } from './labelQuickPick';
import type { RejectionStores } from './reviewSession';
import type { TrackedSpan } from './trackedSpans';
import { isLocation, type DocumentLocation } from './workspacePath';

export const ANNOTATION_COMMANDS = {
  labelSelection: 'bertLens.labelSelection',
  labelWithKey: 'bertLens.labelWithKey',
  removeLabel: HOVER_COMMANDS.removeLabel,
  changeLabel: HOVER_COMMANDS.changeLabel,
  acceptPrediction: HOVER_COMMANDS.acceptPrediction,
  acceptPredictions: 'bertLens.acceptPredictions',
  deleteLabel: 'bertLens.deleteLabel',
  renameLabel: 'bertLens.renameLabel',
} as const;

export interface CommandServices {
  model: AnnotationModel;
  entities: EntityStore;
  log: vscode.LogOutputChannel;
  /** What Review Predictions rejected: Accept Predictions leaves those out too. */
  rejections: RejectionStores;
}

function status(message: string): void {
  vscode.window.setStatusBarMessage(`BERT Lens: ${message}`, 5000);
}

/** The active editor when its document can hold annotations; otherwise says why and returns undefined. */
export async function annotatableEditor(model: AnnotationModel, action: string): Promise<{ editor: vscode.TextEditor; key: string; location: DocumentLocation } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(`BERT Lens: open a text document first, then ${action}.`);
    return undefined;
  }
  const location = documentLocation(editor.document);
  if (!isLocation(location)) {
    void vscode.window.showWarningMessage(`BERT Lens: cannot annotate ${editor.document.uri.path.split('/').pop()}: ${location.reason}. Annotations are kept in the workspace folder's .bert-lens/ folder.`);
    return undefined;
  }
  const key = editor.document.uri.toString();
  if (!model.has(key)) await model.open({ key, location, getText: () => editor.document.getText() });
  if (!(await model.ready(key))) {
    void vscode.window.showErrorMessage(`BERT Lens: the stored annotations of ${location.path} could not be read (see the BERT Lens output); close and reopen the document to try again.`);
    return undefined;
  }
  return { editor, key, location };
}

/** Spans a command without arguments acts on: those each selection overlaps, or the caret touches. */
function spansAtSelections(model: AnnotationModel, editor: vscode.TextEditor): TrackedSpan[] {
  const annotations = model.get(editor.document.uri.toString());
  if (!annotations) return [];
  const found = new Map<number, TrackedSpan>();
  for (const selection of editor.selections) {
    const start = editor.document.offsetAt(selection.start);
    const end = editor.document.offsetAt(selection.end);
    for (const span of annotations.overlapping(start, end)) found.set(span.id, span);
  }
  return [...found.values()];
}

async function targetSpans(model: AnnotationModel, args: readonly unknown[]): Promise<{ key: string; spans: TrackedSpan[] } | undefined> {
  const target = spanTarget(args);
  if (target) {
    const span = (await model.ready(target.key))?.byId(target.id);
    return span ? { key: target.key, spans: [span] } : undefined;
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  return { key: editor.document.uri.toString(), spans: spansAtSelections(model, editor) };
}

export function registerAnnotationCommands(services: CommandServices): vscode.Disposable[] {
  const { model, entities } = services;

  const labelEditor = async (label: string | undefined, isNew: boolean, target: { editor: vscode.TextEditor; key: string; location: DocumentLocation }): Promise<void> => {
    const ranges = selectionRanges(target.editor);
    if (ranges.length === 0) {
      void vscode.window.showInformationMessage('BERT Lens: select the text to label (or put the cursor on a word) first.');
      return;
    }
    if (label === undefined) {
      const labels = await model.labels(target.location.folderDir);
      const picked = await pickLabel(labels, { title: `Label ${ranges.length === 1 ? JSON.stringify(ranges[0]!.text.slice(0, 40)) : `${ranges.length} selections`}` });
      if (!picked) return;
      label = picked.label;
      isNew = picked.isNew;
    }
    if (isNew) await model.addLabel(target.location.folderDir, label);
    const outcome = await model.label(target.key, ranges, label);
    if (!outcome) return;
    const parts = [`${outcome.added.length} span(s) labelled ${label}`];
    if (outcome.replaced.length > 0) parts.push(`${outcome.replaced.length} overlapping annotation(s) replaced`);
    if (outcome.unchanged > 0) parts.push(`${outcome.unchanged} already had this label`);
    status(parts.join(', '));
  };

  return [
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.labelSelection, async () => {
      const target = await annotatableEditor(model, 'select text to label');
      if (target) await labelEditor(undefined, false, target);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.labelWithKey, async (key: unknown) => {
      const target = await annotatableEditor(model, 'select text to label');
      if (!target) return;
      const labels = await model.labels(target.location.folderDir);
      const label = labelForKey(labels, Number(key));
      if (!label) {
        status(`no label on key ${String(key)}: the label set has ${labels.length} label(s). "Label Selection…" adds one.`);
        return;
      }
      await labelEditor(label, false, target);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.removeLabel, async (...args: unknown[]) => {
      const target = await targetSpans(model, args);
      if (!target || target.spans.length === 0) {
        status('no annotation here to remove');
        return;
      }
      const removed = await model.remove(target.key, new Set(target.spans.map((span) => span.id)));
      status(`removed ${removed.map((span) => `${span.label} "${span.text.slice(0, 30)}"`).join(', ')}`);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.changeLabel, async (...args: unknown[]) => {
      const target = await targetSpans(model, args);
      if (!target || target.spans.length === 0) {
        status('no annotation here to relabel');
        return;
      }
      const location = model.location(target.key);
      if (!location) return;
      const labels = await model.labels(location.folderDir);
      const current = new Set(target.spans.map((span) => span.label));
      const picked = await pickLabel(labels, { title: `Change the label of ${target.spans.length === 1 ? JSON.stringify(target.spans[0]!.text.slice(0, 40)) : `${target.spans.length} annotations`}`, current });
      if (!picked) return;
      if (picked.isNew) await model.addLabel(location.folderDir, picked.label);
      const changed = await model.relabel(target.key, new Set(target.spans.map((span) => span.id)), picked.label);
      status(`${changed.length} annotation(s) now labelled ${picked.label}`);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.acceptPrediction, async (...args: unknown[]) => {
      const target = spanTarget(args);
      let key: string;
      let predictions: Prediction[];
      if (target) {
        key = target.key;
        const entity = entities.findById(key, target.id);
        predictions = entity ? [entity] : [];
      } else {
        const editor = vscode.window.activeTextEditor;
        if (!editor) return;
        key = editor.document.uri.toString();
        const all = entities.get(key)?.entities ?? [];
        predictions = editor.selections.flatMap((selection) => {
          const start = editor.document.offsetAt(selection.start);
          const end = editor.document.offsetAt(selection.end);
          return all.filter((entity) => (start === end ? entity.start <= start && start <= entity.end : entity.start < end && entity.end > start));
        });
      }
      if (predictions.length === 0) {
        status('no prediction here to accept');
        return;
      }
      const document = openDocument(key);
      if (!document || !(await ensureOpen(model, document))) return;
      const plan = await model.accept(key, predictions);
      if (plan) status(describeAccept(plan));
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.acceptPredictions, async () => {
      const target = await annotatableEditor(model, 'run Accept Predictions');
      if (!target) return;
      const entry = entities.get(target.key);
      if (!entry || entry.entities.length === 0) {
        const run = 'Recognize Entities';
        const answer = await vscode.window.showInformationMessage('BERT Lens: this document has no predictions to accept. Run Recognize Entities first.', run);
        if (answer === run) await vscode.commands.executeCommand('bertLens.recognizeEntities');
        return;
      }
      const document = target.editor.document;
      const joined = joinTokenPredictions(entry.entities, (from, to) => document.getText(new vscode.Range(document.positionAt(from), document.positionAt(to))));
      const rejections = await services.rejections.storeFor(target.location.folderDir).catch((error: unknown) => {
        services.log.warn(`could not read the review file: ${(error as Error).message}`);
        return undefined;
      });
      const text = document.getText();
      const predictions = rejections ? joined.filter((p) => !rejections.has(reviewKey(text, p.start, p.end, entityType(p.label)))) : joined;
      const plan = await model.accept(target.key, predictions);
      if (!plan) return;
      const rejectedBefore = joined.length - predictions.length;
      const message = `BERT Lens: ${describeAccept(plan)}${rejectedBefore > 0 ? `; ${rejectedBefore} left out (rejected in review before)` : ''}.`;
      if (plan.conflicts.length > 0) {
        services.log.info(message);
        for (const conflict of plan.conflicts) services.log.info(`  kept your annotation over the prediction ${conflict.label} ${JSON.stringify(conflict.text)} [${conflict.start}, ${conflict.end})`);
      }
      void vscode.window.showInformationMessage(message);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.deleteLabel, async () => {
      const folderDir = await pickFolder('Delete a label from which workspace folder?');
      if (!folderDir) return;
      const labels = await model.labels(folderDir);
      const picked = await vscode.window.showQuickPick(labels, { title: 'Delete a label from the label set', placeHolder: 'Label to delete' });
      if (!picked) return;
      const deleted = await model.deleteLabel(folderDir, picked, async (count) => {
        const yes = `Delete ${count} span(s)`;
        const answer = await vscode.window.showWarningMessage(`The label "${picked}" is used by ${count} annotation(s) in this workspace folder. Delete them with it?`, { modal: true }, yes);
        return answer === yes;
      });
      if (deleted !== undefined) status(`label ${picked} deleted${deleted > 0 ? ` with ${deleted} annotation(s)` : ''}`);
    }),
    vscode.commands.registerCommand(ANNOTATION_COMMANDS.renameLabel, async () => {
      const folderDir = await pickFolder('Rename a label in which workspace folder?');
      if (!folderDir) return;
      const labels = await model.labels(folderDir);
      const from = await vscode.window.showQuickPick(labels, { title: 'Rename a label', placeHolder: 'Label to rename' });
      if (!from) return;
      const to = await vscode.window.showInputBox({
        title: `Rename "${from}"`,
        value: from,
        prompt: 'New name (an existing label merges the two)',
        validateInput: (value) => (value.trim() === '' || /[\t\r\n]/.test(value) ? 'A label is non-empty text without tabs or line breaks' : undefined),
      });
      if (to === undefined || to.trim() === from) return;
      const changed = await model.renameLabel(folderDir, from, to.trim());
      status(`label ${from} renamed to ${to.trim()} (${changed} annotation(s))`);
    }),
  ];
}

async function ensureOpen(model: AnnotationModel, document: vscode.TextDocument): Promise<boolean> {
  const key = document.uri.toString();
  if (model.has(key)) return (await model.ready(key)) !== undefined;
  const location = documentLocation(document);
  if (!isLocation(location)) {
    void vscode.window.showWarningMessage(`BERT Lens: cannot annotate this document: ${location.reason}.`);
    return false;
  }
  return (await model.open({ key, location, getText: () => document.getText() })) !== undefined;
}

/** The workspace folder to act on: the only one, or the user's choice; undefined when there is none. */
export async function pickFolder(title: string): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('BERT Lens: open a folder first; annotations are kept in its .bert-lens/ folder.');
    return undefined;
  }
  if (folders.length === 1) return folders[0]!.uri.fsPath;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: title });
  return picked?.uri.scheme === 'file' ? picked.uri.fsPath : undefined;
}
