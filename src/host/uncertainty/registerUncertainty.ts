import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelSpec } from '../../worker/jobKinds';
import { failureLogEntry } from '../failureLog';
import type { ModelChoice } from '../ner/modelChoice';
import { bundledDescription, readBundledManifest, type BundledManifest } from '../ner/modelManifest';
import { readNerSettings } from '../ner/nerSettings';
import { ProgressSteps } from '../ner/progressSteps';
import { taskFailure } from '../tasks/shared/taskFailure';
import { readTaskSettings } from '../tasks/shared/taskSettings';
import { JobError, type WorkerClient } from '../workerClient';
import { rankModel, rankPlan, type RankPlan } from './rankPlan';
import { locateItem, QueueCursor, queueItems, type UncertainItem } from './uncertainQueue';
import { readUncertaintySettings, UNCERTAINTY_SETTINGS } from './uncertaintySettings';
import { REVEAL_UNCERTAIN_COMMAND, UncertainTreeProvider } from './uncertainTree';
import { chooseDocuments, MAX_FOUND_FILES, WORKSPACE_EXCLUDE, WORKSPACE_GLOB, type CandidateDocument, type CandidateFile } from './workspaceDocuments';

export const NEXT_UNCERTAIN_COMMAND = 'bertLens.nextUncertain';
export const REFRESH_UNCERTAIN_COMMAND = 'bertLens.refreshUncertain';
export const UNCERTAIN_VIEW = 'bertLens.uncertain';

export interface UncertaintyServices {
  client: WorkerClient;
  log: vscode.LogOutputChannel;
}

