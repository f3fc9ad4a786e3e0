import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectNerFormat } from '../../core/data/datasets';
import { parseLabelNames } from '../../core/data/formats/labelNames';
import { describeError } from '../../core/data/parseResult';
import { writeFileAtomic } from '../../core/util/atomicWrite';
import type { AnnotationModel } from './annotationModel';
import { pickFolder } from './annotationCommands';
import type { AnnotationPersistence } from './persistence';
import {
  describeImport,
  detectTextcatFormat,
  exportCategories,
  exportDocuments,
  formatInfo,
  isTextcatFormat,
  TEXTCAT_FORMAT_IDS,
  type TransferFormat,
  hfTagsAreIntegers,
  labelNamesFileFor,
  mergeIntoStore,
  NER_FORMATS,
  parseImport,
} from './transfer';
import { isLocation, locateDocument } from './workspacePath';

export const TRANSFER_COMMANDS = {
  exportAnnotations: 'bertLens.exportAnnotations',
  importAnnotations: 'bertLens.importAnnotations',
} as const;

export interface TransferServices {
  model: AnnotationModel;
  persistence: AnnotationPersistence;
  log: vscode.LogOutputChannel;
}

/** Shows a summary; with details, they go to the output channel and "Show Details" opens it. */
async function summarize(log: vscode.LogOutputChannel, message: string, details: readonly string[], warn: boolean): Promise<void> {
  log.info(message);
  for (const line of details) log.warn(line);
  if (details.length === 0) {
    void vscode.window.showInformationMessage(message);
    return;
  }
  const show = 'Show Details';
  const answer = await (warn ? vscode.window.showWarningMessage(message, show) : vscode.window.showInformationMessage(message, show));
  if (answer === show) log.show(true);
}

async function pickFormat(title: string, detected?: TransferFormat): Promise<TransferFormat | undefined> {
  const all: TransferFormat[] = [...NER_FORMATS, ...TEXTCAT_FORMAT_IDS];
  const order = detected ? [detected, ...all.filter((format) => format !== detected)] : all;
  const picked = await vscode.window.showQuickPick(
    order.map((format) => ({
      label: formatInfo(format).title,
      description: format === detected ? 'detected' : isTextcatFormat(format) ? 'text categories' : 'spans',
      detail: formatInfo(format).detail,
      format,
    })),
    { title, placeHolder: 'Format' },
  );
  return picked?.format;
}

/** Label names for integer HF tags: a file beside the data (ours, or an HF dataset's), else the user's pick. */
async function findLabelNames(file: string, log: vscode.LogOutputChannel): Promise<string[] | undefined> {
  const dir = path.dirname(file);
  const candidates = [labelNamesFileFor(file), path.join(dir, 'label_names.json'), path.join(dir, 'dataset_info.json')];
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await fs.readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseLabelNames(text, candidate);
    if (parsed.labelNames.length > 0) {
      log.info(`label names for ${file} from ${candidate}: ${parsed.labelNames.join(', ')}`);
      return parsed.labelNames;
    }
  }
  const choose = 'Choose a Label File…';
  const answer = await vscode.window.showWarningMessage(
    `BERT Lens: the ner_tags in ${path.basename(file)} are numbers, and no label names were found beside it (${path.basename(candidates[0]!)}, label_names.json, dataset_info.json).`,
    choose,
  );
  if (answer !== choose) return undefined;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Label names (JSON list, dataset_info.json, config.json with id2label, or one per line)' });
  if (!picked?.[0]) return undefined;
  const parsed = parseLabelNames(await fs.readFile(picked[0].fsPath, 'utf8'), picked[0].fsPath);
  if (parsed.labelNames.length === 0) {
    void vscode.window.showErrorMessage(`BERT Lens: no label names in ${picked[0].fsPath}: ${parsed.errors.map((error) => error.message).join('; ')}`);
    return undefined;
  }
  return parsed.labelNames;
}

