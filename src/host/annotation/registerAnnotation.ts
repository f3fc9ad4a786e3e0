import * as vscode from 'vscode';
import { colorSlotsFor } from '../ner/decorationPlan';
import type { EntityStore } from '../ner/entityStore';
import { REVEAL_ANNOTATION_COMMAND } from '../ner/entitiesTree';
import { entityType } from '../ner/labelColors';
import { categoryLabelSet } from '../../core/data/categoryEdits';
import type { ClassificationSource } from './acceptClassifications';
import { registerAnnotationCommands } from './annotationCommands';
import { registerCategoryCommands } from './categoryCommands';
import { CategoryDecorations } from './categoryDecorations';
import { AnnotationDecorations } from './annotationDecorations';
import { registerAcceptCodeActions, registerAnnotationHover } from './annotationHover';
import { AnnotationMode, TOGGLE_ANNOTATION_MODE_COMMAND } from './annotationMode';
import { AnnotationModel } from './annotationModel';
import { readAnnotationSettings, type AnnotationSettings } from './annotationSettings';
import { annotationSlots, ENTITY_FILTERS, type AnnotationTreeSource, type EntityFilter } from './annotationTree';
import type { EditKind } from './documentAnnotations';
import { documentLocation } from './editorTargets';
import { labelSet } from './labelChoice';
import { AnnotationPersistence, type AnnotationReporter } from './persistence';
import { registerCompare } from './registerCompare';
import { registerReview } from './registerReview';
import { RejectionStores } from './reviewSession';
import { registerTransferCommands } from './transferCommands';
import { isLocation, locateDocument } from './workspacePath';

export const FILTER_ENTITIES_COMMAND = 'bertLens.filterEntities';
const FILTER_STATE_KEY = 'bertLens.entitiesFilter';
const IN_ANNOTATION_CONTEXT = 'bertLens.inAnnotation';
const IN_PREDICTION_CONTEXT = 'bertLens.inPrediction';

/** What other features use: the model of open documents and the stores (the fine-tune panel reads the dataset there). */
export interface AnnotationService {
  model: AnnotationModel;
  persistence: AnnotationPersistence;
  /** Fires with a document key when its annotations change, with undefined when the tree filter changed. */
  onDidChange: vscode.Event<string | undefined>;
  /** Writes everything pending (call before reading a store, and on deactivation). */
  flush(): Promise<void>;
}

export interface AnnotationFeature {
  service: AnnotationService;
  /** For registerNer: the Entities view lists annotations through this. */
  tree: { tree: AnnotationTreeSource; onDidChange(listener: (key: string | undefined) => void): vscode.Disposable };
  disposables: vscode.Disposable[];
}

/**
 * Tells a reload from disk from an edit. VS Code applies a file changed on disk to its clean open
 * document as an ordinary edit; the only signs are that the file just changed on disk (not by our
 * own save) and that the document is clean afterwards. `isDirty` alone is not enough: the first
 * edit of a clean document can report it as still clean.
 */
