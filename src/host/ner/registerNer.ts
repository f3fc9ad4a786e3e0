import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnnotationTreeSource } from '../annotation/annotationTree';
import type { WorkerClient } from '../workerClient';
import { ChangeTracker } from './changeTracker';
import { EntityDecorations } from './decorations';
import { registerEntityHover } from './entityHover';
import { EntitiesTreeProvider, REVEAL_ENTITY_COMMAND } from './entitiesTree';
import { EntityStore } from './entityStore';
import { bundledDescription, readBundledManifest, type BundledManifest } from './modelManifest';
import { chooseModel, type ModelChoice } from './modelChoice';
import { ModelStatus } from './modelStatus';
import { readNerSettings } from './nerSettings';
import { NerRunner } from './nerRunner';

export const RECOGNIZE_ENTITIES_COMMAND = 'bertLens.recognizeEntities';
export const CLEAR_ENTITIES_COMMAND = 'bertLens.clearEntities';
export const ENTITIES_VIEW = 'bertLens.entities';

export interface NerServices {
  client: WorkerClient;
  log: vscode.LogOutputChannel;
  /** The predictions, when another feature needs them too (annotation: Accept Predictions). */
  entities?: EntityStore;
  /** The annotations the Entities view lists beside the predictions, and when they change. */
  annotations?: { tree: AnnotationTreeSource; onDidChange(listener: (key: string | undefined) => void): vscode.Disposable };
}

function isDirectory(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

/**
 * NER in the editor: commands, decorations, hovers, the Entities view, the model status item, and
 * the listeners that keep entities on their text while it is edited. Cheap to call: nothing here
 * loads a model or starts the worker until a command runs.
 */
export function registerNer(context: vscode.ExtensionContext, services: NerServices): vscode.Disposable[] {
  const { client, log } = services;
  const store = services.entities ?? new EntityStore();
  const tracker = new ChangeTracker();
  const decorations = new EntityDecorations();
  const tree = new EntitiesTreeProvider(store, services.annotations?.tree);
  const treeView = vscode.window.createTreeView(ENTITIES_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const status = new ModelStatus();
  const bundledDir = context.asAbsolutePath(path.join('models', 'ner'));
  let manifest: BundledManifest | undefined;

  const readSettings = () => {
    const configuration = vscode.workspace.getConfiguration();
    return readNerSettings((name) => configuration.get(name));
  };
  const choose = (document: vscode.TextDocument | undefined, setting: string): ModelChoice => {
    const folder = (document && vscode.workspace.getWorkspaceFolder(document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    return chooseModel(setting, {
      bundledDir,
      bundledDescription: bundledDescription(manifest, 'ner'),
      workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
      isDirectory,
    });
  };
  const updateStatus = (): void => {
    try {
      status.show(choose(vscode.window.activeTextEditor?.document, readSettings().settings.model));
    } catch (error) {
      status.show(error as Error);
    }
  };
  const runner = new NerRunner({
    client, store, tracker, log,
    settings: readSettings,
    chooseModel: choose,
    cacheDir: path.join(context.globalStorageUri.fsPath, 'models'),
  });

  const renderDocument = (key: string): void => {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) decorations.render(editor, store.get(key));
    }
  };
  const refreshTree = (): void => {
    tree.refresh();
    treeView.message = tree.summary();
  };
  let treeRefreshTimer: NodeJS.Timeout | undefined;
  const refreshTreeSoon = (): void => {
    if (treeRefreshTimer) clearTimeout(treeRefreshTimer);
    treeRefreshTimer = setTimeout(refreshTree, 300);
  };
  const showActive = (): void => {
    tree.show(vscode.window.activeTextEditor?.document);
    treeView.description = vscode.window.activeTextEditor ? path.basename(vscode.window.activeTextEditor.document.fileName) : undefined;
    treeView.message = tree.summary();
  };

  const manifestFile = context.asAbsolutePath(path.join('models', 'manifest.json'));
  void readBundledManifest(manifestFile, (problem) => log.warn(`bundled model manifest: ${problem}`)).then((read) => {
    manifest = read;
    updateStatus();
  });
  showActive();

  return [
    treeView, tree, decorations, status, runner,
    { dispose: () => treeRefreshTimer && clearTimeout(treeRefreshTimer) },
    store.onDidChange((key) => {
      renderDocument(key);
      if (tree.shownDocument?.uri.toString() === key) refreshTree();
    }),
    registerEntityHover(store),
    // Annotations changed in a document (undefined: the filter changed, every document).
    ...(services.annotations
      ? [services.annotations.onDidChange((key) => {
        if (key === undefined || tree.shownDocument?.uri.toString() === key) refreshTreeSoon();
      })]
      : []),
    vscode.commands.registerCommand(RECOGNIZE_ENTITIES_COMMAND, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage('BERT Lens: open a text document first, then run Recognize Entities.');
        return;
      }
      const { document } = editor;
      const selections = editor.selections
        .filter((selection) => !selection.isEmpty)
        .map((selection) => ({ start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) }));
      await runner.recognize({ document, selections, interactive: true });
    }),
    vscode.commands.registerCommand(CLEAR_ENTITIES_COMMAND, () => {
      const document = vscode.window.activeTextEditor?.document;
      if (document) {
        runner.cancel(document);
        store.delete(document.uri.toString());
      } else {
        store.clear();
      }
    }),
    vscode.commands.registerCommand(REVEAL_ENTITY_COMMAND, async (uri: unknown, id: unknown) => {
      if (typeof uri !== 'string' || typeof id !== 'number') return;
      const entity = store.findById(uri, id);
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
      if (!entity || !document) return;
      const range = new vscode.Range(document.positionAt(entity.start), document.positionAt(entity.end));
      const editor = await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      const key = event.document.uri.toString();
      tracker.record(key, event.contentChanges);
      if (!store.has(key)) return;
      store.applyChanges(key, event.contentChanges);
      if (tree.shownDocument === event.document) refreshTreeSoon();
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      const key = document.uri.toString();
      tracker.documentClosed(key);
      runner.cancel(document);
      store.delete(key);
    }),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (!store.has(document.uri.toString()) || runner.isRunning(document)) return;
      if (!readSettings().settings.runOnSave) return;
      void runner.recognize({ document, selections: [], interactive: false });
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const editor of editors) {
        const entry = store.get(editor.document.uri.toString());
        if (entry) decorations.render(editor, entry);
      }
    }),
    vscode.window.onDidChangeActiveTextEditor(() => {
      showActive();
      updateStatus();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('bertLens')) updateStatus();
    }),
  ];
}
