import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChangeTracker } from '../ner/changeTracker';
import { bundledDescription, readBundledManifest, type BundledManifest } from '../ner/modelManifest';
import type { ClassificationResult, ClassificationSource } from '../annotation/acceptClassifications';
import type { WorkerClient } from '../workerClient';
import {
  Classification, CLASSIFY_DOCUMENT_COMMAND, CLASSIFY_PARAGRAPHS_COMMAND, CLASSIFY_SELECTION_COMMAND, CLEAR_CLASSIFICATION_COMMAND,
  SHOW_CLASSIFICATION_COMMAND,
} from './classification/classification';
import { fillMask, FILL_MASK_COMMAND } from './fillMask/fillMaskCommand';
import { continueText, CONTINUE_TEXT_COMMAND } from './generation/continueTextCommand';
import { MULTIPLE_CHOICE_COMMAND, scoreMultipleChoice } from './multipleChoice/multipleChoiceCommand';
import { NEXT_SENTENCE_COMMAND, predictNextSentence } from './nsp/nspCommand';
import { ASK_QUESTION_COMMAND, CLEAR_ANSWERS_COMMAND, QuestionAnswering } from './qa/questionAnswering';
import { TaskRunner } from './shared/taskRunner';
import { readTaskSettings, type TaskSettings } from './shared/taskSettings';

export interface TaskServices {
  client: WorkerClient;
  log: vscode.LogOutputChannel;
  /** Receives the classification results of each document (Accept Classifications reads them). */
  classifications?: { connect(source: ClassificationSource): void };
}

function isDirectory(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The editor commands of the other BERT heads: question answering, classification (selection,
 * document, each paragraph), fill-mask, next-sentence prediction, Continue Text, multiple choice.
 * Every model runs in the worker; nothing loads until a command runs.
 */
export function registerTasks(context: vscode.ExtensionContext, services: TaskServices): vscode.Disposable[] {
  const { client, log } = services;
  const tracker = new ChangeTracker();
  let manifest: BundledManifest | undefined;
  void readBundledManifest(context.asAbsolutePath(path.join('models', 'manifest.json')), (problem) => log.warn(`bundled model manifest: ${problem}`))
    .then((read) => (manifest = read));

  let reportedProblems = '';
  const settings = (): TaskSettings => {
    const configuration = vscode.workspace.getConfiguration();
    const { settings: read, problems } = readTaskSettings((name) => configuration.get(name));
    const text = problems.join('; ');
    if (text !== '' && text !== reportedProblems) {
      log.warn(`settings: ${text}`);
      void vscode.window.showWarningMessage(`BERT Lens settings: ${text} (using the defaults for these).`);
    }
    reportedProblems = text;
    return read;
  };
  const runner = new TaskRunner({
    client, tracker, log,
    cacheDir: path.join(context.globalStorageUri.fsPath, 'models'),
    modelContext: (document) => {
      const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
      return {
        bundledRoot: context.asAbsolutePath('models'),
        bundledDescription: (name) => bundledDescription(manifest, name),
        workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
        isDirectory,
      };
    },
  });
  const qa = new QuestionAnswering(runner, settings);
  const classification = new Classification(runner, settings);
  services.classifications?.connect({
    results: (key) => [classification.texts.get(key), classification.paragraphs.get(key)].flatMap((entry): ClassificationResult[] =>
      entry ? [{ scope: entry.info.scope, scoreKind: entry.info.scoreKind, threshold: entry.info.threshold, labels: entry.info.labels, modelDescription: entry.info.modelDescription, spans: entry.spans }] : []),
  });

  const renderDocument = (key: string): void => {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== key) continue;
      qa.render(editor);
      classification.render(editor);
    }
  };
  const activeDocument = () => vscode.window.activeTextEditor?.document;

  return [
    runner, qa, classification,
    qa.store.onDidChange(renderDocument),
    classification.paragraphs.onDidChange(renderDocument),
    classification.texts.onDidChange(() => classification.updateStatus()),
    vscode.languages.registerHoverProvider('*', {
      provideHover: (document, position) => qa.hover(document, position) ?? classification.hover(document, position),
    }),
    vscode.commands.registerCommand(ASK_QUESTION_COMMAND, () => qa.ask()),
    vscode.commands.registerCommand(CLEAR_ANSWERS_COMMAND, () => qa.clear(activeDocument())),
    vscode.commands.registerCommand(CLASSIFY_SELECTION_COMMAND, () => classification.classify('selection')),
    vscode.commands.registerCommand(CLASSIFY_DOCUMENT_COMMAND, () => classification.classify('document')),
    vscode.commands.registerCommand(CLASSIFY_PARAGRAPHS_COMMAND, () => classification.classifyParagraphs()),
    vscode.commands.registerCommand(CLEAR_CLASSIFICATION_COMMAND, () => classification.clear(activeDocument())),
    // A string argument is the status-bar item's document; menus pass a Uri, the palette nothing.
    vscode.commands.registerCommand(SHOW_CLASSIFICATION_COMMAND, (key?: unknown) => classification.showScores(typeof key === 'string' ? key : undefined)),
    vscode.commands.registerCommand(FILL_MASK_COMMAND, () => fillMask(runner, settings)),
    vscode.commands.registerCommand(NEXT_SENTENCE_COMMAND, () => predictNextSentence(runner, settings)),
    vscode.commands.registerCommand(CONTINUE_TEXT_COMMAND, () => continueText(runner, settings)),
    vscode.commands.registerCommand(MULTIPLE_CHOICE_COMMAND, () => scoreMultipleChoice(runner, settings)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      const key = event.document.uri.toString();
      tracker.record(key, event.contentChanges);
      qa.store.applyChanges(key, event.contentChanges);
      classification.texts.applyChanges(key, event.contentChanges);
      classification.paragraphs.applyChanges(key, event.contentChanges);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      const key = document.uri.toString();
      tracker.documentClosed(key);
      runner.cancelDocument(document);
      qa.store.delete(key);
      classification.texts.delete(key);
      classification.paragraphs.delete(key);
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const editor of editors) {
        qa.render(editor);
        classification.render(editor);
      }
    }),
    vscode.window.onDidChangeActiveTextEditor(() => classification.updateStatus()),
  ];
}