class ReloadDetector implements vscode.Disposable {
  private readonly savedAt = new Map<string, number>();
  private readonly changedOnDiskAt = new Map<string, number>();
  private readonly disposables: vscode.Disposable[];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    this.disposables = [
      watcher,
      watcher.onDidChange((uri) => {
        const key = uri.toString();
        if (Date.now() - (this.savedAt.get(key) ?? 0) > 2000) this.changedOnDiskAt.set(key, Date.now());
      }),
      vscode.workspace.onDidSaveTextDocument((document) => void this.savedAt.set(document.uri.toString(), Date.now())),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.savedAt.delete(document.uri.toString());
        this.changedOnDiskAt.delete(document.uri.toString());
      }),
    ];
  }

  isReload(key: string, dirty: boolean): boolean {
    return !dirty && Date.now() - (this.changedOnDiskAt.get(key) ?? 0) < 5000;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function editKind(reason: vscode.TextDocumentChangeReason | undefined): EditKind {
  if (reason === vscode.TextDocumentChangeReason.Undo) return 'undo';
  if (reason === vscode.TextDocumentChangeReason.Redo) return 'redo';
  return 'edit';
}

/**
 * Labelling spans in the editor: commands, annotation mode, decorations, hovers, quick fixes, the
 * Entities view's annotations, and the listeners that keep annotations on their text and in the
 * workspace store. Nothing is read from disk until a document in a workspace folder is open.
 */
export function registerAnnotation(
  context: vscode.ExtensionContext,
  services: { log: vscode.LogOutputChannel; entities: EntityStore; classifications?: ClassificationSource },
): AnnotationFeature {
  const { log, entities } = services;
  const classifications: ClassificationSource = services.classifications ?? { results: () => [] };
  const readSettings = (): AnnotationSettings => {
    const configuration = vscode.workspace.getConfiguration();
    const read = readAnnotationSettings((name) => configuration.get(name));
    for (const problem of read.problems) log.warn(`settings: ${problem}`);
    return read.settings;
  };
  let settings = readSettings();

  const report: AnnotationReporter = {
    info: (message) => log.info(message),
    warn: (message, details = []) => {
      log.warn(message);
      for (const line of details) log.warn(`  ${line}`);
      const show = 'Show Details';
      void vscode.window.showWarningMessage(message, ...(details.length > 0 ? [show] : [])).then((answer) => {
        if (answer === show) log.show(true);
      });
    },
  };
  const persistence = new AnnotationPersistence(report, settings.saveDelay);
  const model = new AnnotationModel(persistence, report, () => settings.labels);
  const decorations = new AnnotationDecorations();
  const categoryDecorations = new CategoryDecorations();
  const mode = new AnnotationMode();
  const rejections = new RejectionStores();
  const changes = new vscode.EventEmitter<string | undefined>();
  let filter = context.workspaceState.get<EntityFilter>(FILTER_STATE_KEY, 'all');

  // The label set per workspace folder, refreshed after changes (colours and keys 1–9 follow it),
  // and the text-category set (keys Alt+1–9).
  const folderLabels = new Map<string, string[]>();
  const folderCategories = new Map<string, string[]>();
  const refreshLabels = async (folderDir: string): Promise<void> => {
    try {
      const labels = await model.labels(folderDir);
      const categories = categoryLabelSet(settings.categories.labels, await model.categoryLabels(folderDir));
      const before = [...(folderLabels.get(folderDir) ?? []), '\0', ...(folderCategories.get(folderDir) ?? [])];
      folderLabels.set(folderDir, labels);
      folderCategories.set(folderDir, categories);
      if (before.join('\n') !== [...labels, '\0', ...categories].join('\n')) {
        updateMode();
        for (const editor of vscode.window.visibleTextEditors) {
          if (model.location(editor.document.uri.toString())?.folderDir === folderDir) render(editor);
        }
      }
    } catch (error) {
      log.warn(`could not read the label set of ${folderDir}: ${(error as Error).message}`);
    }
  };

  // Edits move spans on every keystroke; the label set only needs a look now and then.
  const labelTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const refreshLabelsSoon = (folderDir: string): void => {
    if (labelTimers.has(folderDir)) return;
    labelTimers.set(folderDir, setTimeout(() => {
      labelTimers.delete(folderDir);
      void refreshLabels(folderDir);
    }, 250));
  };

  const slotsFor = (key: string): Map<string, string> => {
    const prediction = entities.get(key);
    const location = model.location(key);
    const spanLabels = model.get(key)?.spans.map((span) => span.label) ?? [];
    const labels = labelSet([...(location ? folderLabels.get(location.folderDir) ?? [] : []), ...settings.labels], spanLabels);
    return annotationSlots(prediction ? colorSlotsFor(prediction) : new Map(), labels);
  };
  const render = (editor: vscode.TextEditor): void => {
    const key = editor.document.uri.toString();
    decorations.render(editor, model.get(key)?.spans ?? [], slotsFor(key));
    categoryDecorations.render(editor, model.categories(key) ?? []);
  };
  const renderKey = (key: string): void => {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === key) render(editor);
  };
  const updateContext = (): void => {
    const editor = vscode.window.activeTextEditor;
    const key = editor?.document.uri.toString();
    const annotations = key === undefined ? undefined : model.get(key);
    const offset = editor ? editor.document.offsetAt(editor.selection.active) : 0;
    const inAnnotation = !!annotations && annotations.at(offset, true).length > 0;
    const entity = key !== undefined && annotations ? entities.get(key)?.entities.find((e) => e.start <= offset && offset <= e.end) : undefined;
    const inPrediction = !!entity && entityType(entity.label) !== 'O';
    void vscode.commands.executeCommand('setContext', IN_ANNOTATION_CONTEXT, inAnnotation);
    void vscode.commands.executeCommand('setContext', IN_PREDICTION_CONTEXT, inPrediction);
  };
  const activeFolder = (): string | undefined => {
    const key = vscode.window.activeTextEditor?.document.uri.toString();
    return key === undefined ? undefined : model.location(key)?.folderDir;
  };
  const categoriesOf = (folderDir: string | undefined): string[] => (folderDir ? folderCategories.get(folderDir) : undefined) ?? settings.categories.labels;
  const updateMode = (): void => {
    const folderDir = activeFolder();
    mode.showLabels(folderDir ? folderLabels.get(folderDir) ?? settings.labels : settings.labels, categoriesOf(folderDir));
  };

  const reloads = new ReloadDetector();

  const openDocument = (document: vscode.TextDocument): void => {
    const location = documentLocation(document);
    if (!isLocation(location)) return;
    const key = document.uri.toString();
    void model.open({ key, location, getText: () => document.getText() }).then(() => refreshLabels(location.folderDir));
  };

  const tree: AnnotationTreeSource = {
    filter: () => filter,
    spans: (key) => model.get(key)?.spans,
    categories: (key) => model.categories(key),
    slots: (key) => slotsFor(key),
  };

  const service: AnnotationService = {
    model,
    persistence,
    onDidChange: changes.event,
    flush: () => model.flush(),
  };

  const disposables: vscode.Disposable[] = [
    decorations,
    categoryDecorations,
    mode,
    changes,
    { dispose: () => persistence.dispose() },
    { dispose: () => labelTimers.forEach((timer) => clearTimeout(timer)) },
    model.onDidChange((key) => {
      renderKey(key);
      changes.fire(key);
      if (vscode.window.activeTextEditor?.document.uri.toString() === key) updateContext();
      const location = model.location(key);
      if (location) refreshLabelsSoon(location.folderDir);
    }),
    entities.onDidChange((key) => {
      renderKey(key);
      updateContext();
    }),
    registerAnnotationHover(model, entities),
    registerAcceptCodeActions(model, entities),
    ...registerAnnotationCommands({ model, entities, log, rejections }),
    ...registerTransferCommands({ model, persistence, log }),
    ...registerCategoryCommands({ model, categorySet: () => settings.categories, classifications, log }),
    ...registerReview({ model, entities, log, rejections, threshold: () => settings.reviewThreshold, classifications, categorySet: () => settings.categories }),
    ...registerCompare({ model, log, categories: (key) => model.categories(key) ?? [] }),
    vscode.commands.registerCommand(TOGGLE_ANNOTATION_MODE_COMMAND, async () => {
      const folderDir = activeFolder() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (folderDir) await refreshLabels(folderDir);
      await mode.toggle(folderDir ? folderLabels.get(folderDir) ?? settings.labels : settings.labels, categoriesOf(folderDir));
      vscode.window.setStatusBarMessage(mode.active ? 'BERT Lens: annotation mode on — select text and press 1–9' : 'BERT Lens: annotation mode off', 4000);
    }),
    vscode.commands.registerCommand(FILTER_ENTITIES_COMMAND, async () => {
      const picked = await vscode.window.showQuickPick(
        ENTITY_FILTERS.map((option) => ({ label: option.label, detail: option.detail, description: option.filter === filter ? 'current' : undefined, filter: option.filter })),
        { title: 'Show in the Entities view' },
      );
      if (!picked) return;
      filter = picked.filter;
      await context.workspaceState.update(FILTER_STATE_KEY, filter);
      changes.fire(undefined);
    }),
    vscode.commands.registerCommand(REVEAL_ANNOTATION_COMMAND, async (uri: unknown, id: unknown) => {
      if (typeof uri !== 'string' || typeof id !== 'number') return;
      // Text-category decisions share the id space of spans (see DocumentCategories).
      const span = model.get(uri)?.byId(id) ?? model.categories(uri)?.find((categories) => categories.id === id);
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
      if (!span || !document) return;
      const range = new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
      const editor = await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.workspace.onDidOpenTextDocument(openDocument),
    vscode.workspace.onDidCloseTextDocument((document) => void model.close(document.uri.toString())),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length === 0) return;
      const key = event.document.uri.toString();
      model.applyEdit(key, event.contentChanges, editKind(event.reason), reloads.isReload(key, event.document.isDirty));
    }),
    reloads,
    vscode.workspace.onWillRenameFiles((event) => event.waitUntil(model.flush())),
    vscode.workspace.onDidRenameFiles(async (event) => {
      for (const { oldUri, newUri } of event.files) {
        const folder = vscode.workspace.getWorkspaceFolder(oldUri);
        if (!folder || folder.uri.scheme !== 'file' || vscode.workspace.getWorkspaceFolder(newUri) !== folder) continue;
        const from = locateDocument(folder.uri.fsPath, oldUri.fsPath);
        const to = locateDocument(folder.uri.fsPath, newUri.fsPath);
        if (!isLocation(from) || !isLocation(to)) continue;
        const moved = await persistence.rename(folder.uri.fsPath, from.path, to.path);
        if (moved === 0) continue;
        log.info(`${from.path} renamed to ${to.path}: ${moved} annotated document(s) moved`);
        const renamed = new Set(model.keys().map((key) => model.location(key)?.path ?? '').filter((path) => path === to.path || path.startsWith(`${to.path}/`)));
        await model.reloadFolder(folder.uri.fsPath, renamed);
      }
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(render)),
    vscode.window.onDidChangeActiveTextEditor(() => {
      updateContext();
      updateMode();
    }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      if (event.textEditor === vscode.window.activeTextEditor) updateContext();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('bertLens.annotation')) return;
      settings = readSettings();
      persistence.delayMs = settings.saveDelay;
      for (const folderDir of folderLabels.keys()) void refreshLabels(folderDir);
      updateMode();
    }),
  ];
  for (const document of vscode.workspace.textDocuments) openDocument(document);

  return {
    service,
    tree: { tree, onDidChange: (listener) => changes.event(listener) },
    disposables,
  };
}
