import * as path from 'node:path';
import * as vscode from 'vscode';
import { AnnotationStore } from '../../core/data/annotationStore';
import { parseSavedFields } from '../../../webview/protocol';
import type { FormFields } from '../../../webview/form';
import { WorkerClient } from '../workerClient';
import { createNonce, panelHtml } from './html';
import { PanelSession, type PanelHost } from './panelSession';
import { deleteRun, listRuns } from './runFolders';
import { createRunDir, exportModelFolder, exportName, listRunModels, runsDirFor } from './runs';
import { StatusSession } from './statusSession';
import { planStart, resolveUserPath, summarizeData, type FinetuneEnvironment } from './startPlan';
import { TrainingController } from './trainingController';
import { SEGMENTATION_MODES } from '../../core/tasks/shared/segmentation';

export const FINETUNE_VIEW = 'bertLens.finetune';
/** The full panel in the editor area (a WebviewPanel; the sidebar view is its compact status). */
export const FINETUNE_PANEL = 'bertLens.finetunePanel';
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
 * The fine-tune panel: a webview panel in the editor area (full width), a compact status in the
 * BERT Lens sidebar (current run, last metrics, "Open panel"), the training job behind both (in its
 * own worker process, so a crash or a long run never touches NER), and the commands. The job and the
 * form live in the host (controller, workspace state): closing the panel loses neither.
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
    runs: (trainingDir) => listRuns(runsDir(), trainingDir),
    async confirmDeleteRun(run) {
      const ner = vscode.workspace.getConfiguration().get<string>(NER_MODEL_SETTING)?.trim();
      let inUse = false;
      try {
        const relative = ner ? path.relative(run.path, resolveUserPath(ner, workspaceDir())) : '..';
        inUse = !relative.startsWith('..') && !path.isAbsolute(relative);
      } catch {
        // A setting that is no path (bundled, a hub id) is not in the run.
      }
      const choice = await vscode.window.showWarningMessage(
        `Delete the run ${run.name}?`,
        {
          modal: true,
          detail: `Its folder ${run.path} (${formatMiB(run.diskBytes)}: checkpoints and the final model) is deleted from disk.` +
            (inUse ? ` Recognize Entities uses a model of this run (setting ${NER_MODEL_SETTING}): point it at another model afterwards.` : ''),
        },
        'Delete Run',
      );
      return choice === 'Delete Run';
    },
    async deleteRun(dir, trainingDir) {
      await deleteRun(runsDir(), dir, trainingDir);
      log.info(`deleted the fine-tuning run ${dir}`);
    },
    openPanel: () => showPanel(),
    log: (level, message) => log[level](message),
  };

  const webviewOptions = (): vscode.WebviewOptions => ({
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  });
  const pageHtml = (webview: vscode.Webview, mode: 'panel' | 'status'): string => panelHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'media', 'finetune.css')).toString(),
    mode,
  });

  let panel: vscode.WebviewPanel | undefined;
  /** Connects a panel (new, or restored after a reload) to a session of its own. */
  const attachPanel = (created: vscode.WebviewPanel): void => {
    panel = created;
    created.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'bert-lens.svg');
    created.webview.options = webviewOptions();
    const session = new PanelSession((message) => void created.webview.postMessage(message), host, controller);
    sessions.add(session);
    const received = created.webview.onDidReceiveMessage((message: unknown) => void session.receive(message));
    created.onDidDispose(() => {
      received.dispose();
      session.dispose();
      sessions.delete(session);
      if (panel === created) panel = undefined;
    });
    created.webview.html = pageHtml(created.webview, 'panel');
  };
  const showPanel = (): void => {
    if (panel) {
      panel.reveal(panel.viewColumn ?? vscode.ViewColumn.Active);
      return;
    }
    // retainContextWhenHidden: a hidden tab keeps its charts and half-typed fields without a reload.
    attachPanel(vscode.window.createWebviewPanel(FINETUNE_PANEL, 'Fine-tune', vscode.ViewColumn.Active, { ...webviewOptions(), retainContextWhenHidden: true }));
  };

  const sessions = new Set<PanelSession>();
  const statuses = new Set<StatusSession>();
  const statusProvider: vscode.WebviewViewProvider = {
    resolveWebviewView(webviewView) {
      const webview = webviewView.webview;
      webview.options = webviewOptions();
      const session = new StatusSession((message) => void webview.postMessage(message), controller, { openPanel: showPanel, log: host.log });
      statuses.add(session);
      const received = webview.onDidReceiveMessage((message: unknown) => void session.receive(message));
      webviewView.onDidDispose(() => {
        received.dispose();
        session.dispose();
        statuses.delete(session);
      });
      webview.html = pageHtml(webview, 'status');
    },
  };

  let lastStatus = controller.view.status;
  const announceEnd = controller.onDidChange((job) => {
    const ended = lastStatus !== job.status && (job.status === 'done' || job.status === 'failed');
    lastStatus = job.status;
    if (!ended || panel?.visible) return;
    const text = job.status === 'done' ? `BERT Lens: fine-tuning finished (${job.step} steps).` : `BERT Lens: fine-tuning failed: ${job.error ?? 'unknown error'}`;
    void vscode.window[job.status === 'done' ? 'showInformationMessage' : 'showErrorMessage'](text, 'Show Fine-tune Panel').then((choice) => {
      if (choice) showPanel();
    });
  });

  const refreshAll = (): void => {
    for (const session of sessions) void session.receive({ type: 'refreshDataset' });
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/.bert-lens/annotations.jsonl');

  return [
    vscode.window.registerWebviewViewProvider(FINETUNE_VIEW, statusProvider),
    vscode.window.registerWebviewPanelSerializer(FINETUNE_PANEL, {
      // A panel left open when the window closed comes back with a fresh page; the host still has the fields (workspace state).
      deserializeWebviewPanel: async (restored) => {
        if (panel && panel !== restored) {
          restored.dispose();
          return;
        }
        attachPanel(restored);
      },
    }),
    vscode.commands.registerCommand(OPEN_FINETUNE_COMMAND, showPanel),
    watcher,
    watcher.onDidChange(refreshAll),
    watcher.onDidCreate(refreshAll),
    watcher.onDidDelete(refreshAll),
    announceEnd,
    { dispose: () => panel?.dispose() },
    { dispose: () => controller.dispose() },
    { dispose: () => trainingWorker?.dispose() },
  ];
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
