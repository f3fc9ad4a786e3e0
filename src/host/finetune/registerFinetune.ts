import * as path from 'node:path';
import * as vscode from 'vscode';
import { AnnotationStore } from '../../core/data/annotationStore';
import { parseSavedFields } from '../../../webview/protocol';
import type { FormFields } from '../../../webview/form';
import { WorkerClient } from '../workerClient';
import { createNonce, panelHtml } from './html';
import { PanelSession, type PanelHost } from './panelSession';
import { createRunDir, exportModelFolder, exportName, listRunModels, runsDirFor } from './runs';
import { planStart, summarizeData, type FinetuneEnvironment } from './startPlan';
import { TrainingController } from './trainingController';
import { SEGMENTATION_MODES } from '../../core/tasks/shared/segmentation';

export const FINETUNE_VIEW = 'bertLens.finetune';
export const OPEN_FINETUNE_COMMAND = 'bertLens.openFinetune';
const FIELDS_KEY = 'bertLens.finetune.fields';
const NER_MODEL_SETTING = 'bertLens.ner.model';

export interface FinetuneServices {
  log: vscode.LogOutputChannel;
  /**
   * Writes the annotation UI's pending changes to `.bert-lens/annotations.jsonl`; the panel calls it
   * before it reads the store (AnnotationStore.open, read only: the panel never writes annotations).
   */
  flushAnnotations?: () => Promise<void>;
}

function workspaceDir(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder?.uri.fsPath;
}

/** A path inside the (single) workspace folder as `./relative`, so settings and fields survive moving the folder. */
function displayPath(absolute: string): string {
  const root = workspaceDir();
  if (!root || (vscode.workspace.workspaceFolders?.length ?? 0) > 1) return absolute;
  const relative = path.relative(root, absolute);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolute : `./${relative.split(path.sep).join('/')}`;
}

/**
 * The fine-tune sidebar panel: a webview view in the BERT Lens container, the training job behind it
 * (in its own worker process, so a crash or a long run never touches NER), and the commands.
 */