export function registerTransferCommands(services: TransferServices): vscode.Disposable[] {
  const { model, persistence, log } = services;

  const exportAnnotations = async (): Promise<void> => {
    const folderDir = await pickFolder('Export the annotations of which workspace folder?');
    if (!folderDir) return;
    await model.flushFolder(folderDir);
    const store = await persistence.storeFor(folderDir);
    const documents = store.list();
    if (documents.length === 0) {
      void vscode.window.showInformationMessage('BERT Lens: there are no annotations in this workspace folder yet. Select text and run "Label Selection…" to add some.');
      return;
    }
    const format = await pickFormat(`Export ${documents.length} annotated document(s) as`);
    if (!format) return;
    const info = formatInfo(format);
    const target = await vscode.window.showSaveDialog({
      title: `Export annotations (${info.title})`,
      defaultUri: vscode.Uri.file(path.join(folderDir, `${isTextcatFormat(format) ? 'categories' : 'annotations'}${format === 'hf-jsonl' ? '.hf' : ''}${info.extension}`)),
      filters: { [info.title]: [info.extension.slice(1)], 'All files': ['*'] },
    });
    if (!target) return;
    const output = isTextcatFormat(format) ? exportCategories(documents, format) : exportDocuments(documents, format);
    try {
      await writeFileAtomic(target.fsPath, output.content);
      if (output.labelNames) await writeFileAtomic(labelNamesFileFor(target.fsPath), `${JSON.stringify({ label_names: output.labelNames }, null, 2)}\n`);
    } catch (error) {
      void vscode.window.showErrorMessage(`BERT Lens: could not write ${target.fsPath}: ${describeError(error)}`);
      return;
    }
    const written = output.labelNames ? ` (label names in ${path.basename(labelNamesFileFor(target.fsPath))})` : '';
    const unit = isTextcatFormat(format) ? 'text-category decision(s)' : 'span(s)';
    const lossy = output.issues.length > 0 ? `; ${output.issues.length} ${isTextcatFormat(format) ? 'record(s)' : 'span(s)'} could not be represented in ${info.title} and were left out or changed` : '';
    await summarize(
      log,
      `BERT Lens: exported ${isTextcatFormat(format) ? `${output.spans} ${unit}` : `${output.documents} document(s), ${output.spans} ${unit}`} to ${path.basename(target.fsPath)}${written}${lossy}.`,
      output.issues.map((issue) => `export: ${issue}`),
      output.issues.length > 0,
    );
  };

  const importAnnotations = async (): Promise<void> => {
    const folderDir = await pickFolder('Import annotations into which workspace folder?');
    if (!folderDir) return;
    const picked = await vscode.window.showOpenDialog({
      title: 'Import annotations',
      canSelectMany: false,
      defaultUri: vscode.Uri.file(folderDir),
      filters: { 'Annotation files': ['jsonl', 'json', 'conll', 'txt', 'iob', 'bio', 'tsv', 'csv'], 'All files': ['*'] },
    });
    const file = picked?.[0]?.fsPath;
    if (!file) return;
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      void vscode.window.showErrorMessage(`BERT Lens: could not read ${file}: ${describeError(error)}`);
      return;
    }
    const format = await pickFormat(`Import ${path.basename(file)} as`, detectTextcatFormat(file, text) ?? detectNerFormat(file, text));
    if (!format) return;
    let labelNames: string[] | undefined;
    if (format === 'hf-jsonl' && hfTagsAreIntegers(text)) {
      labelNames = await findLabelNames(file, log);
      if (!labelNames) return;
    }
    const inside = locateDocument(folderDir, file);
    const pathBase = isLocation(inside) ? inside.path : path.basename(file);
    const parsed = parseImport({ text, file, pathBase, format, ...(labelNames ? { labelNames } : {}) });
    await model.flushFolder(folderDir);
    const store = await persistence.storeFor(folderDir);
    const report = await mergeIntoStore(store, parsed.documents, file);
    await model.reloadFolder(folderDir, report.paths);
    const details = [...parsed.errors, ...report.rejected].map((issue) => `${issue.file}:${issue.line}: ${issue.message}`);
    const notes = parsed.warnings.map((issue) => `${issue.file}:${issue.line}: ${issue.message}`);
    for (const note of notes) log.info(note);
    await summarize(log, `BERT Lens: ${describeImport(parsed, report)}`, details, details.length > 0);
  };

  return [
    vscode.commands.registerCommand(TRANSFER_COMMANDS.exportAnnotations, exportAnnotations),
    vscode.commands.registerCommand(TRANSFER_COMMANDS.importAnnotations, importAnnotations),
  ];
}