function isDirectory(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

interface Queue {
  plan: RankPlan;
  model: ModelChoice;
  items: UncertainItem[];
  cursor: QueueCursor;
  omitted: string[];
}

/**
 * "Next Uncertain": ranks the sentences (NER) or paragraphs (classification) of the active document
 * and the workspace's .txt/.md files by the current model's uncertainty (worker job rankUncertain),
 * lists them in the Uncertain view, and steps through them most uncertain first, selecting each.
 * When the task's model setting changes (Use for NER after a fine-tune writes bertLens.ner.model) or
 * an uncertainty setting does, a queue that exists is ranked again.
 */
export function registerUncertainty(context: vscode.ExtensionContext, services: UncertaintyServices): vscode.Disposable[] {
  const { client, log } = services;
  const tree = new UncertainTreeProvider();
  const view = vscode.window.createTreeView(UNCERTAIN_VIEW, { treeDataProvider: tree });
  let manifest: BundledManifest | undefined;
  void readBundledManifest(context.asAbsolutePath(path.join('models', 'manifest.json')), (problem) => log.warn(`bundled model manifest: ${problem}`))
    .then((read) => (manifest = read));
  let queue: Queue | undefined;
  let running: AbortController | undefined;

  const readAll = () => {
    const configuration = vscode.workspace.getConfiguration();
    const read = (name: string): unknown => configuration.get(name);
    const uncertainty = readUncertaintySettings(read);
    const ner = readNerSettings(read);
    const tasks = readTaskSettings(read);
    for (const problem of [...uncertainty.problems, ...ner.problems, ...tasks.problems]) log.warn(`settings: ${problem}`);
    return { uncertainty: uncertainty.settings, ner: ner.settings, tasks: tasks.settings };
  };

  const showQueue = (): void => {
    tree.show(queue?.items ?? [], queue?.cursor, queue?.plan.unit ?? 'sentence');
    view.message = queue ? tree.summary(queue.omitted) ?? `No ${queue.plan.unit}s to rank: open a text document or add .txt / .md files to the workspace.` : undefined;
    view.description = queue ? `${queue.plan.options.measure} · ${queue.model.description}` : undefined;
  };

  const gatherDocuments = async () => {
    const editor = vscode.window.activeTextEditor;
    const label = (uri: vscode.Uri): string => vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
    const active: CandidateDocument | undefined = editor ? { key: editor.document.uri.toString(), label: label(editor.document.uri), text: editor.document.getText() } : undefined;
    const uris = vscode.workspace.workspaceFolders ? await vscode.workspace.findFiles(WORKSPACE_GLOB, WORKSPACE_EXCLUDE, MAX_FOUND_FILES) : [];
    const files: CandidateFile[] = uris.map((uri) => ({
      key: uri.toString(),
      label: label(uri),
      read: async () => {
        // An open document's text includes its unsaved edits, and is what the editor's offsets index.
        const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
        if (open) return open.getText();
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(uri));
        } catch {
          return undefined;
        }
      },
    }));
    const chosen = await chooseDocuments(active, files);
    if (uris.length >= MAX_FOUND_FILES) chosen.omitted.push(`only the first ${MAX_FOUND_FILES} .txt/.md files found were considered`);
    return chosen;
  };

  /** Ranks afresh; resolves to false when there is no queue to show (failed, cancelled, superseded). */
  const rank = async (): Promise<boolean> => {
    const { uncertainty, ner, tasks } = readAll();
    const plan = rankPlan(uncertainty, ner, tasks);
    const document = vscode.window.activeTextEditor?.document;
    const folder = (document && vscode.workspace.getWorkspaceFolder(document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    let model: ModelChoice | undefined;
    try {
      model = rankModel(plan, ner, tasks, {
        bundledRoot: context.asAbsolutePath('models'),
        bundledDescription: (name) => bundledDescription(manifest, name),
        workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
        isDirectory,
      });
      running?.abort();
      const controller = new AbortController();
      running = controller;
      const { documents, omitted } = await gatherDocuments();
      for (const line of omitted) log.info(`Next Uncertain: ${line}`);
      if (documents.length === 0) {
        if (running === controller) running = undefined;
        void vscode.window.showInformationMessage(`BERT Lens: no text to rank — open a text document or add .txt / .md files to the workspace${omitted.length > 0 ? ` (${omitted.join('; ')})` : ''}.`);
        return false;
      }
      const runtime = plan.task === 'ner' ? ner : tasks.runtime;
      const spec: ModelSpec = {
        reference: model.reference,
        quantized: runtime.quantized,
        threads: runtime.threads,
        cacheDir: path.join(context.globalStorageUri.fsPath, 'models'),
        endpoint: runtime.hubEndpoint,
        offline: runtime.hubOffline,
      };
      const started = performance.now();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `BERT Lens: ranking the ${plan.unit}s of ${documents.length} document(s) by uncertainty`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const steps = new ProgressSteps();
          return client.run('rankUncertain', { model: spec, task: plan.task, texts: documents.map((d) => d.text), options: plan.options }, {
            signal: controller.signal,
            onProgress: (event) => progress.report(steps.next(event)),
          });
        },
      );
      if (running !== controller) return false;
      running = undefined;
      const items = queueItems(documents, result.units, result.ranking);
      queue = { plan, model, items, cursor: new QueueCursor(items.length), omitted };
      log.info(`Next Uncertain: ${items.length} ${plan.unit}(s) of ${documents.length} document(s) ranked by ${plan.options.measure} in ${((performance.now() - started) / 1000).toFixed(1)} s with ${model.reference}`);
      showQueue();
      // The view starts collapsed (it would squeeze Entities and Fine-tune); show it once it has a queue.
      await vscode.commands.executeCommand(`${UNCERTAIN_VIEW}.focus`);
      return true;
    } catch (error) {
      if (error instanceof JobError && error.cancelled) {
        vscode.window.setStatusBarMessage('BERT Lens: uncertainty ranking cancelled.', 5000);
        return false;
      }
      const { message, offerSettings, isInputProblem } = taskFailure(error, 'uncertainty ranking', model);
      const entry = isInputProblem ? { level: 'info' as const, text: message } : failureLogEntry(message, error);
      log[entry.level](entry.text);
      const open = 'Open Settings';
      void vscode.window[isInputProblem ? 'showWarningMessage' : 'showErrorMessage'](message, ...(offerSettings ? [open] : [])).then((choice) => {
        if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', plan.modelSetting);
      });
      return false;
    }
  };

  const reveal = async (index: number): Promise<void> => {
    if (!queue) return;
    const item = queue.items[index];
    if (!item) return;
    queue.cursor.visit(index);
    tree.refresh();
    view.message = tree.summary(queue.omitted);
    const uri = vscode.Uri.parse(item.key);
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === item.key) ?? await vscode.workspace.openTextDocument(uri);
    const found = locateItem(document.getText(), item);
    if (!found) {
      void vscode.window.showInformationMessage(`BERT Lens: this ${queue.plan.unit} of ${item.label} was edited since it was ranked; Refresh the Uncertain view to rank again.`);
      return;
    }
    const range = new vscode.Range(document.positionAt(found.start), document.positionAt(found.end));
    const editor = await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  };

  const next = async (): Promise<void> => {
    if (!queue && !(await rank())) return;
    if (!queue) return;
    if (queue.items.length === 0) {
      void vscode.window.showInformationMessage(`BERT Lens: no ${queue.plan.unit}s to rank — open a text document or add .txt / .md files to the workspace.`);
      return;
    }
    const index = queue.cursor.next();
    if (index === undefined) {
      void vscode.window.showInformationMessage(`BERT Lens: all ${queue.items.length} ${queue.plan.unit}(s) of the queue visited. Refresh the Uncertain view to rank them again with the current model.`);
      return;
    }
    await reveal(index);
  };

  return [
    view, tree,
    { dispose: () => running?.abort() },
    vscode.commands.registerCommand(NEXT_UNCERTAIN_COMMAND, next),
    vscode.commands.registerCommand(REFRESH_UNCERTAIN_COMMAND, () => rank()),
    vscode.commands.registerCommand(REVEAL_UNCERTAIN_COMMAND, (index: unknown) => (typeof index === 'number' ? reveal(index) : undefined)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!queue) return;
      const watched = [...UNCERTAINTY_SETTINGS, queue.plan.modelSetting];
      if (!watched.some((name) => event.affectsConfiguration(name))) return;
      log.info(`Next Uncertain: ${watched.filter((name) => event.affectsConfiguration(name)).join(', ')} changed; ranking again`);
      void rank();
    }),
  ];
}