export function registerFinetune(context: vscode.ExtensionContext, services: FinetuneServices): vscode.Disposable[] {
  const { log } = services;
  let trainingWorker: WorkerClient | undefined;
  const controller = new TrainingController({
    // Training gets its own process: its memory and CPU stay apart from the NER worker, and a crash of one leaves the other running.
    client: () => (trainingWorker ??= new WorkerClient({ workerPath: context.asAbsolutePath('dist/worker.js'), log: (level, message) => log[level](`training ${message}`) })),
    log: (level, message) => log[level](message),
  });
  const globalStorage = context.globalStorageUri.fsPath;
  const runsDir = (): string => runsDirFor(workspaceDir(), globalStorage);

  const environment = (): FinetuneEnvironment => {
    const configuration = vscode.workspace.getConfiguration('bertLens');
    const endpoint = configuration.get<string>('hub.endpoint')?.trim();
    return {
      workspaceDir: workspaceDir(),
      bundledModel: (task) => context.asAbsolutePath(path.join('models', task === 'ner' ? 'ner' : 'sentiment')),
      loadDocuments: async () => {
        const dir = workspaceDir();
        if (!dir) return [];
        await services.flushAnnotations?.();
        return (await AnnotationStore.open(dir)).list();
      },
      createRunDir: (task) => createRunDir(runsDir(), task),
      segmentation: SEGMENTATION_MODES.find((mode) => mode === configuration.get<string>('inference.segmentation')),
      hub: { endpoint: endpoint || undefined, offline: configuration.get<boolean>('hub.offline') ?? false },
    };
  };

  const host: PanelHost = {
    summarize: (fields) => summarizeData(fields, environment()),
    models: () => listRunModels(runsDir()),
    nerModel: () => vscode.workspace.getConfiguration().get<string>(NER_MODEL_SETTING)?.trim() || 'bundled',
    plan: (fields) => planStart(fields, environment()),
    async pick(field, fields) {
      const base = workspaceDir();
      const uris = await vscode.window.showOpenDialog({
        canSelectFiles: field !== 'baseModel',
        canSelectFolders: field === 'baseModel',
        canSelectMany: false,
        defaultUri: base ? vscode.Uri.file(base) : undefined,
        openLabel: field === 'baseModel' ? 'Use this model folder' : field === 'dataFile' ? 'Train on this file' : 'Evaluate on this file',
        filters: field === 'baseModel' ? undefined : fields.task === 'classify'
          ? { 'Classification data': ['tsv', 'jsonl', 'txt'], 'All files': ['*'] }
          : { 'NER data': ['conll', 'bio', 'iob', 'txt', 'jsonl', 'json'], 'All files': ['*'] },
      });
      return uris?.[0] ? displayPath(uris[0].fsPath) : undefined;
    },
    async useForNer(dir) {
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      const value = displayPath(dir);
      await vscode.workspace.getConfiguration().update(NER_MODEL_SETTING, value, target);
      log.info(`NER model set to ${value} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} setting ${NER_MODEL_SETTING})`);
      return `Recognize Entities now uses ${value} (setting ${NER_MODEL_SETTING}). Run it again to see this model's entities.`;
    },
    async exportModel(dir) {
      const uris = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Export here', title: 'Export the model folder (Hugging Face layout) into…' });
      if (!uris?.[0]) return undefined;
      return exportModelFolder(dir, uris[0].fsPath, exportName(dir));
    },
    savedFields: () => {
      try {
        const saved = context.workspaceState.get<unknown>(FIELDS_KEY);
        return saved === undefined ? undefined : parseSavedFields(saved);
      } catch {
        return undefined;
      }
    },
    saveFields: (fields: FormFields) => void context.workspaceState.update(FIELDS_KEY, fields),
    log: (level, message) => log[level](message),
  };

  const sessions = new Set<PanelSession>();
  let view: vscode.WebviewView | undefined;
  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(webviewView) {
      view = webviewView;
      const webview = webviewView.webview;
      webview.options = {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
      };
      const session = new PanelSession((message) => void webview.postMessage(message), host, controller);
      sessions.add(session);
      const received = webview.onDidReceiveMessage((message: unknown) => void session.receive(message));
      webviewView.onDidDispose(() => {
        received.dispose();
        session.dispose();
        sessions.delete(session);
        if (view === webviewView) view = undefined;
      });
      webview.html = panelHtml({
        cspSource: webview.cspSource,
        nonce: createNonce(),
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'finetune.css')).toString(),
      });
    },
  };

  let lastStatus = controller.view.status;
  const announceEnd = controller.onDidChange((job) => {
    const ended = lastStatus !== job.status && (job.status === 'done' || job.status === 'failed');
    lastStatus = job.status;
    if (!ended || view?.visible) return;
    const text = job.status === 'done' ? `BERT Lens: fine-tuning finished (${job.step} steps).` : `BERT Lens: fine-tuning failed: ${job.error ?? 'unknown error'}`;
    void vscode.window[job.status === 'done' ? 'showInformationMessage' : 'showErrorMessage'](text, 'Show Fine-tune Panel').then((choice) => {
      if (choice) void vscode.commands.executeCommand(`${FINETUNE_VIEW}.focus`);
    });
  });

  const refreshAll = (): void => {
    for (const session of sessions) void session.receive({ type: 'refreshDataset' });
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/.bert-lens/annotations.jsonl');

  return [
    vscode.window.registerWebviewViewProvider(FINETUNE_VIEW, provider),
    vscode.commands.registerCommand(OPEN_FINETUNE_COMMAND, () => vscode.commands.executeCommand(`${FINETUNE_VIEW}.focus`)),
    watcher,
    watcher.onDidChange(refreshAll),
    watcher.onDidCreate(refreshAll),
    watcher.onDidDelete(refreshAll),
    announceEnd,
    { dispose: () => controller.dispose() },
    { dispose: () => trainingWorker?.dispose() },
  ];
}
